"""The builder core every issued workbook is made with: the workbook, its defined names, data
validations, sheet protection and print set-up. The sheet modules (``cdht_generator.sheets``) write
their cells through a :class:`Book`; the templates (:mod:`cdht_generator.workbook`) and the
department forms (:mod:`cdht_generator.contributor`) compose the same core.
"""
from __future__ import annotations

import datetime as dt
from copy import copy

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from cdht import contract as L
from cdht import rules as R
from cdht.dates import month_day
from cdht.edition import Edition
from cdht.paths import safe_name
from cdht.units import Unit, UnitList
from cdht_generator.styles import (BOLD, DATE_FORMAT, FILL_FAIL, FILL_HEADER, FILL_INPUT, FILL_MISSING, FILL_PASS,
                                   HEADER_ALIGN, THIN, TITLE, UNLOCKED, WRAP)

DEFAULT_PASSWORD = "cdht-tt25"
LIST_HEADER = f"{L.HEADER_ROW}:{L.HEADER_ROW}"  # the print title rows of every list sheet

_VALIDATION = {  # type → (kind, operator, formula1, formula2, prompt)
    "verdict": ("list", None, L.N_LIST_VERDICT, None, "Chọn Đạt hoặc Không đạt."),
    "yesno": ("list", None, L.N_LIST_YESNO, None, "Chọn Có hoặc Không."),
    "count": ("whole", "greaterThanOrEqual", "0", None, "Nhập số nguyên ≥ 0."),
    "number": ("decimal", "greaterThanOrEqual", "0", None, "Nhập số ≥ 0 (không kèm đơn vị)."),
    "percent": ("decimal", "between", "0", "100", "Nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 62,5)."),
}


def writable_cell(ws, row: int, column: int):
    """The cell at (row, column) to write a value into. A cell that does not exist yet in a row
    formatted as input (the evidence register, see :mod:`cdht_generator.sheets.evidence`) takes that
    row's protection and number format (text), as Excel does when someone types there — openpyxl
    would create it locked and General."""
    c = ws.cell(row, column)
    if not c.has_style and row in ws.row_dimensions and ws.row_dimensions[row].has_style:
        rd = ws.row_dimensions[row]
        c.protection, c.number_format = copy(rd.protection), rd.number_format
    return c


def template_id(edition: Edition, tier: str, year: int, unit_code: str | None) -> str:
    return f"cdht:{edition.id}:{tier}:{year}:{unit_code or 'mau-trong'}"


def file_name(edition: Edition, tier: str, year: int, unit: Unit | None) -> str:
    """``CDHT_<year>_<tier>_<unit code>[_<edition>].xlsx``, the code and the edition made safe
    names (:func:`cdht.paths.safe_name`: a code with ``/`` or ``..`` never leaves the folder)."""
    suffix = safe_name(unit.code) if unit else "mau-trong"
    extra = "" if edition.id == "tt25-2023" else f"_{safe_name(edition.id)}"
    return f"CDHT_{year}_{tier}_{suffix}{extra}.xlsx"


def filing_deadline(mmdd: str | None, year: int) -> dt.date | None:
    """The filing deadline ``mmdd`` ("MM-DD") of assessment year ``year``: that day of year + 1."""
    return month_day(mmdd, year + 1) if mmdd else None


def deadline_text(mmdd: str | None, year: int) -> str:
    """:func:`filing_deadline` as dd/mm/yyyy, or "" when the catalogue sets none."""
    d = filing_deadline(mmdd, year)
    return d.strftime("%d/%m/%Y") if d else ""


def absolute(ref: str) -> str:
    """``B4`` → ``$B$4``, ``A5:H304`` → ``$A$5:$H$304``."""
    out = []
    for p in ref.split(":"):
        col = "".join(ch for ch in p if ch.isalpha())
        row = "".join(ch for ch in p if ch.isdigit())
        out.append(f"${col}${row}")
    return ":".join(out)


