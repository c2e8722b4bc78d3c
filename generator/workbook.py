"""Build one template workbook (openpyxl) for a tier, a year and optionally a unit.

One function per sheet; the live formulas come from the catalogue's rules (``cdht.rules``), so
the workbook shows its level in Excel or LibreOffice with no add-in. Everything here writes by
building names first and formulas over those names; readers find cells through the same names.
"""
from __future__ import annotations

import datetime as dt
from copy import copy
import json

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from cdht import __version__
from cdht import contract as L
from cdht import rules as R
from cdht.edition import Edition, Tier
from cdht.fingerprint import FINGERPRINT_SCHEME, digest, openpyxl_items, seal_code
from cdht.units import Unit, UnitList

DEFAULT_PASSWORD = "cdht-tt25"

FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
FILL_HEADER = PatternFill("solid", fgColor="DDEBF7")
FILL_CRITERION = PatternFill("solid", fgColor="E2EFDA")
FILL_MISSING = PatternFill("solid", fgColor="FFD966")
FILL_FAIL = PatternFill("solid", fgColor="F8CBAD")
FILL_NO_EVIDENCE = PatternFill("solid", fgColor="F4B183")
FILL_PASS = PatternFill("solid", fgColor="C6EFCE")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
THIN = Border(*(Side(style="thin", color="999999"),) * 4)
UNLOCKED = Protection(locked=False)

_VALIDATION = {  # type → (kind, operator, formula1, formula2, prompt)
    "verdict": ("list", None, L.N_LIST_VERDICT, None, "Chọn Đạt hoặc Không đạt."),
    "yesno": ("list", None, L.N_LIST_YESNO, None, "Chọn Có hoặc Không."),
    "count": ("whole", "greaterThanOrEqual", "0", None, "Nhập số nguyên ≥ 0."),
    "number": ("decimal", "greaterThanOrEqual", "0", None, "Nhập số ≥ 0 (không kèm đơn vị)."),
    "percent": ("decimal", "between", "0", "100", "Nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 62,5)."),
}


def writable_cell(ws, row: int, column: int):
    """The cell at (row, column) to write a value into. A cell that does not exist yet in a row
    formatted as input (the evidence register, see ``_Builder.evidence``) takes that row's
    protection, as Excel does when someone types there — openpyxl would create it locked."""
    c = ws.cell(row, column)
    if not c.has_style and row in ws.row_dimensions and ws.row_dimensions[row].has_style:
        c.protection = copy(ws.row_dimensions[row].protection)
    return c


def template_id(edition: Edition, tier: str, year: int, unit_code: str | None) -> str:
    return f"cdht:{edition.id}:{tier}:{year}:{unit_code or 'mau-trong'}"


def file_name(edition: Edition, tier: str, year: int, unit: Unit | None) -> str:
    suffix = unit.code if unit else "mau-trong"
    extra = "" if edition.id == "tt25-2023" else f"_{edition.id}"
    return f"CDHT_{year}_{tier}_{suffix}{extra}.xlsx"


