Attribute VB_Name = "RibbonCDHT"
' Ribbon callbacks of the CDHT add-in (self-assessment of "Cong dong hoc tap",
' Circular 25/2023). The ribbon (customUI/customUI.xml) calls these subs as
' onAction="RibbonCDHT.<Sub>".
'
' Every callback only hands over to Python through xlwings' RunPython (defined
' in the "xlwings" module of this add-in). All business logic lives in the
' Python package "addin"; keep it out of VBA.
'
' Keep this file ASCII: the VBA editor stores source in a Windows code page,
' so Vietnamese text would turn into "?". Vietnamese belongs in the ribbon XML
' and in Python.
Option Explicit

' Office.MsoFileDialogType.msoFileDialogFolderPicker, spelled out so the module
' does not depend on the Office constant being resolvable.
Private Const FOLDER_PICKER As Long = 4

' Button "Tinh muc do": compute the achievement levels of the open workbook.
Public Sub TinhMucDo(control As IRibbonControl)
    RunPython "import cdht_addin; cdht_addin.tinh_muc_do()"
End Sub

' Button "Kiem tra minh chung": check the evidence entries of the open workbook.
Public Sub KiemTraMinhChung(control As IRibbonControl)
    RunPython "import cdht_addin; cdht_addin.kiem_tra_minh_chung()"
End Sub

' Button "Gop bao cao cap duoi": let the user pick, with Excel's own dialog, the
' folder holding the subordinate units' reports, then pass it to Python.
Public Sub GopBaoCao(control As IRibbonControl)
    Dim folder As String
    With Application.FileDialog(FOLDER_PICKER)
        .AllowMultiSelect = False
        If .Show <> -1 Then Exit Sub ' dialog cancelled: nothing to do
        folder = .SelectedItems(1)
    End With
    ' Quote the path as a Python single-quoted string literal: double the
    ' backslashes first, then escape single quotes. (A raw string r'...' would
    ' break on a drive root such as C:\ and cannot escape a quote.)
    folder = Replace(folder, "\", "\\")
    folder = Replace(folder, "'", "\'")
    RunPython "import cdht_addin; cdht_addin.gop_bao_cao('" & folder & "')"
End Sub

' Button "Xuat ban tong hop": export the sheet "Ban tong hop" alone to a PDF
' beside the saved workbook (the sheet's own ExportAsFixedFormat: no sheet is
' hidden, so the locked workbook structure is respected).
Public Sub XuatBanTongHop(control As IRibbonControl)
    RunPython "import cdht_addin; cdht_addin.xuat_ban_tong_hop()"
End Sub

' Button "Chuyen sang mau nam sau": carry the saved workbook into the next
' year's template for the same unit; the new file is written beside it.
Public Sub ChuyenMauNam(control As IRibbonControl)
    RunPython "import cdht_addin; cdht_addin.chuyen_mau_nam()"
End Sub

' Button "Tao ho so": the dossier (to trinh, bao cao, ban tong hop...) of the
' saved workbook as Word documents, in a folder beside it.
Public Sub TaoHoSo(control As IRibbonControl)
    RunPython "import cdht_addin; cdht_addin.tao_ho_so()"
End Sub

' Button "Gioi thieu": show version and configuration information.
Public Sub GioiThieu(control As IRibbonControl)
    RunPython "import cdht_addin; cdht_addin.gioi_thieu()"
End Sub
