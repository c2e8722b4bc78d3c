"""The lint pass run on every generated workbook before it is written (Excel's limits, locking, names).

:func:`lint` runs one small check per problem; each check yields the problems it finds, in the order
the workbook is read (names, then sheet by sheet, then the workbook as a whole).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from cdht import contract as L

_CELL_REF = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]{0,254}$")
_TEXT_LIMIT = 32767     # characters in a cell
_FORMULA_LIMIT = 8192   # characters in a formula
_TITLE_LIMIT = 31       # characters in a sheet name
_VALIDATION_LIMITS = (("tiêu đề lỗi", "errorTitle", 32), ("nội dung lỗi", "error", 255),
                      ("tiêu đề gợi ý", "promptTitle", 32), ("gợi ý", "prompt", 255))
_LOCKED_NAMES = {"nam_danh_gia", "ket_qua_muc_do", "td_ket_qua_muc_do", "ma_niem_phong"}


def lint(wb, required: tuple[str, ...] = (L.SHEET_META, L.SHEET_SELF, L.SHEET_RESULTS)) -> list[str]:
    """Problems of a built workbook; empty when it may be written."""
    problems = list(check_names(wb))
    named_inputs = _named_cells(wb)
    for ws in wb.worksheets:
        problems += check_sheet_title(ws)
        problems += check_merged_cells(ws)
        problems += check_validations(ws)
        problems += check_row_locks(ws)
        problems += check_cells(wb, ws, named_inputs)
        problems += check_used_range(ws)
    problems += check_required_sheets(wb, required)
    problems += check_structure_locked(wb)
    return problems


# -- names ---------------------------------------------------------------------------------------

def check_names(wb) -> Iterator[str]:
    """Every defined name is valid in Excel (not a cell reference) and points to an existing sheet."""
    for name, dn in wb.defined_names.items():
        if not _NAME.match(name) or _CELL_REF.match(name):
            yield f"tên '{name}' không hợp lệ trong Excel"
        for sheet, _ref in dn.destinations:
            if sheet not in wb.sheetnames:
                yield f"tên '{name}' trỏ tới trang không có '{sheet}'"


def _named_cells(wb) -> set[tuple[str, str]]:
    """(sheet, coordinate) of every single-cell name on an existing sheet."""
    return {(sheet, ref.replace("$", "")) for _name, dn in wb.defined_names.items()
            for sheet, ref in dn.destinations if sheet in wb.sheetnames and ":" not in ref}


# -- one sheet -----------------------------------------------------------------------------------

def check_sheet_title(ws) -> Iterator[str]:
    if len(ws.title) > _TITLE_LIMIT:
        yield f"tên trang '{ws.title}' dài hơn 31 ký tự"


def check_merged_cells(ws) -> Iterator[str]:
    if ws.merged_cells.ranges:
        yield f"trang '{ws.title}' có ô gộp"


def check_validations(ws) -> Iterator[str]:
    """Data validation texts within Excel's limits; formulas written without a leading '='."""
    for dv in ws.data_validations.dataValidation:
        for label, attr, limit in _VALIDATION_LIMITS:
            text = getattr(dv, attr)
            if text and len(text) > limit:
                yield f"{ws.title}: {label} kiểm tra dữ liệu dài {len(text)} > {limit} ký tự"
        if dv.formula1 and dv.formula1.startswith("="):
            yield f"{ws.title}: công thức kiểm tra dữ liệu bắt đầu bằng '='"


def _locked_sheet(ws) -> bool:
    """A protected sheet people fill (tool sheets are written by our tools and left open)."""
    return ws.protection.sheet and ws.title not in L.TOOL_SHEETS


def check_row_locks(ws) -> Iterator[str]:
    """Whole rows are unlocked in the evidence register only."""
    if not _locked_sheet(ws):
        return
    for r, rd in ws.row_dimensions.items():
        if rd.has_style and not rd.protection.locked and not _in_evidence(ws.title, r):
            yield f"{ws.title}: dòng {r} không khóa (chỉ sổ minh chứng được mở khóa cả dòng)"


def check_cells(wb, ws, named_inputs: set[tuple[str, str]]) -> Iterator[str]:
    """Each cell's text limits and, on a locked sheet, its locking."""
    locked_sheet = _locked_sheet(ws)
    for row in ws.iter_rows():
        for c in row:
            yield from check_text(ws, c)
            if locked_sheet:
                yield from check_cell_lock(wb, ws, c, named_inputs)


def check_text(ws, c) -> Iterator[str]:
    """A text within Excel's cell and formula limits, in Unicode NFC (Vietnamese is composed)."""
    v = c.value
    if not isinstance(v, str):
        return
    if len(v) > _TEXT_LIMIT:
        yield f"{ws.title}!{c.coordinate}: văn bản quá 32767 ký tự"
    if len(v) > _FORMULA_LIMIT and v.startswith("="):
        yield f"{ws.title}!{c.coordinate}: công thức quá 8192 ký tự"
    if unicodedata.normalize("NFC", v) != v:
        yield f"{ws.title}!{c.coordinate}: văn bản chưa chuẩn NFC"


def check_cell_lock(wb, ws, c, named_inputs: set[tuple[str, str]]) -> Iterator[str]:
    """Formulas locked; named inputs unlocked; nothing unlocked without a name (but the register)."""
    is_named = (ws.title, c.coordinate) in named_inputs
    if isinstance(c.value, str) and c.value.startswith("=") and not c.protection.locked:
        yield f"{ws.title}!{c.coordinate}: ô công thức không được khóa"
    if is_named and c.protection.locked and _is_input_name(wb, ws.title, c.coordinate):
        yield f"{ws.title}!{c.coordinate}: ô nhập có tên nhưng bị khóa"
    if not c.protection.locked and not is_named and not _in_evidence(ws.title, c.row):
        yield f"{ws.title}!{c.coordinate}: ô không có tên mà không khóa"


def check_used_range(ws) -> Iterator[str]:
    """No formatted-but-empty rows past the last value (they inflate the used range and the print)."""
    if ws.title in (L.SHEET_EVIDENCE, L.SHEET_REGISTER):
        return
    last_row = max((c.row for row in ws.iter_rows() for c in row if c.value is not None), default=0)
    if ws.max_row > last_row + 1:
        yield f"trang '{ws.title}' có vùng sử dụng thừa (tới dòng {ws.max_row})"


# -- the workbook --------------------------------------------------------------------------------

def check_required_sheets(wb, required: tuple[str, ...]) -> Iterator[str]:
    if ws_missing := [s for s in required if s not in wb.sheetnames]:
        yield f"thiếu trang {ws_missing}"


def check_structure_locked(wb) -> Iterator[str]:
    if not (wb.security and wb.security.lockStructure):
        yield "cấu trúc sổ tính chưa được bảo vệ"


def _is_input_name(wb, sheet: str, coord: str) -> bool:
    """Whether the first name on (sheet, coord) is one people type into (not a computed or list name)."""
    for name, dn in wb.defined_names.items():
        for s, ref in dn.destinations:
            if s == sheet and ref.replace("$", "") == coord:
                return (name not in _LOCKED_NAMES and not name.startswith("DS_")
                        and not name.startswith(L.evidence_count_name(""))  # computed: a count
                        and name not in (L.N_UNIT_CODE, L.N_UNIT_NAME, L.N_DISADVANTAGED))
    return False


def _in_evidence(sheet: str, row: int) -> bool:
    return sheet == L.SHEET_EVIDENCE and L.HEADER_ROW < row <= L.HEADER_ROW + L.EVIDENCE_ROWS