class _Builder:
    def __init__(self, edition: Edition, tier: Tier, year: int, unit: Unit | None,
                 units: UnitList | None, password: str):
        self.e, self.t, self.year, self.unit, self.units, self.pw = edition, tier, year, unit, units, password
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.validations: dict[str, DataValidation] = {}
        self.self_cells: dict[str, dict[int, str]] = {}  # indicator id → level → absolute ref
        self.crit_cells: dict[str, dict[int, str]] = {}
        self.evidence_count_cells: dict[str, str] = {}
        self.appraisal_cells: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def name(self, name: str, ws, ref: str) -> None:
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{_abs(ref)}")

    def input_cell(self, ws, ref: str, name: str, spec_type: str, prompt_label: str,
                   lo=None, hi=None) -> None:
        c = ws[ref]
        c.protection = UNLOCKED
        c.fill = FILL_INPUT
        c.border = THIN
        self.name(name, ws, ref)
        self.validate(ws, ref, spec_type, prompt_label, lo, hi)

    def result_formats(self, ws, input_refs: list[str], results: str) -> None:
        """Conditional formats: empty required input (amber), Không đạt (red), Đạt (green)."""
        if input_refs:
            ws.conditional_formatting.add(" ".join(input_refs),
                                          FormulaRule(formula=[f"LEN({input_refs[0]})=0"], fill=FILL_MISSING))
        ws.conditional_formatting.add(results, CellIsRule(operator="equal", formula=[f'"{R.KHONG_DAT}"'],
                                                          fill=FILL_FAIL))
        ws.conditional_formatting.add(results, CellIsRule(operator="equal", formula=[f'"{R.DAT}"'], fill=FILL_PASS))

    def free_input(self, ws, ref: str, name: str, is_date: bool = False) -> None:
        """A named, unlocked cell outside the catalogue's fields (preparer, signer, dates)."""
        c = ws[ref]
        c.protection, c.fill, c.border = UNLOCKED, FILL_INPUT, THIN
        if is_date:
            c.number_format = "dd/mm/yyyy"
            dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                                showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                                error="Nhập ngày dạng dd/mm/yyyy.")
            ws.add_data_validation(dv)
            dv.add(ref)
        self.name(name, ws, ref)

    def validate(self, ws, ref, spec_type, label, lo=None, hi=None):
        if spec_type == "level":
            key = f"{ws.title}|level|{lo}|{hi}"
            kind, op, f1, f2 = "whole", "between", str(lo), str(hi)
            prompt = f"Nhập mức độ đạt được, số nguyên từ {lo} đến {hi}."
        else:
            key = f"{ws.title}|{spec_type}"
            kind, op, f1, f2, prompt = _VALIDATION[spec_type]
        dv = self.validations.get(key)
        if dv is None:
            dv = DataValidation(type=kind, operator=op, formula1=f1, formula2=f2, allow_blank=True,
                                showErrorMessage=True, showInputMessage=True,
                                errorTitle="Giá trị không hợp lệ", error=prompt,
                                promptTitle="Hướng dẫn nhập", prompt=prompt)
            ws.add_data_validation(dv)
            self.validations[key] = dv
        dv.add(ref)

    def protect(self, ws) -> None:
        ws.protection.sheet = True
        ws.protection.set_password(self.pw)
        ws.protection.formatColumns = False  # let people widen columns
        ws.protection.formatRows = False

    def print_setup(self, ws, title_rows: str | None = None, landscape: bool = False) -> None:
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if title_rows:
            ws.print_title_rows = title_rows
        ws.oddFooter.center.text = "Trang &P / &N"
        ws.oddFooter.left.text = f"CĐHT {self.year} — {self.t.name}"
        _fit_rows(ws)

    def header(self, ws, row: int, titles: list[str], widths: list[int] | None = None) -> None:
        for i, text in enumerate(titles, start=1):
            c = ws.cell(row, i, text)
            c.font, c.fill, c.border = BOLD, FILL_HEADER, THIN
            c.alignment = Alignment(wrap_text=True, vertical="center")
        for i, w in enumerate(widths or [], start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = ws.cell(row + 1, 1)

    def title(self, ws, text: str, sub: str | None = None) -> None:
        ws["A1"] = text
        ws["A1"].font = TITLE
        if sub:
            ws["A2"] = sub

    # -- sheets ----------------------------------------------------------------------------------
    def build(self) -> Workbook:
        self.lists()
        guide = self.wb.create_sheet(L.SHEET_GUIDE, 0)
        self.unit_sheet()
        self.self_assessment()
        self.evidence()
        self.appraisal()
        self.summary()
        if self.t.children:
            self.children_sheet()
            self.register()
            self.returns()
            self.merge_log()
        self.results()
        self.guide(guide)
        # the hidden list sheet after every visible one, then the very hidden _meta
        self.wb.move_sheet(self.lists_ws, len(self.wb.sheetnames) - 1 - self.wb.index(self.lists_ws))
        self.meta()
        self.wb.active = 0
        self.wb.security = WorkbookProtection(workbookPassword=self.pw, lockStructure=True)
        return self.wb

    def lists(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_LISTS)
        for row, (a, b) in enumerate([(R.DAT, R.CO), (R.KHONG_DAT, R.KHONG)], start=1):
            ws.cell(row, 1, a)
            ws.cell(row, 2, b)
        ws.cell(1, 3, 1)
        ws.cell(2, 3, 2)
        self.name(L.N_LIST_VERDICT, ws, "A1:A2")
        self.name(L.N_LIST_YESNO, ws, "B1:B2")
        self.name(L.N_LIST_LEVEL, ws, "C1:C2")
        ws.sheet_state = "hidden"
        self.protect(ws)
        self.lists_ws = ws

    def unit_sheet(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_UNIT)
        self.title(ws, "THÔNG TIN ĐƠN VỊ", f"Biểu mẫu tự đánh giá \"Cộng đồng học tập\" {self.t.name.lower()} — năm {self.year}")
        ws.column_dimensions["A"].width = 48
        ws.column_dimensions["B"].width = 48
        u = self.unit
        parent = self.units.get(u.parent) if (u and self.units and u.parent) else None
        rows = [
            ("Mã đơn vị", L.N_UNIT_CODE, u.code if u else None, u is None),
            ("Tên đơn vị", L.N_UNIT_NAME, u.name if u else None, u is None),
            ("Cấp", None, f"{self.t.name} ({self.t.spec.unit_kinds})", False),
            ("Đơn vị cấp trên", None, parent.name if parent else "", False),
            ("Năm đánh giá (số liệu từ 01/01 đến 31/12)", L.N_YEAR, self.year, False),
            ("Hạn nộp hồ sơ", None, _deadline(self.t.procedure.submit_by, self.year), False),
            ("Hồ sơ gửi", None, self.t.procedure.dossier_to, False),
        ]
        r = 4
        required = []  # highlighted while empty, as on the self-assessment sheet
        for label, name, value, is_input in rows:
            ws.cell(r, 1, label).font = BOLD
            c = ws.cell(r, 2, value if value not in ("",) else None)
            if name:
                if is_input:
                    c.protection, c.fill, c.border = UNLOCKED, FILL_INPUT, THIN
                    required.append(f"B{r}")
                self.name(name, ws, f"B{r}")
            r += 1
        for f in self.t.spec.unit_fields:
            ws.cell(r, 1, f.label).font = BOLD
            ws.cell(r, 1).alignment = WRAP
            self.input_cell(ws, f"B{r}", f.key, f.type, f.label, f.min, f.max)
            required.append(f"B{r}")
            if f.key == "vung_kho_khan" and u is not None:
                ws.cell(r, 2, R.CO if u.hardship else R.KHONG)
            r += 1
        if required:
            ws.conditional_formatting.add(" ".join(required),
                                          FormulaRule(formula=[f"LEN({required[0]})=0"], fill=FILL_MISSING))
        for label, name in (("Người lập biểu", L.N_PREPARER), ("Ngày lập", L.N_PREPARED_ON)):
            ws.cell(r, 1, label).font = BOLD
            self.free_input(ws, f"B{r}", name, is_date=name == L.N_PREPARED_ON)
            r += 1
        self.print_setup(ws)
        self.protect(ws)

    def self_assessment(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_SELF)
        self.title(ws, f"BẢNG TỰ ĐÁNH GIÁ \"CỘNG ĐỒNG HỌC TẬP\" {self.t.name.upper()} — NĂM {self.year}")
        ws["A2"] = f'="Đơn vị: "&{L.N_UNIT_NAME}'
        self.header(ws, L.HEADER_ROW, ["Mã", "Tiêu chí / chỉ tiêu", "Nội dung cần nhập", "Số liệu / kết quả",
                                       "Mức độ 1", "Mức độ 2", "Số minh chứng"], [10, 70, 40, 16, 16, 16, 12])
        fields = self.t.fields
        r = L.HEADER_ROW + 1
        ind_rows, crit_rows, input_refs = [], [], []
        ev_range = f"{quote_sheetname(L.SHEET_EVIDENCE)}!$B${L.HEADER_ROW + 1}:$B${L.HEADER_ROW + L.EVIDENCE_ROWS}"
        for crit in self.t.criteria:
            cr = r
            crit_rows.append(cr)
            ws.cell(cr, 1, crit.id)
            ws.cell(cr, 2, crit.name)
            for col in range(1, 8):
                ws.cell(cr, col).fill = FILL_CRITERION
                ws.cell(cr, col).font = BOLD
            ws.cell(cr, 2).alignment = WRAP
            r += 1
            first = r
            for ind in crit.indicators:
                ir = r
                ind_rows.append(ir)
                ws.cell(ir, 1, ind.id)
                ws.cell(ir, 2, ind.text).alignment = WRAP
                own = ind.fields or []
                for k, f in enumerate(own):
                    fr = ir + k
                    ws.cell(fr, 3, f.label).alignment = WRAP
                    self.input_cell(ws, f"D{fr}", f.key, f.type, f.label, f.min, f.max)
                    input_refs.append(f"D{fr}")
                for lvl, col in ((1, 5), (2, 6)):
                    ws.cell(ir, col, "=" + indicator_formula(ind, lvl, fields)).border = THIN
                    self.self_cells.setdefault(ind.id, {})[lvl] = f"{quote_sheetname(ws.title)}!${get_column_letter(col)}${ir}"
                ws.cell(ir, 7, f'=COUNTIF({ev_range},"*{ind.id}*")')
                self.evidence_count_cells[ind.id] = f"G{ir}"
                r = ir + max(len(own), 1)
            for lvl, col in ((1, 5), (2, 6)):
                refs = [f"{get_column_letter(col)}{x}" for x in ind_rows if x >= first]
                ws.cell(cr, col, "=" + criterion_formula(refs))
                self.crit_cells.setdefault(crit.id, {})[lvl] = f"{quote_sheetname(ws.title)}!${get_column_letter(col)}${cr}"
        last = r - 1
        r += 1
        ws.cell(r, 2, "KẾT QUẢ TỰ ĐÁNH GIÁ (mức độ đạt được: 2, 1, 0 = chưa đạt; trống = chưa đủ dữ liệu)").font = BOLD
        crit1 = [f"E{x}" for x in crit_rows]
        crit2 = [f"F{x}" for x in crit_rows]
        ws.cell(r, 4, f'=IF(COUNTIF(E{L.HEADER_ROW + 1}:F{last},"{R.CHUA_DU}")>0,"",'
                      f'IF(AND({",".join(c + chr(61) + chr(34) + R.DAT + chr(34) for c in crit2)}),2,'
                      f'IF(AND({",".join(c + chr(61) + chr(34) + R.DAT + chr(34) for c in crit1)}),1,0)))')
        ws.cell(r, 4).font = TITLE
        ws.cell(r, 4).border = THIN
        self.name(L.N_LEVEL, ws, f"D{r}")
        ws.cell(r + 1, 2, "Kết luận").font = BOLD
        ws.cell(r + 1, 4, "=" + level_text_formula(L.N_LEVEL))
        self.level_text_ref = f"{quote_sheetname(ws.title)}!$D${r + 1}"
        # conditional formats: empty input, không đạt, đạt without evidence
        self.result_formats(ws, input_refs, f"E{L.HEADER_ROW + 1}:F{last}")
        ev_rows = " ".join(f"G{x}" for x in ind_rows)
        ws.conditional_formatting.add(ev_rows, FormulaRule(
            formula=[f'AND(OR($E{ind_rows[0]}="{R.DAT}",$F{ind_rows[0]}="{R.DAT}"),G{ind_rows[0]}=0)'],
            fill=FILL_NO_EVIDENCE))
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)
        self.protect(ws)

    def evidence(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_EVIDENCE)
        self.title(ws, "DANH MỤC MINH CHỨNG (HỒ SƠ MINH CHỨNG)",
                   "Mỗi dòng một văn bản. Cột Chỉ tiêu: một hoặc nhiều mã, ví dụ "
                   f"{self.t.indicators[0].id}, {self.t.indicators[1].id}. Tệp đính kèm: đường dẫn tương đối "
                   "so với sổ tính, hoặc liên kết.")
        self.header(ws, L.HEADER_ROW, L.EVIDENCE_COLUMNS, [14, 18, 50, 18, 14, 30, 36, 24])
        first, last = L.HEADER_ROW + 1, L.HEADER_ROW + L.EVIDENCE_ROWS
        # The register's rows are unlocked as ROW formats (Excel and LibreOffice give a typed cell
        # its row's format): 300 empty rows cost no cell elements, which every reader would parse.
        # Only the date column has cells of its own, for the dd/mm/yyyy format.
        for r in range(first, last + 1):
            ws.row_dimensions[r].protection = UNLOCKED
            c = ws.cell(r, L.EVIDENCE_DATE_COLUMN)
            c.protection, c.number_format = UNLOCKED, "dd/mm/yyyy"
        self.name(L.N_EVIDENCE, ws, f"A{first}:H{last}")
        dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                            showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                            error="Nhập ngày ban hành dạng dd/mm/yyyy (sau năm 2000).",
                            showInputMessage=True, promptTitle="Ngày ban hành", prompt="Dạng dd/mm/yyyy.")
        ws.add_data_validation(dv)
        dv.add(f"E{first}:E{last}")
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)
        self.protect(ws)

    def appraisal(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_APPRAISAL)
        self.title(ws, "BẢN TỔNG HỢP KẾT QUẢ THẨM ĐỊNH CỦA HỘI ĐỒNG",
                   f"Hội đồng: {self.t.procedure.appraised_by}. Ghi rõ lý do cho mỗi chỉ tiêu không đạt.")
        ws["A3"] = "Mức độ Hội đồng xét (1 hoặc 2)"
        ws["A3"].font = BOLD
        self.input_cell(ws, "D3", L.N_APPRAISAL_TARGET, "level", "Mức độ xét", 1, 2)
        self.header(ws, L.HEADER_ROW, ["Mã", "Chỉ tiêu", "Tự đánh giá mức độ 1", "Tự đánh giá mức độ 2",
                                       "Kết quả thẩm định", "Lý do không đạt"], [10, 60, 14, 14, 16, 50])
        r = L.HEADER_ROW + 1
        rows = []
        for ind in self.t.indicators:
            ws.cell(r, 1, ind.id)
            ws.cell(r, 2, ind.text).alignment = WRAP
            ws.cell(r, 3, f"={self.self_cells[ind.id][1]}")
            ws.cell(r, 4, f"={self.self_cells[ind.id][2]}")
            self.input_cell(ws, f"E{r}", L.appraisal_name(ind.id), "verdict", "Kết quả thẩm định")
            c = ws.cell(r, 6)
            c.protection, c.fill, c.border, c.alignment = UNLOCKED, FILL_INPUT, THIN, WRAP
            self.name(L.appraisal_reason_name(ind.id), ws, f"F{r}")
            self.appraisal_cells[ind.id] = f"{quote_sheetname(ws.title)}!$E${r}"
            rows.append(r)
            r += 1
        first, last = rows[0], rows[-1]
        n = len(rows)
        r += 1
        ws.cell(r, 2, "KẾT QUẢ THẨM ĐỊNH (mức độ; 0 = không đạt; trống = chưa thẩm định xong)").font = BOLD
        ws.cell(r, 4, f'=IF(OR(COUNTIF(E{first}:E{last},"{R.DAT}")+COUNTIF(E{first}:E{last},"{R.KHONG_DAT}")<{n},'
                      f'NOT(OR({L.N_APPRAISAL_TARGET}=1,{L.N_APPRAISAL_TARGET}=2))),"",'
                      f'IF(COUNTIF(E{first}:E{last},"{R.DAT}")={n},{L.N_APPRAISAL_TARGET},0))').font = TITLE
        self.name(L.N_APPRAISAL_LEVEL, ws, f"D{r}")
        ws.conditional_formatting.add(f"E{first}:E{last}",
                                      CellIsRule(operator="equal", formula=[f'"{R.KHONG_DAT}"'], fill=FILL_FAIL))
        ws.conditional_formatting.add(f"F{first}:F{last}", FormulaRule(
            formula=[f'AND($E{first}="{R.KHONG_DAT}",LEN(F{first})=0)'], fill=FILL_MISSING))
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)
        self.protect(ws)

    def summary(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_SUMMARY)
        self.title(ws, f"BẢN TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ, CHỈ TIÊU — {self.t.name.upper()}")
        ws["A2"] = f'="Đơn vị: "&{L.N_UNIT_NAME}&" — Năm đánh giá: "&{L.N_YEAR}'
        self.header(ws, L.HEADER_ROW, ["Mã", "Tiêu chí / chỉ tiêu", "Mức độ 1", "Mức độ 2", "Thẩm định"],
                    [10, 70, 16, 16, 16])
        r = L.HEADER_ROW + 1
        for crit in self.t.criteria:
            ws.cell(r, 1, crit.id).font = BOLD
            ws.cell(r, 2, crit.name).font = BOLD
            ws.cell(r, 2).alignment = WRAP
            ws.cell(r, 3, f"={self.crit_cells[crit.id][1]}")
            ws.cell(r, 4, f"={self.crit_cells[crit.id][2]}")
            for col in range(1, 6):
                ws.cell(r, col).fill = FILL_CRITERION
            r += 1
            for ind in crit.indicators:
                ws.cell(r, 1, ind.id)
                ws.cell(r, 2, ind.text).alignment = WRAP
                ws.cell(r, 3, f"={self.self_cells[ind.id][1]}")
                ws.cell(r, 4, f"={self.self_cells[ind.id][2]}")
                ws.cell(r, 5, f'=IF(LEN({self.appraisal_cells[ind.id]})=0,"",{self.appraisal_cells[ind.id]})')
                r += 1
        last = r - 1
        ws.conditional_formatting.add(f"C{L.HEADER_ROW + 1}:E{last}",
                                      CellIsRule(operator="equal", formula=[f'"{R.KHONG_DAT}"'], fill=FILL_FAIL))
        r += 1
        ws.cell(r, 2, "Kết quả tự đánh giá").font = BOLD
        ws.cell(r, 3, f"={self.level_text_ref}").font = BOLD
        ws.cell(r + 1, 2, "Kết quả thẩm định của Hội đồng").font = BOLD
        ws.cell(r + 1, 3, f'=IF({L.N_APPRAISAL_LEVEL}="","",' + level_text_formula(L.N_APPRAISAL_LEVEL) + ")")
        ws.cell(r + 3, 2, "NGƯỜI LẬP BIỂU").font = BOLD
        ws.cell(r + 3, 4, "THỦ TRƯỞNG ĐƠN VỊ").font = BOLD
        ws.cell(r + 4, 2, "(Ký, ghi rõ họ tên)")
        ws.cell(r + 4, 4, "(Ký, ghi rõ họ tên, đóng dấu)")
        ws.cell(r + 8, 2, f"={L.N_PREPARER}&\"\"")
        ws.cell(r + 10, 2, f'="Mã niêm phong: "&{L.N_SEAL}')
        ws.cell(r + 10, 2).font = Font(italic=True, size=9)
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}")
        self.protect(ws)

    def children_sheet(self) -> None:
        child_codes = self.t.children
        ws = self.wb.create_sheet(L.SHEET_CHILDREN)
        child = self.e.tier(child_codes[0])
        self.title(ws, f"ĐƠN VỊ CẤP DƯỚI ({child.name.upper()}) — NĂM {self.year}",
                   "Trang này do chức năng tổng hợp (cdht merge / nút Gộp báo cáo cấp dưới) ghi. "
                   "Có thể thêm mã đơn vị cấp dưới vào cột A.")
        cols = L.child_columns(child)
        self.header(ws, L.HEADER_ROW, cols, [14, 30] + [14] * (len(cols) - 2))
        expected = self.units.descendants(self.unit.code, child.code) if (self.unit and self.units) else []
        for k, u in enumerate(expected):
            ws.cell(L.HEADER_ROW + 1 + k, 1, u.code)
            ws.cell(L.HEADER_ROW + 1 + k, 2, u.name)
            ws.cell(L.HEADER_ROW + 1 + k, 3, L.STATUS_MISSING)
        self.name(L.N_CHILDREN, ws, f"A{L.HEADER_ROW}:{get_column_letter(len(cols))}{L.HEADER_ROW + 1000}")
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)

    def register(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_REGISTER)
        self.title(ws, "SỔ CÔNG NHẬN \"CỘNG ĐỒNG HỌC TẬP\" CỦA ĐƠN VỊ CẤP DƯỚI",
                   f"Quyết định công nhận còn hiệu lực {self.e.settings.recognition_valid_years} năm tiếp theo "
                   f"năm được công nhận; đề nghị mức độ 2 sau ít nhất {self.e.settings.upgrade_after_months} "
                   "tháng kể từ quyết định mức độ 1. Cột G–I do chức năng tổng hợp tính.")
        self.header(ws, L.HEADER_ROW, L.REGISTER_COLUMNS, [14, 30, 8, 18, 14, 30, 14, 14, 18, 30])
        first, last = L.HEADER_ROW + 1, L.HEADER_ROW + L.REGISTER_ROWS
        dv = DataValidation(type="whole", operator="between", formula1="1", formula2="2", allow_blank=True,
                            showErrorMessage=True, errorTitle="Mức độ không hợp lệ", error="Nhập 1 hoặc 2.")
        ws.add_data_validation(dv)
        dv.add(f"C{first}:C{last}")
        # the decision dates: a COLUMN format (the sheet is not protected), not 500 empty cells
        ws.column_dimensions["E"].number_format = "dd/mm/yyyy"
        self.name(L.N_REGISTER, ws, f"A{first}:J{last}")
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)

    def returns(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_RETURNS)
        self.title(ws, "DANH SÁCH TRẢ LẠI ĐƠN VỊ CẤP DƯỚI", "Các lỗi cần đơn vị sửa, do chức năng tổng hợp ghi.")
        self.header(ws, L.HEADER_ROW, L.RETURNS_COLUMNS, [14, 30, 30, 12, 16, 10, 60, 60])
        self.name(L.N_RETURNS, ws, f"A{L.HEADER_ROW}:H{L.HEADER_ROW}")
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)

    def merge_log(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_LOG)
        self.title(ws, "NHẬT KÝ TỔNG HỢP", "Chỉ ghi thêm, không xóa: mỗi lần tổng hợp một dòng cho mỗi tệp.")
        self.header(ws, L.HEADER_ROW, L.LOG_COLUMNS, [20, 16, 40, 14, 20, 12, 60])
        self.name(L.N_LOG, ws, f"A{L.HEADER_ROW}:G{L.HEADER_ROW}")

    def results(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_RESULTS)
        self.title(ws, "KẾT QUẢ KIỂM TRA", "Trang này do chức năng Tính mức độ / Kiểm tra minh chứng ghi lại mỗi lần chạy.")
        self.header(ws, L.HEADER_ROW, L.RESULTS_COLUMNS, [12, 10, 18, 12, 12, 70, 70])
        self.name(L.N_RESULTS, ws, f"A{L.HEADER_ROW}:G{L.HEADER_ROW}")
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)

    def guide(self, ws) -> None:
        e, t = self.e, self.t
        lines = [
            (f"HƯỚNG DẪN — BIỂU MẪU TỰ ĐÁNH GIÁ \"CỘNG ĐỒNG HỌC TẬP\" {t.name.upper()} NĂM {self.year}", TITLE),
            (f"Căn cứ: {e.spec.legal_basis}. {t.spec.articles.level1} (mức độ 1), {t.spec.articles.level2} "
             f"(mức độ 2), {t.spec.articles.procedure} (trình tự, hồ sơ).", None),
            (f"Bộ tiêu chí: {e.id} (phiên bản {e.spec.version}). {e.spec.notes or ''}", None),
            ("Cách điền", BOLD),
            (f"1. Trang '{L.SHEET_UNIT}': kiểm tra mã, tên đơn vị; nhập các ô màu vàng.", None),
            (f"2. Trang '{L.SHEET_SELF}': với mỗi chỉ tiêu, chọn Đạt / Không đạt hoặc nhập số liệu vào ô màu vàng. "
             "Cột Mức độ 1, Mức độ 2 và ô Kết quả tự tính.", None),
            (f"3. Trang '{L.SHEET_EVIDENCE}': mỗi văn bản minh chứng một dòng, ghi mã chỉ tiêu ở cột Chỉ tiêu. "
             "Chỉ tiêu đạt phải có ít nhất một minh chứng.", None),
            (f"4. Trang '{L.SHEET_APPRAISAL}': dành cho Hội đồng thẩm định.", None),
            (f"5. Trang '{L.SHEET_SUMMARY}': in, ký, đóng dấu; ghi mã niêm phong bên cạnh chữ ký.", None),
            (f"Hồ sơ gửi {t.procedure.dossier_to} trước ngày {_deadline(t.procedure.submit_by, self.year)}. "
             f"Thẩm định: {t.procedure.appraised_by}. Quyết định: {t.procedure.decided_by}.", None),
            ("Chú giải màu", BOLD),
            ("Vàng: ô cần nhập. Vàng đậm: ô bắt buộc còn trống. Đỏ nhạt: không đạt. Xanh: đạt. "
             "Cam: chỉ tiêu đạt nhưng chưa có minh chứng.", None),
            ("Không sửa, xóa hay đổi tên trang, ô công thức: phần mềm kiểm tra dấu vân tay biểu mẫu và sẽ trả lại "
             "hồ sơ bị sửa.", None),
            (f"Phiên bản phần mềm tạo biểu mẫu: cdht {__version__}.", None),
        ]
        self.text_sheet(ws, lines)

    def text_sheet(self, ws, lines: list[tuple[str, object]]) -> None:
        """A protected, printable sheet of wrapped lines (text, font or None): the guides."""
        ws.column_dimensions["A"].width = 120
        for i, (text, font) in enumerate(lines, start=1):
            c = ws.cell(i, 1, text)
            c.alignment = WRAP
            if font:
                c.font = font
        self.print_setup(ws)
        self.protect(ws)

    def meta(self) -> None:
        ws = self.wb.create_sheet(L.SHEET_META)
        keys = ["template_id", "edition_id", "edition_version", "tier", "year", "unit_code", "parent_code",
                "generator_version", "fingerprint", "seal", "protected_sheets", "sheet_digests",
                "fingerprint_scheme"]
        self.name(L.N_SEAL, ws, f"B{keys.index('seal') + 1}")  # before fingerprinting: names are in it
        items = openpyxl_items(self.wb, self.t)
        fp = digest(items)
        sheet_digests = {k: digest({k: v}) for k, v in items.items()}
        unit = self.unit
        protected = [s.title for s in self.wb.worksheets if s.protection.sheet] + [L.SHEET_META]
        meta = {
            "template_id": template_id(self.e, self.t.code, self.year, unit.code if unit else None),
            "edition_id": self.e.id,
            "edition_version": self.e.spec.version,
            "tier": self.t.code,
            "year": self.year,
            "unit_code": unit.code if unit else "",
            "parent_code": (unit.parent or "") if unit else "",
            "generator_version": __version__,
            "fingerprint": fp,
            "seal": seal_code(fp),
            "protected_sheets": json.dumps(protected, ensure_ascii=False),
            "sheet_digests": json.dumps(sheet_digests, ensure_ascii=False),
            "fingerprint_scheme": FINGERPRINT_SCHEME,
        }
        assert list(meta) == keys
        for i, (k, v) in enumerate(meta.items(), start=1):
            ws.cell(i, 1, k)
            ws.cell(i, 2, v)
        ws.sheet_state = "veryHidden"
        self.protect(ws)
        for k, v in meta.items():
            self.wb.custom_doc_props.append(StringProperty(name=f"cdht_{k}", value=str(v)))
        self.wb.properties.creator = f"cdht {__version__}"
        self.wb.properties.title = meta["template_id"]
        stamp = dt.datetime(self.year + 1, 1, 1)
        self.wb.properties.created = stamp
        self.wb.properties.modified = stamp
        self.meta_values = meta


