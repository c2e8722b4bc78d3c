"""The "Nhật ký tổng hợp" sheet of a parent tier: the append-only merge log."""
from __future__ import annotations

from cdht import contract as L


def write(book) -> None:
    ws = book.wb.create_sheet(L.SHEET_LOG)
    book.title(ws, "NHẬT KÝ TỔNG HỢP", "Chỉ ghi thêm, không xóa: mỗi lần tổng hợp một dòng cho mỗi tệp mới, đổi "
                                         "hoặc bị trả lại; các tệp không đổi, và tệp bị từ chối hay bỏ qua với "
                                         "cùng lý do đã ghi, được đếm trong một dòng.")
    book.header(ws, L.HEADER_ROW, L.LOG_COLUMNS, [20, 16, 40, 14, 20, 12, 60])
    book.name(L.N_LOG, ws, f"A{L.HEADER_ROW}:G{L.HEADER_ROW}")
