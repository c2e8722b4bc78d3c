"""The "Đơn vị cấp dưới" sheet of a parent tier: one row per child unit, written by the merge."""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER


def write(book) -> None:
    """Add the children sheet (a tool sheet: unprotected); lists the expected children when known
    (the registry's lower units of that year, also locked on the unit sheet and in ``_meta``)."""
    child = book.edition.tier(book.tier.children[0])
    ws = book.wb.create_sheet(L.SHEET_CHILDREN)
    expected = book.expected_children()
    how = ("Danh sách đơn vị cấp dưới do Sở ban hành, đã khóa ở trang 'Thông tin đơn vị'; không thêm, "
           "bớt dòng." if expected else "Có thể thêm mã đơn vị cấp dưới vào cột A.")
    book.title(ws, f"ĐƠN VỊ CẤP DƯỚI ({child.name.upper()}) — NĂM {book.year}",
               f"Trang này do chức năng tổng hợp (cdht merge / nút Gộp báo cáo cấp dưới) ghi. {how}")
    cols = L.child_columns(child)
    book.header(ws, L.HEADER_ROW, cols, [14, 30] + [14] * (len(cols) - 2))
    for k, u in enumerate(expected):
        ws.cell(L.HEADER_ROW + 1 + k, 1, u.code)
        ws.cell(L.HEADER_ROW + 1 + k, 2, u.name)
        ws.cell(L.HEADER_ROW + 1 + k, 3, L.STATUS_MISSING)
    book.name(L.N_CHILDREN, ws, f"A{L.HEADER_ROW}:{get_column_letter(len(cols))}{L.HEADER_ROW + 1000}")
    book.print_setup(ws, LIST_HEADER, landscape=True)