def _fit_rows(ws, line_height: float = 15) -> None:
    """Rows with wrapped text get the height of their longest cell. LibreOffice keeps the default
    height of a row the file leaves unset, so printed texts would overlap; the estimate is
    generous (about one character per unit of column width) so Excel's fonts fit too."""
    for row in ws.iter_rows():
        lines = 1
        for c in row:
            v = c.value
            if not isinstance(v, str) or v.startswith("=") or not c.alignment.wrap_text:
                continue
            dim = ws.column_dimensions.get(c.column_letter)
            width = dim.width if dim is not None and dim.width else 8.43
            per_line = max(1, int(width * (0.9 if c.font.b else 1.0)))
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in v.split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = line_height * lines


def _abs(ref: str) -> str:
    parts = ref.split(":")
    out = []
    for p in parts:
        col = "".join(ch for ch in p if ch.isalpha())
        row = "".join(ch for ch in p if ch.isdigit())
        out.append(f"${col}${row}")
    return ":".join(out)


def _deadline(mmdd: str | None, year: int) -> str:
    if not mmdd:
        return ""
    m, d = mmdd.split("-")
    return f"{d}/{m}/{year + 1}"


# -------------------------------------------------------------------------------------------------
# Formulas from rules
# -------------------------------------------------------------------------------------------------