def sheet_ref(ws, ref: str) -> str:
    """An absolute reference to ``ref`` on ``ws`` for formulas on other sheets: ``'Tự đánh giá'!$E$5``."""
    return f"{quote_sheetname(ws.title)}!{absolute(ref)}"


def fit_rows(ws, line_height: float = 15) -> None:
    """Rows with wrapped text get the height of their longest cell. LibreOffice keeps the default
    height of a row the file leaves unset, so printed texts would overlap; the estimate is
    generous (about one character per unit of column width) so Excel's fonts fit too."""
    for row in ws.iter_rows():
        lines = max([1] + [_lines(ws, c) for c in row])
        if lines > 1:
            ws.row_dimensions[row[0].row].height = line_height * lines


def _lines(ws, c) -> int:
    v = c.value
    if not isinstance(v, str) or v.startswith("=") or not c.alignment.wrap_text:
        return 1
    dim = ws.column_dimensions.get(c.column_letter)
    width = dim.width if dim is not None and dim.width else 8.43
    per_line = max(1, int(width * (0.9 if c.font.b else 1.0)))
    return sum(-(-max(len(part), 1) // per_line) for part in v.split("\n"))


class Book:
    """One workbook being built for a tier (or a form's tier wrapper), a year and maybe a unit."""

    def __init__(self, edition: Edition, tier, year: int, unit: Unit | None = None,
                 units: UnitList | None = None, password: str | None = None, profile=None,
                 signing_key=None):
        self.edition, self.tier, self.year, self.unit, self.units = edition, tier, year, unit, units
        self.password = password or DEFAULT_PASSWORD
        self.profile = profile          # cdht.profile.Profile: the bodies and deadlines of the province
        self.signing_key = signing_key  # the Sở's Ed25519 private key (an object, never written anywhere)
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self._validations: dict[str, DataValidation] = {}

    @property
    def procedure(self):
        """Who self-assesses, receives, appraises and decides, and the deadlines, for this tier
        and year: the profile's (the province's bodies of that year) when one is given, otherwise
        the catalogue's (the edition's own hierarchy: a two-tier edition names no district body)."""
        if self.profile is not None and self.profile.spec.periods:  # a registry-only profile has none
            proc = self.profile.procedure(self.tier.code, self.year)
            if proc is not None:
                return proc
        return self.tier.procedure

    @property
    def parent_unit(self) -> Unit | None:
        """The registry's parent of the unit this workbook is issued for (None: blank or top)."""
        u, units = self.unit, self.units
        return units.get(u.parent) if (u and units and u.parent) else None

    def expected_children(self) -> list[Unit]:
        """The registry's lower units of the unit this workbook is issued for (that year's list)."""
        if not (self.unit and self.units and self.tier.children):
            return []
        return self.units.descendants(self.unit.code, self.tier.children[0])

    # -- names and inputs ------------------------------------------------------------------------
    def name(self, name: str, ws, ref: str) -> None:
        """A workbook-scoped defined name for ``ref`` on ``ws``."""
        self.wb.defined_names[name] = DefinedName(name, attr_text=sheet_ref(ws, ref))

    def input_cell(self, ws, ref: str, name: str, spec_type: str, lo=None, hi=None) -> None:
        """A named, unlocked, validated input cell of a catalogue field type (or "level" lo..hi)."""
        self.mark_input(ws[ref])
        self.name(name, ws, ref)
        self.validate(ws, ref, spec_type, lo, hi)

    @staticmethod
    def mark_input(c) -> None:
        c.protection, c.fill, c.border = UNLOCKED, FILL_INPUT, THIN

    def free_input(self, ws, ref: str, name: str, is_date: bool = False) -> None:
        """A named, unlocked cell outside the catalogue's fields (preparer, signer, dates)."""
        c = ws[ref]
        self.mark_input(c)
        if is_date:
            c.number_format = DATE_FORMAT
            dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                                showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                                error="Nhập ngày dạng dd/mm/yyyy.")
            ws.add_data_validation(dv)
            dv.add(ref)
        self.name(name, ws, ref)

    def validate(self, ws, ref: str, spec_type: str, lo=None, hi=None) -> None:
        """Add ``ref`` to the sheet's one data validation of that type (created on first use)."""
        if spec_type == "level":
            key = f"{ws.title}|level|{lo}|{hi}"
            kind, op, f1, f2 = "whole", "between", str(lo), str(hi)
            prompt = f"Nhập mức độ đạt được, số nguyên từ {lo} đến {hi}."
        else:
            key = f"{ws.title}|{spec_type}"
            kind, op, f1, f2, prompt = _VALIDATION[spec_type]
        dv = self._validations.get(key)
        if dv is None:
            dv = DataValidation(type=kind, operator=op, formula1=f1, formula2=f2, allow_blank=True,
                                showErrorMessage=True, showInputMessage=True,
                                errorTitle="Giá trị không hợp lệ", error=prompt,
                                promptTitle="Hướng dẫn nhập", prompt=prompt)
            ws.add_data_validation(dv)
            self._validations[key] = dv
        dv.add(ref)

    # -- formats ---------------------------------------------------------------------------------
    @staticmethod
    def missing_format(ws, input_refs: list[str]) -> None:
        """Empty required inputs show amber."""
        if input_refs:
            ws.conditional_formatting.add(" ".join(input_refs),
                                          FormulaRule(formula=[f"LEN({input_refs[0]})=0"], fill=FILL_MISSING))

    def result_formats(self, ws, input_refs: list[str], results: str) -> None:
        """Conditional formats: empty required input (amber), Không đạt (red), Đạt (green)."""
        self.missing_format(ws, input_refs)
        self.fail_format(ws, results)
        ws.conditional_formatting.add(results, CellIsRule(operator="equal", formula=[f'"{R.DAT}"'], fill=FILL_PASS))

    @staticmethod
    def fail_format(ws, results: str) -> None:
        ws.conditional_formatting.add(results, CellIsRule(operator="equal", formula=[f'"{R.KHONG_DAT}"'],
                                                          fill=FILL_FAIL))

    # -- layout ----------------------------------------------------------------------------------
    def title(self, ws, text: str, sub: str | None = None) -> None:
        ws["A1"] = text
        ws["A1"].font = TITLE
        if sub:
            ws["A2"] = sub

    def header(self, ws, row: int, titles: list[str], widths: list[int] | None = None) -> None:
        """A bold, filled header row, the column widths, and panes frozen below it."""
        for i, text in enumerate(titles, start=1):
            c = ws.cell(row, i, text)
            c.font, c.fill, c.border = BOLD, FILL_HEADER, THIN
            c.alignment = HEADER_ALIGN
        for i, w in enumerate(widths or [], start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = ws.cell(row + 1, 1)

    def print_setup(self, ws, title_rows: str | None = None, landscape: bool = False) -> None:
        """A4, fit to one page wide, repeated header rows, a page-number footer, fitted row heights."""
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if title_rows:
            ws.print_title_rows = title_rows
        ws.oddFooter.center.text = "Trang &P / &N"
        ws.oddFooter.left.text = f"CĐHT {self.year} — {self.tier.name}"
        fit_rows(ws)

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

    # -- protection ------------------------------------------------------------------------------
    def protect(self, ws) -> None:
        ws.protection.sheet = True
        ws.protection.set_password(self.password)
        ws.protection.formatColumns = False  # let people widen columns
        ws.protection.formatRows = False

    def move_to_end(self, ws) -> None:
        """Put ``ws`` after every sheet made so far (the hidden list sheet, before ``_meta``)."""
        self.wb.move_sheet(ws, len(self.wb.sheetnames) - 1 - self.wb.index(ws))

    def lock(self) -> Workbook:
        """The finished workbook: first sheet active, structure locked with the password."""
        self.wb.active = 0
        self.wb.security = WorkbookProtection(workbookPassword=self.password, lockStructure=True)
        return self.wb
