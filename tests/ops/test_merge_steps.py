"""The merge's named steps, each on its own (no workbook needed for most): collect, place,
resolve duplicates under each policy, mark received, the children's list reader, derive."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cdht import contract as L
from cdht.edition import load_edition
from cdht.ops.merge import (DuplicatePolicy, MergeResult, ParentInfo, SourceResult, collect_sources,
                            derived_figures, existing_rows, expected_units, mark_received, place,
                            resolve_duplicates)

PARENT = ParentInfo("tt25-2023", "huyen", "xa", 2025, "MAU-H01", frozenset({"X1", "X2"}))


def _src(name: str, unit: str = "X1", mtime: float = 1000.0, sha: str = "a" * 64, **kw) -> SourceResult:
    return SourceResult(Path(name), unit, f"Xã {unit}", mtime=mtime, sha256=sha, tier="xa", year=2025,
                        edition_id="tt25-2023", **kw)


def test_collect_finds_workbooks_and_notes_the_rest(tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    for name in ("a.xlsx", "sub/b.xlsm", "c.xlsx.bak", "~$a.xlsx", "notes.txt", ".~cdht-x.xlsx"):
        (tmp_path / "in" / name).write_bytes(b"")
    parent = tmp_path / "in" / "parent.xlsx"
    parent.write_bytes(b"")
    files, notes = collect_sources([tmp_path / "in", tmp_path / "missing.xlsx"], parent)
    assert [f.name for f in files] == ["a.xlsx", "b.xlsm"]
    assert sorted(n.code for n in notes) == ["CDHT-M010", "CDHT-M010", "CDHT-W001", "CDHT-W005"]  # .bak, .txt


@pytest.mark.parametrize("change, code", [({"tier": "huyen"}, "CDHT-M001"), ({"year": 2024}, "CDHT-M002"),
                                          ({"edition_id": "khac"}, "CDHT-M003"), ({"unit_code": "X9"}, "CDHT-M004"),
                                          ({"tamper": "sửa công thức"}, "CDHT-M008")])
def test_place_refuses_what_does_not_belong(change, code):
    r = _src("a.xlsx", level=2, read_findings=0)
    for k, v in change.items():
        setattr(r, k, v)
    placed = place(r, PARENT)
    assert placed.code == code and placed.status == L.Status.RETURNED.value and placed.level is None
    assert [f.code for f in placed.findings] == [code]


def test_place_accepts_a_source_that_belongs():
    assert place(_src("a.xlsx"), PARENT).code is None


def test_newest_keeps_the_newest_file_and_returns_the_others():
    old, new = _src("old.xlsx", mtime=1.0), _src("new.xlsx", mtime=2.0)
    accepted, refused = resolve_duplicates([old, new], {}, DuplicatePolicy.NEWEST)
    assert accepted == {"X1": new} and refused == [old] and old.code == "CDHT-M005"


def test_error_returns_every_file_of_the_unit():
    a, b, c = _src("a.xlsx", mtime=1.0), _src("b.xlsx", mtime=2.0), _src("c.xlsx", unit="X2")
    accepted, refused = resolve_duplicates([a, b, c], {}, "error")  # the CLI's string is accepted too
    assert accepted == {"X2": c} and {r.code for r in refused} == {"CDHT-M006"} and len(refused) == 2


def test_keep_holds_what_was_merged_before():
    merged, other = _src("merged.xlsx", sha="m" * 64, mtime=1.0), _src("other.xlsx", sha="o" * 64, mtime=2.0)
    existing = {"X1": {"sha": "m" * 12, "merged_at": "2026-03-01 08:00:00"}}
    accepted, refused = resolve_duplicates([merged, other], existing, DuplicatePolicy.KEEP)
    assert accepted == {"X1": merged} and refused == [other] and other.code == "CDHT-M007"


def test_an_older_file_never_replaces_what_was_merged():
    """"Older" = received earlier by the receipt ledger (issue 12, case 7), not by mtime."""
    older = _src("older.xlsx", sha="o" * 64, mtime=dt.datetime(2026, 3, 1).timestamp())
    existing = {"X1": {"sha": "m" * 12, "merged_at": "x",
                       "received_ts": dt.datetime(2026, 2, 1).timestamp()}}
    ledger = {"o" * 64: {"date": dt.date(2026, 1, 1), "file": "older.xlsx", "unit": "X1", "row": 9, "new": False}}
    accepted, refused = resolve_duplicates([older], existing, DuplicatePolicy.NEWEST, ledger)
    assert accepted == {} and refused == [older] and older.code == "CDHT-M007"
    fresh = _src("fresh.xlsx", sha="f" * 64, mtime=dt.datetime(2025, 1, 1).timestamp())  # an old mtime, new content
    accepted, refused = resolve_duplicates([fresh], existing, DuplicatePolicy.NEWEST, ledger)
    assert accepted == {"X1": fresh} and refused == []


def test_already_refused_sources_pass_through_first():
    bad = _src("bad.xlsx", code="CDHT-W002")
    good = _src("good.xlsx")
    accepted, refused = resolve_duplicates([good, bad], {}, DuplicatePolicy.NEWEST)
    assert accepted == {"X1": good} and refused == [bad]


def test_mark_received_flags_late_files():
    """The receipt day is the ledger's (first seen, or typed by staff), else today; never the mtime."""
    late = _src("late.xlsx", sha="l" * 64, mtime=dt.datetime(2026, 4, 2, 10).timestamp())
    early = _src("early.xlsx", unit="X2", sha="e" * 64, mtime=dt.datetime(2026, 6, 1).timestamp())
    ledger = {"l" * 64: {"date": dt.date(2026, 5, 1), "file": "late.xlsx", "unit": "X1", "row": 7, "new": False}}
    mark_received({"X1": late, "X2": early}, dt.date(2026, 5, 1), dt.datetime(2026, 4, 1, 9), ledger)
    assert late.received == dt.date(2026, 5, 1) and late.on_time is False  # "trước ngày 01/05": 01/05 is late
    assert late.findings[-1].code == "CDHT-M012" and late.status == L.Status.LATE.value
    assert early.received == dt.date(2026, 4, 1) and early.on_time is True  # new content: today
    assert ledger["e" * 64]["new"] and not ledger["l" * 64]["new"]