def indicator_formula(ind, level: int, fields: dict) -> str:
    """The live formula of one indicator at one level (without the leading '=')."""
    rule = ind.rules[level]
    keys = list(dict.fromkeys(rule.fields() + [k for c in ind.checks for k in c.fields()]))
    conds = [R.field_valid_excel(fields[k], k) for k in keys]
    conds += rule.conditions_excel(lambda k: k) + [c for ch in ind.checks for c in ch.conditions_excel(lambda k: k)]
    complete = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
    verdict = f'IF({rule.excel(lambda k: k)},"{R.DAT}","{R.KHONG_DAT}")'
    return f'IFERROR(IF({complete},{verdict},"{R.CHUA_DU}"),"{R.CHUA_DU}")'


def criterion_formula(refs: list[str]) -> str:
    fail = ",".join(f'{r}="{R.KHONG_DAT}"' for r in refs)
    todo = ",".join(f'{r}="{R.CHUA_DU}"' for r in refs)
    return f'IF(OR({fail}),"{R.KHONG_DAT}",IF(OR({todo}),"{R.CHUA_DU}","{R.DAT}"))'


def level_text_formula(ref: str) -> str:
    return f'IF({ref}="","{R.CHUA_DU}",IF({ref}=0,"Chưa đạt","Mức độ "&{ref}))'


def build_workbook(edition: Edition, tier: str, year: int, unit: Unit | None = None,
                   units: UnitList | None = None, password: str | None = None) -> tuple[Workbook, dict]:
    """The template workbook and its metadata (``template_id``, ``fingerprint``, …)."""
    b = _Builder(edition, edition.tier(tier), year, unit, units, password or DEFAULT_PASSWORD)
    wb = b.build()
    return wb, b.meta_values
