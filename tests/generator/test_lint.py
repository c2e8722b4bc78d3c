"""cdht_generator.lint: one check per problem, each exercised alone on a small workbook."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from cdht import contract as L
from cdht_generator import lint as LINT


def _book(title="Trang", protected=True):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.protection.sheet = protected
    return wb, ws


def test_names_invalid_or_pointing_to_a_missing_sheet():
    wb, ws = _book()
    wb.defined_names["AB12"] = DefinedName("AB12", attr_text="Trang!$A$1")
    wb.defined_names["ok_name"] = DefinedName("ok_name", attr_text="'Không có'!$A$1")
    assert list(LINT.check_names(wb)) == ["tên 'AB12' không hợp lệ trong Excel",
                                         "tên 'ok_name' trỏ tới trang không có 'Không có'"]


def test_sheet_title_and_merged_cells():
    wb, ws = _book("x" * 32)
    ws.merge_cells("A1:B1")
    assert list(LINT.check_sheet_title(ws)) == [f"tên trang '{'x' * 32}' dài hơn 31 ký tự"]
    assert list(LINT.check_merged_cells(ws)) == [f"trang '{'x' * 32}' có ô gộp"]


def test_validation_texts_and_leading_equals():
    wb, ws = _book()
    ws.add_data_validation(DataValidation(type="list", formula1="=DS_DAT", prompt="p" * 256, promptTitle="ok"))
    assert list(LINT.check_validations(ws)) == ["Trang: gợi ý kiểm tra dữ liệu dài 256 > 255 ký tự",
                                                "Trang: công thức kiểm tra dữ liệu bắt đầu bằng '='"]


def test_unlocked_rows_only_in_the_evidence_register():
    wb, ws = _book()
    ws.row_dimensions[7].protection = Protection(locked=False)
    assert list(LINT.check_row_locks(ws)) == ["Trang: dòng 7 không khóa (chỉ sổ minh chứng được mở khóa cả dòng)"]
    ws.title = L.SHEET_EVIDENCE
    assert list(LINT.check_row_locks(ws)) == []
    ws.protection.sheet = False
    ws.title = "Trang"
    assert list(LINT.check_row_locks(ws)) == []  # an unprotected sheet has nothing to unlock


def test_text_limits_and_nfc():
    wb, ws = _book()
    ws["A1"] = "Tie\u0302\u0301u chi\u0301"  # decomposed Vietnamese
    ws["A2"] = "=" + "1+" * 4100 + "1"
    assert list(LINT.check_text(ws, ws["A1"])) == ["Trang!A1: văn bản chưa chuẩn NFC"]
    assert list(LINT.check_text(ws, ws["A2"])) == ["Trang!A2: công thức quá 8192 ký tự"]
    assert list(LINT.check_text(ws, ws["A3"])) == []


def test_cell_locks():
    wb, ws = _book()
    ws["A1"] = "=1+1"
    ws["A1"].protection = Protection(locked=False)
    ws["B1"].protection = Protection(locked=True)
    wb.defined_names["nguoi_lap"] = DefinedName("nguoi_lap", attr_text="Trang!$B$1")
    named = LINT._named_cells(wb)
    assert list(LINT.check_cell_lock(wb, ws, ws["A1"], named)) == [
        "Trang!A1: ô công thức không được khóa", "Trang!A1: ô không có tên mà không khóa"]
    assert list(LINT.check_cell_lock(wb, ws, ws["B1"], named)) == ["Trang!B1: ô nhập có tên nhưng bị khóa"]
    wb.defined_names[L.N_LEVEL] = DefinedName(L.N_LEVEL, attr_text="Trang!$C$1")  # computed: locked is right
    ws["C1"].protection = Protection(locked=True)
    assert list(LINT.check_cell_lock(wb, ws, ws["C1"], LINT._named_cells(wb))) == []


def test_used_range_past_the_last_value():
    wb, ws = _book()
    ws["A1"] = "x"
    ws["A9"].font = Font(bold=True)  # formatted, empty
    assert list(LINT.check_used_range(ws)) == ["trang 'Trang' có vùng sử dụng thừa (tới dòng 9)"]
    ws.title = L.SHEET_REGISTER
    assert list(LINT.check_used_range(ws)) == []


def test_workbook_checks_and_the_whole_pass():
    wb, ws = _book()
    assert list(LINT.check_required_sheets(wb, (L.SHEET_META,))) == [f"thiếu trang {[L.SHEET_META]}"]
    assert list(LINT.check_structure_locked(wb)) == ["cấu trúc sổ tính chưa được bảo vệ"]
    ws.merge_cells("A1:B1")
    assert LINT.lint(wb, required=()) == ["trang 'Trang' có ô gộp", "cấu trúc sổ tính chưa được bảo vệ"]