def test_children_list_is_read_the_same_from_any_table():
    header = ["Mã đơn vị", "Tên đơn vị", "Trạng thái", "Ngày nhận", "Đúng hạn", "SHA-256", "Thời điểm tổng hợp"]
    table = [header, ["X1 ", "Xã Một", L.STATUS_RECEIVED, dt.datetime(2026, 3, 1), "Có", "abc", "t1", None],
             [None] * 8, ["X2", "Xã Hai", L.STATUS_MISSING, None, None, None, None], ["X1", "lặp", None]]
    assert expected_units(table) == ["X1", "X2"]
    rows = existing_rows(table)
    assert rows["X1"] == {"row": ["X1", "lặp"], "sha": None, "merged_at": None, "name": "lặp",
                          "appraised": None, "on_time": None, "status": None, "file": None}  # the last row wins
    first = existing_rows(table[:2])["X1"]
    assert first["row"][-1] == "t1" and first["sha"] == "abc"  # trailing empty cells dropped
    assert first["status"] == L.STATUS_RECEIVED and first["file"] is None  # (this table has no "Tệp")
    assert first["received_ts"] == dt.datetime(2026, 3, 1).timestamp()
    assert rows["X2"]["sha"] is None and "received_ts" not in rows["X2"]
    assert existing_rows([]) == {}


def test_derived_figures_count_standings():
    edition = load_edition(None)
    levels = {"X1": 2, "X2": 1, "X3": 0}
    got = derived_figures(edition.tier("huyen"), edition.tier("xa"), levels, edition.settings)
    l1 = 2 if edition.settings.level2_counts_toward_level1 else 1
    assert got == {"huyen_4_1_tong_so_xa": 3, "huyen_4_1_so_xa_muc_do_1": l1, "huyen_4_1_so_xa_muc_do_2": 1}


def test_merge_result_starts_empty():
    r = MergeResult(Path("p.xlsx"))
    assert r.as_dict()["completeness"] == {"expected": 0, "received": 0, "on_time": 0, "late": 0, "missing": 0,
                                           "returned": 0, "deadline": None}
