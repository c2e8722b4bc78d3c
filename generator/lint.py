"""The lint pass run on every generated workbook before it is written (Excel's limits, locking, names)."""
from __future__ import annotations

import re
import unicodedata

from cdht import contract as L

_CELL_REF = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]{0,254}$")


def lint(wb, required: tuple[str, ...] = (L.SHEET_META, L.SHEET_SELF, L.SHEET_RESULTS)) -> list[str]:
    """Problems of a built workbook; empty when it may be written."""
    problems: list[str] = []
    named_inputs: set[tuple[str, str]] = set()
    for name, dn in wb.defined_names.items():
        if not _NAME.match(name) or _CELL_REF.match(name):
            problems.append(f"tên '{name}' không hợp lệ trong Excel")
        for sheet, ref in dn.destinations:
            if sheet not in wb.sheetnames:
                problems.append(f"tên '{name}' trỏ tới trang không có '{sheet}'")
                continue
            if ":" not in ref:
                named_inputs.add((sheet, ref.replace("$", "")))
    for ws in wb.worksheets:
        if len(ws.title) > 31:
            problems.append(f"tên trang '{ws.title}' dài hơn 31 ký tự")
        if ws.merged_cells.ranges:
            problems.append(f"trang '{ws.title}' có ô gộp")
        for dv in ws.data_validations.dataValidation:
            for label, text, limit in (("tiêu đề lỗi", dv.errorTitle, 32), ("nội dung lỗi", dv.error, 255),
                                       ("tiêu đề gợi ý", dv.promptTitle, 32), ("gợi ý", dv.prompt, 255)):
                if text and len(text) > limit:
                    problems.append(f"{ws.title}: {label} kiểm tra dữ liệu dài {len(text)} > {limit} ký tự")
            if dv.formula1 and dv.formula1.startswith("="):
                problems.append(f"{ws.title}: công thức kiểm tra dữ liệu bắt đầu bằng '='")
        protected = ws.protection.sheet
        if protected and ws.title not in L.TOOL_SHEETS:  # whole rows unlocked: the evidence register only
            for r, rd in ws.row_dimensions.items():
                if rd.has_style and not rd.protection.locked and not _in_evidence(ws.title, r):
                    problems.append(f"{ws.title}: dòng {r} không khóa (chỉ sổ minh chứng được mở khóa cả dòng)")
        last_row = 0
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is not None:
                    last_row = max(last_row, c.row)
                if isinstance(v, str):
                    if len(v) > 32767:
                        problems.append(f"{ws.title}!{c.coordinate}: văn bản quá 32767 ký tự")
                    if len(v) > 8192 and v.startswith("="):
                        problems.append(f"{ws.title}!{c.coordinate}: công thức quá 8192 ký tự")
                    if unicodedata.normalize("NFC", v) != v:
                        problems.append(f"{ws.title}!{c.coordinate}: văn bản chưa chuẩn NFC")
                if protected and ws.title not in L.TOOL_SHEETS:
                    is_named = (ws.title, c.coordinate) in named_inputs
                    if isinstance(v, str) and v.startswith("=") and not c.protection.locked:
                        problems.append(f"{ws.title}!{c.coordinate}: ô công thức không được khóa")
                    if is_named and c.protection.locked and _is_input_name(wb, ws.title, c.coordinate):
                        problems.append(f"{ws.title}!{c.coordinate}: ô nhập có tên nhưng bị khóa")
                    if not c.protection.locked and not is_named and not _in_evidence(ws.title, c.row):
                        problems.append(f"{ws.title}!{c.coordinate}: ô không có tên mà không khóa")
        if ws.max_row > max(last_row, L.HEADER_ROW + L.EVIDENCE_ROWS if ws.title == L.SHEET_EVIDENCE else 0) + 1 \
                and ws.title not in (L.SHEET_EVIDENCE, L.SHEET_REGISTER):
            problems.append(f"trang '{ws.title}' có vùng sử dụng thừa (tới dòng {ws.max_row})")
    if ws_missing := [s for s in required if s not in wb.sheetnames]:
        problems.append(f"thiếu trang {ws_missing}")
    if not (wb.security and wb.security.lockStructure):
        problems.append("cấu trúc sổ tính chưa được bảo vệ")
    return problems


_LOCKED_NAMES = {"nam_danh_gia", "ket_qua_muc_do", "td_ket_qua_muc_do", "ma_niem_phong"}


def _is_input_name(wb, sheet: str, coord: str) -> bool:
    for name, dn in wb.defined_names.items():
        for s, ref in dn.destinations:
            if s == sheet and ref.replace("$", "") == coord:
                return name not in _LOCKED_NAMES and not name.startswith("DS_") and name not in ("don_vi_ma", "don_vi_ten")
    return False


def _in_evidence(sheet: str, row: int) -> bool:
    return sheet == L.SHEET_EVIDENCE and L.HEADER_ROW < row <= L.HEADER_ROW + L.EVIDENCE_ROWS
