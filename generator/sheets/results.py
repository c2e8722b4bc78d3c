"""The "Kết quả kiểm tra" sheet: where compute / check write their findings each run."""
from __future__ import annotations

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER


def write(book) -> None:
    ws = book.wb.create_sheet(L.SHEET_RESULTS)
    book.title(ws, "KẾT QUẢ KIỂM TRA", "Trang này do chức năng Tính mức độ / Kiểm tra minh chứng ghi lại mỗi lần chạy.")
    book.header(ws, L.HEADER_ROW, L.RESULTS_COLUMNS, [12, 10, 18, 12, 12, 70, 70])
    book.name(L.N_RESULTS, ws, f"A{L.HEADER_ROW}:G{L.HEADER_ROW}")
    book.print_setup(ws, LIST_HEADER, landscape=True)
