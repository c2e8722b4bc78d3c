"""The hidden "_ds" sheet: the drop-down lists (Đạt/Không đạt, Có/Không, levels 1–2)."""
from __future__ import annotations

from cdht import contract as L
from cdht import rules as R


def write(book):
    """Add the list sheet (hidden, protected) and name its lists; returns the sheet (moved last later)."""
    ws = book.wb.create_sheet(L.SHEET_LISTS)
    for row, (a, b) in enumerate([(R.DAT, R.CO), (R.KHONG_DAT, R.KHONG)], start=1):
        ws.cell(row, 1, a)
        ws.cell(row, 2, b)
    ws.cell(1, 3, 1)
    ws.cell(2, 3, 2)
    book.name(L.N_LIST_VERDICT, ws, "A1:A2")
    book.name(L.N_LIST_YESNO, ws, "B1:B2")
    book.name(L.N_LIST_LEVEL, ws, "C1:C2")
    ws.sheet_state = "hidden"
    book.protect(ws)
    return ws
