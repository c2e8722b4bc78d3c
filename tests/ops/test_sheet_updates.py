"""One list of sheet updates, two writers: the file writer (openpyxl, ``merge``) and the open-book
writer (xlwings, the ribbon's merge) put the same values into the same cells."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

try:
    from tests.merge_fixtures import write_register
    from tests.support import xlwings_remote
except ImportError:  # tests/ itself on sys.path
    from merge_fixtures import write_register
    from support import xlwings_remote

import xlwings as xw  # after xlwings_remote, which sets XLWINGS_LICENSE_KEY

from cdht import contract as L
from cdht.ops.merge import Placement, children_table, existing_rows, merge, sheet_updates, write_updates
from cdht.ops.results_sheet import load_for_write
from cdht.xlsx.fastread import read_raw
from cdht_addin.buttons import write_updates_to_book

NOW = dt.datetime(2026, 3, 2, 9, 30)

pytestmark = pytest.mark.oracle


def _cells(wb) -> dict[tuple[int, int, int], object]:
    return {(i, c.row - 1, c.column - 1): c.value for i, ws in enumerate(wb.worksheets)
            for row in ws.iter_rows() for c in row if c.value not in (None, "")}


def _same(book_value, file_value) -> bool:
    if isinstance(file_value, (dt.date, dt.datetime)):
        return str(book_value)[:10] == file_value.isoformat()[:10]
    return book_value == file_value


def test_both_writers_put_the_same_values_in_the_same_cells(kit, tmp_path):
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "a.xlsx", "MAU-X0101")
    kit.commune(inbox / "b.xlsx", "MAU-X0102", evidence=False)  # returned: a return-list row
    (inbox / "ghi-chu.txt").write_text("không phải sổ tính")    # noted in the log
    parent = write_register(kit.parent(tmp_path / "huyen.xlsx"),
                            [("MAU-X0103", "Xã Ba", 1, "12/QĐ-UBND", dt.datetime(2025, 5, 4), "UBND huyện")])
    result = merge(parent, [inbox], dry_run=True, now=NOW)
    raw = read_raw(parent)
    updates = sheet_updates(result, kit.edition.tier(result.child_tier),
                            existing_rows(children_table(raw)), NOW)
    assert {u.placement for u in updates} == set(Placement)

    before = _cells(openpyxl.load_workbook(parent))
    wb = load_for_write(parent)
    write_updates(wb, updates, raw)
    in_file = {k: v for k, v in _cells(wb).items() if before.get(k) != v}

    book = xw.Book(json=xlwings_remote.payload_from_xlsx(parent, caller_name=str(parent)))
    write_updates_to_book(book, updates)
    in_book = {}
    for a in xlwings_remote.actions(book):
        assert a["func"] == "setValues"
        for r, row in enumerate(a["values"]):
            for c, v in enumerate(row):
                if v not in (None, ""):
                    in_book[(a["sheet_position"], a["start_row"] + r, a["start_column"] + c)] = v

    sheets = openpyxl.load_workbook(parent, read_only=True).sheetnames
    assert {sheets[k[0]] for k in in_file} == {L.SHEET_SELF, L.SHEET_CHILDREN, L.SHEET_REGISTER,
                                               L.SHEET_RETURNS, L.SHEET_LOG}
    assert set(in_file) <= set(in_book)
    assert all(_same(in_book[k], v) for k, v in in_file.items())
    unchanged = {k: v for k, v in in_book.items() if k not in in_file}
    assert all(_same(v, before.get(k)) for k, v in unchanged.items())  # what the file already held
