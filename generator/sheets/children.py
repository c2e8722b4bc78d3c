"""The "Đơn vị cấp dưới" sheet of a parent tier: one row per child unit, written by the merge."""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER


def write(book) -> None:
    """Add the children sheet (a tool sheet: unprotected); lists the expected children when known."""
    child = book.edition.tier(book.tier.children[0])
    ws = book.wb.create_sheet(L.SHEET_CHILDREN)
    book.title(ws, f"ĐƠN VỊ CẤP DƯỚI ({child.name.upper()}) — NĂM {book.year}",
               "Trang này do chức năng tổng hợp (cdht merge / nút Gộp báo cáo cấp dưới) ghi. "
               "Có thể thêm mã đơn vị cấp dưới vào cột A.")
    cols = L.child_columns(child)
    book.header(ws, L.HEADER_ROW, cols, [14, 30] + [14] * (len(cols) - 2))
    expected = book.units.descendants(book.unit.code, child.code) if (book.unit and book.units) else []
    for k, u in enumerate(expected):
        ws.cell(L.HEADER_ROW + 1 + k, 1, u.code)
        ws.cell(L.HEADER_ROW + 1 + k, 2, u.name)
        ws.cell(L.HEADER_ROW + 1 + k, 3, L.STATUS_MISSING)
    book.name(L.N_CHILDREN, ws, f"A{L.HEADER_ROW}:{get_column_letter(len(cols))}{L.HEADER_ROW + 1000}")
    book.print_setup(ws, LIST_HEADER, landscape=True)
