"""The "Danh sách trả lại" sheet of a parent tier: what each child unit must fix (written by the merge)."""
from __future__ import annotations

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER


def write(book) -> None:
    ws = book.wb.create_sheet(L.SHEET_RETURNS)
    book.title(ws, "DANH SÁCH TRẢ LẠI ĐƠN VỊ CẤP DƯỚI", "Các lỗi cần đơn vị sửa, do chức năng tổng hợp ghi.")
    book.header(ws, L.HEADER_ROW, L.RETURNS_COLUMNS, [14, 30, 30, 12, 16, 10, 60, 60])
    book.name(L.N_RETURNS, ws, f"A{L.HEADER_ROW}:H{L.HEADER_ROW}")
    book.print_setup(ws, LIST_HEADER, landscape=True)
