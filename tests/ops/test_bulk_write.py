"""The written merge's fast path (issue 18 "Cost") writes what the cell-by-cell path wrote:
``put_rows`` against ``put`` on every kind of value a list holds, and a whole 150-unit merge (then
a second one into the merged parent) against the same merges written one ``put`` at a time —
every part of the saved package the same bytes (but the save time in docProps/core.xml)."""
from __future__ import annotations

import datetime as dt
import gc
import shutil
import zipfile

import openpyxl
import pytest

from cdht.xlsx.book import gc_paused
from cdht.xlsx.names import CELL_MAX_CHARS, put, put_rows


class Text(str):
    """A str subclass (as numpy.str_ is): written as plain text."""


VALUES = ["BEN-X00001", "Xã thử", "=1+1", "=HYPERLINK(\"http://x\")", "#N/A", "#REF!", "-", " lề ", "a\x0bb\x0cc",
          "x\x00y\x1fz\ud800", "\ufffe", "d" * (CELL_MAX_CHARS + 5), "MĐ2", "MĐ2", "", None, 0, -3, 2.5, 1e300,
          float("nan"), True, False, dt.date(2026, 12, 1), dt.datetime(2026, 12, 1, 10, 30), dt.time(9, 15),
          Text("=văn bản"), 12345678901234567890]


def _reference_rows(ws, first_row, first_col, rows):
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            if v != "" and v is not None:
                put(ws.cell(first_row + i, first_col + j), v)


def _cells(ws):
    return {k: (c.value, c.data_type, c.number_format, c.style_id) for k, c in sorted(ws._cells.items())}


def test_put_rows_writes_what_put_writes_cell_by_cell(tmp_path):
    rows = [VALUES[k:] + VALUES[:k] for k in range(len(VALUES))]
    books = []
    for write in (_reference_rows, put_rows):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.cell(3, 4).value = "đã có"  # an existing cell is overwritten, not replaced
        write(ws, 3, 2, rows)
        books.append(wb)
    assert _cells(books[0].active) == _cells(books[1].active)
    for k, wb in enumerate(books):
        wb.save(tmp_path / f"{k}.xlsx")
    assert _parts(tmp_path / "0.xlsx") == _parts(tmp_path / "1.xlsx")
    ws = books[1].active
    assert ws.cell(3, 4).data_type == "s" and ws.cell(3, 4).value == "=1+1"  # text, never a formula
    assert ws.cell(3, 5).value == "=HYPERLINK(\"http://x\")" and ws.cell(3, 5).data_type == "s"


def test_gc_paused_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.mark.slow
def test_a_150_unit_merge_and_a_second_one_write_the_same_bytes_as_cell_by_cell(tmp_path, monkeypatch):
    from cdht.ops.merge import merge
    from scripts import bench

    parent, inbox = bench.merge_corpus(2, tmp_path / "corpus")
    files = bench.replicate(inbox, 150, tmp_path / "nop")
    (tmp_path / "nop" / "hong.xlsx").write_bytes(b"not a workbook")  # refused: a returns row, a log row
    written = []
    for name, writer in (("bulk", put_rows), ("cell-by-cell", _reference_rows)):
        monkeypatch.setattr("cdht.ops.merge.write.put_rows", writer)
        out = tmp_path / name / "tong-hop.xlsx"
        out.parent.mkdir()
        shutil.copyfile(parent, out)
        first = merge(out, [tmp_path / "nop"], now=dt.datetime(2026, 12, 1, 10), workers=1)
        assert first.written and len(first.merged) == 150 and len(first.refused) == 1
        again = merge(out, files[:100], now=dt.datetime(2026, 12, 5, 11, 30), workers=1)
        assert again.written
        written.append(_parts(out))
    assert written[0].keys() == written[1].keys()
    assert [n for n in written[0] if written[0][n] != written[1][n]] == []
