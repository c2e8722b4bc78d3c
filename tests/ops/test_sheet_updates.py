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


def _kept(book_value):
    """What Excel keeps of a value typed into a cell: a leading apostrophe is its text prefix (the
    cell holds the rest, as text), which the remote engine passes on as it is."""
    return book_value[1:] if isinstance(book_value, str) and book_value.startswith("'") else book_value


def _same(book_value, file_value) -> bool:
    if isinstance(file_value, (dt.date, dt.datetime)):
        return str(book_value)[:10] == file_value.isoformat()[:10]
    return _kept(book_value) == file_value


def _updates(kit, parent, sources):
    result = merge(parent, sources, dry_run=True, now=NOW)
    raw = read_raw(parent)
    return sheet_updates(result, kit.edition.tier(result.child_tier), existing_rows(children_table(raw)), NOW), raw


def _both_writers(parent, updates, raw) -> tuple[dict, dict, dict]:
    """(cells the file writer changed, cells the open-book writer wrote, the file's cells before)."""
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
    return in_file, in_book, before


def _assert_same(in_file: dict, in_book: dict, before: dict) -> None:
    assert set(in_file) <= set(in_book)
    assert all(_same(in_book[k], v) for k, v in in_file.items())
    unchanged = {k: v for k, v in in_book.items() if k not in in_file}
    assert all(_same(v, before.get(k)) for k, v in unchanged.items())  # what the file already held


def _sheets_of(parent, cells: dict) -> set[str]:
    sheets = openpyxl.load_workbook(parent, read_only=True).sheetnames
    return {sheets[k[0]] for k in cells}


def test_both_writers_put_the_same_values_in_the_same_cells(kit, tmp_path):
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "a.xlsx", "MAU-X0101")
    kit.commune(inbox / "b.xlsx", "MAU-X0102", evidence=False)  # returned: a return-list row
    (inbox / "ghi-chu.txt").write_text("không phải sổ tính")    # noted in the log
    parent = write_register(kit.parent(tmp_path / "huyen.xlsx"),
                            [("MAU-X0103", "Xã Ba", 1, "12/QĐ-UBND", dt.datetime(2025, 5, 4), "UBND huyện")])
    updates, raw = _updates(kit, parent, [inbox])
    assert {u.placement for u in updates} == set(Placement) - {Placement.ROW}  # ROW: a province's forms

    in_file, in_book, before = _both_writers(parent, updates, raw)
    assert _sheets_of(parent, in_file) == {L.SHEET_SELF, L.SHEET_CHILDREN, L.SHEET_REGISTER, L.SHEET_RETURNS,
                                           L.SHEET_LOG, L.SHEET_OVERVIEW}
    _assert_same(in_file, in_book, before)


def test_a_departments_figures_and_evidence_reach_both_writers(kit, tmp_path):
    """A province: the department's values (named input cells) and its evidence rows (added to
    the province's list) are updates like the rest, written alike into the file and the open book."""
    from cdht.fill import fill
    from cdht_generator.contributor import generate_contributor_form

    edition, year = kit.edition, kit.year
    form = generate_contributor_form(edition, year, "so_vhtt", tmp_path / "mau")
    inds = edition.contributor("so_vhtt").indicators
    evidence = [[f"VHTT-{k}", ind, f"Báo cáo {ind}", f"{k}/BC", dt.date(year, 12, 20), "Sở VHTT", None, None]
                for k, ind in enumerate(inds, start=1)]
    fill(form, tmp_path / "nop" / "so_vhtt.xlsx", {"tinh_3_3": "Đạt", "tinh_3_4_so_chuong_trinh": 6,
                                                   "nguoi_ky": "Nguyễn Văn A", "chuc_vu": "Phó Giám đốc"},
         evidence=evidence)
    parent = kit.parent(tmp_path / "tinh.xlsx", unit="MAU-T01", tier="tinh")
    updates, raw = _updates(kit, parent, [tmp_path / "nop"])
    rows = [u for u in updates if u.placement is Placement.ROW]
    assert len(rows) == len(inds) and all(u.name == L.N_EVIDENCE for u in rows)
    assert {u.name for u in updates if u.placement is Placement.CELL} >= {"tinh_3_3", "tinh_3_4_so_chuong_trinh"}

    in_file, in_book, before = _both_writers(parent, updates, raw)
    assert L.SHEET_EVIDENCE in _sheets_of(parent, in_file)
    assert sum(1 for v in in_file.values() if isinstance(v, str) and v.startswith("VHTT-")) == len(inds)
    _assert_same(in_file, in_book, before)


def test_rows_typed_in_the_open_book_and_not_saved_are_not_overwritten(kit, tmp_path):
    """The evidence rows go below what the open book shows, even when it differs from the file."""
    import shutil

    from cdht.fill import fill
    from cdht.xlsx.names import named_bounds
    from cdht_generator.contributor import generate_contributor_form

    form = generate_contributor_form(kit.edition, kit.year, "so_vhtt", tmp_path / "mau")
    ind = kit.edition.contributor("so_vhtt").indicators[0]
    fill(form, tmp_path / "nop" / "so_vhtt.xlsx", {"tinh_3_3": "Đạt"},
         evidence=[["VHTT-1", ind, "Báo cáo", "1/BC", dt.date(kit.year, 12, 20), "Sở VHTT", None, None]])
    parent = kit.parent(tmp_path / "tinh.xlsx", unit="MAU-T01", tier="tinh")
    updates, _ = _updates(kit, parent, [tmp_path / "nop"])
    (row_update,) = [u for u in updates if u.placement is Placement.ROW]

    shown = tmp_path / "dang-mo.xlsx"  # what Excel shows: one more evidence row, typed, not saved
    shutil.copy(parent, shown)
    wb = openpyxl.load_workbook(shown)
    ws, _, c1, _, _ = named_bounds(wb, L.N_EVIDENCE)
    ws.cell(row_update.row, c1, "GÕ-TAY")
    wb.save(shown)
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(parent, caller_name=str(parent), values_from=shown))
    write_updates_to_book(book, [row_update])
    (a,) = xlwings_remote.actions(book)
    assert a["start_row"] + 1 == row_update.row + 1  # 0-based start_row: the sheet row below the typed one
    assert a["values"][0][0] == "VHTT-1"


def test_texts_excel_would_read_as_numbers_or_dates_reach_the_open_book_as_text(kit, tmp_path):
    """Excel reads what is typed into a cell: the open-book writer sends a numeric unit code, a
    SHA-256 prefix of digits and one "e", a time stamp and a decision number each with Excel's text
    prefix, so the cell keeps the text the file writer writes (openpyxl types it as text); other
    texts go as they are."""
    from cdht.ops.merge import SheetUpdate

    parent = kit.parent(tmp_path / "huyen.xlsx")
    row = ["00004", "Xã Bốn", "Đã nhận", "1234567e8901", "2026-03-02 09:30:00", "01/02/2027", "12/QĐ-UBND"]
    update = SheetUpdate(L.N_RETURNS, Placement.BELOW_HEADER, [row], width=len(row))
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(parent, caller_name=str(parent)))
    write_updates_to_book(book, [update])
    [sent] = [a["values"][0] for a in xlwings_remote.actions(book) if a["func"] == "setValues"]
    assert sent[:len(row)] == ["'00004", "Xã Bốn", "Đã nhận", "'1234567e8901", "'2026-03-02 09:30:00",
                               "'01/02/2027", "12/QĐ-UBND"]
    assert [_kept(v) for v in sent[:len(row)]] == row

