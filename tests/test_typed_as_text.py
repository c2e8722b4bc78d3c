"""What a person types into the registers stays what they typed (issue 18: "text is data").

The evidence register ("Minh chứng") and the recognition register ("Sổ công nhận") take codes and
document numbers that a spreadsheet's input parsing would turn into numbers or dates: an evidence
code ``01`` into 1, ``1.10`` into 1.1, a "Số / ký hiệu" ``3/4`` into the 3rd of April, a unit code
``00010`` into 10. The issued template formats those cells as text. The judge is a real client:
LibreOffice Calc in a Vietnamese locale (vi-VN: day/month dates, a decimal comma), typing through
its input line (``tests.support.lo_typing``). On the template before this change the same typing
gave 1, 1.1, 1.5 and a date.
"""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl.utils import get_column_letter

from cdht import contract as L
from cdht.read.submission import read_workbook
from tests import corpus as C
from tests.support import lo_typing

pytestmark = pytest.mark.oracle

needs_lo = pytest.mark.skipif(not lo_typing.available(), reason="LibreOffice with python3-uno is not installed")

# (column header, typed, what must be read back)
EVIDENCE_TYPED = [
    ("Mã minh chứng", "01", "01"),
    ("Chỉ tiêu", "xa.1.1", "xa.1.1"),
    ("Tên minh chứng", "Nghị quyết", "Nghị quyết"),
    ("Số / ký hiệu", "3/4", "3/4"),
    ("Ngày ban hành", "15/12/2026", dt.datetime(2026, 12, 15)),  # the date column stays a date
    ("Cơ quan ban hành", "1,5", "1,5"),
    ("Ghi chú", "1.10", "1.10"),
    (L.EVIDENCE_LEVEL_HEADER, "2", 2),  # the level drop-down stays a number (its list is 1, 2)
]


def _first_free_row(path, name: str) -> tuple[str, int, int]:
    """(sheet, first empty row, first column) of the range ``name``."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    ws = wb[sheet]
    first = ws[ref.replace("$", "").split(":")[0]]
    row = first.row
    while ws.cell(row, first.column).value not in (None, ""):
        row += 1
    return sheet, row, first.column


@needs_lo
def test_the_evidence_register_keeps_what_is_typed(tmp_path):
    src = C.filled(tmp_path / "xa.xlsx", "xa")
    sheet, row, col = _first_free_row(src, L.N_EVIDENCE)
    headers = L.EVIDENCE_COLUMNS + [L.EVIDENCE_LEVEL_HEADER]
    cells = [(sheet, f"{get_column_letter(col + headers.index(h))}{row}", typed) for h, typed, _ in EVIDENCE_TYPED]
    typed = lo_typing.type_into(src, tmp_path / "typed.xlsx", cells)

    import openpyxl
    ws = openpyxl.load_workbook(typed)[sheet]
    got = {h: ws[coord].value for (h, _, _), (_, coord, _) in zip(EVIDENCE_TYPED, cells)}
    assert got == {h: want for h, _, want in EVIDENCE_TYPED}

    # and the reader sees the row as typed: the code and the document number are the text
    sub = read_workbook(typed, C.EDITION)
    rec = next(r for r in sub.evidence if r["row"] == row)
    assert (rec["code"], rec["number"], rec["issuer"], rec["note"]) == ("01", "3/4", "1,5", "1.10")
    assert rec["date"] == dt.date(2026, 12, 15) and rec["level"] == 2


@needs_lo
def test_a_unit_code_typed_into_the_register_stays_text(tmp_path):
    src = C.template(tmp_path, "huyen")
    sheet, row, col = _first_free_row(src, L.N_REGISTER)
    typed = lo_typing.type_into(src, tmp_path / "typed.xlsx", [(sheet, f"{get_column_letter(col)}{row}", "00010")])

    import openpyxl
    assert openpyxl.load_workbook(typed)[sheet].cell(row, col).value == "00010"
