"""Nothing the clerk typed is lost by a merge (issue 18).

1. "Sổ công nhận": a merge rewrites the whole register range, so a row that is not a decision (a
   bad unit code, level or date, or only a note) used to be reported and then cleared. It is now
   written back as typed, after the decisions (computed columns G–I left empty), reported again
   at every merge until fixed, never used as a decision — and counted by the capacity check (M044).
2. ``--return-dir``: a merge whose parent write is refused (M044, M046, W023) changed nothing, so it
   writes no return workbook either (one note, CDHT-W067)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cdht import contract as L
from cdht.cli.main import main
from cdht.messages import finding
from cdht.ops.merge import merge
from cdht.xlsx.fastread import read_raw
from tests.merge_fixtures import YEAR, write_register
from tests.test_hostile import alarm, inbox_with

DECIDED = dt.datetime(YEAR + 1, 3, 20)
GOOD = [("MAU-X0102", "Xã 2", 1, "2/QĐ-PGD", DECIDED, "Phòng GD&ĐT"),
        ("MAU-X0101", "Xã 1", 2, "1/QĐ-PGD", DECIDED, "Phòng GD&ĐT")]
# as typed, columns A–J (G–I: the merge's own columns, empty in a row it cannot compute)
BAD = [("MAU-X0103", "Xã 3", 1, "3/QĐ-PGD", "15/13/2026", "Phòng GD&ĐT", None, None, None, "ngày gõ sai"),
       ("MAU-X0104", "Xã 4", "hai", "4/QĐ-PGD", DECIDED, "Phòng GD&ĐT"),
       (None, "Xã chưa ghi mã", 1, "5/QĐ-PGD", DECIDED, "Phòng GD&ĐT"),
       ("MAU-X0105", "Xã 5", 2, "6/QĐ-PGD", dt.datetime(9999, 12, 31), "Phòng GD&ĐT"),
       (None, None, None, None, None, None, None, None, None, "chờ quyết định của huyện")]
BAD_CODES = ["CDHT-M017", "CDHT-M016", "CDHT-M013", "CDHT-M040"]


def _typed(row) -> list:
    """A register row as openpyxl reads it back, padded to the range's ten columns."""
    return (list(row) + [None] * 10)[:10]


def _register(path: Path) -> list[list]:
    """The register range's non-empty rows, in sheet order (A–J)."""
    from cdht.xlsx.names import named_bounds
    wb = openpyxl.load_workbook(path)
    try:
        ws, r1, c1, r2, c2 = named_bounds(wb, L.N_REGISTER)
        rows = [list(r) for r in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True)]
        return [r for r in rows if any(v not in (None, "") for v in r)]
    finally:
        wb.close()


@pytest.fixture
def parent_with_bad_rows(kit, tmp_path):
    """A district parent whose register has bad rows between and after good ones, and an inbox."""
    parent = kit.parent(tmp_path / "tong-hop" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx")
    write_register(parent, [GOOD[0], BAD[0], BAD[1], GOOD[1], BAD[2], BAD[3], BAD[4]])
    return parent, inbox_with(kit, tmp_path / "inbox", ["MAU-X0101"])


def test_bad_register_rows_survive_written_merges_as_typed(parent_with_bad_rows):
    parent, inbox = parent_with_bad_rows
    for _ in range(2):  # a second merge keeps them again
        with alarm(120):
            r = merge(parent, [inbox])
        assert r.written, [f.text() for f in r.findings]
        assert sorted(f.code for f in r.findings if f.code in BAD_CODES) == sorted(BAD_CODES)  # still reported
        assert sorted(d.unit for d in r.register) == ["MAU-X0101", "MAU-X0102"]  # never used as decisions
        rows = _register(parent)
        # the decisions first (sorted, computed columns filled), then the kept rows in the order typed
        assert [row[:6] for row in rows[:2]] == [list(GOOD[1]), list(GOOD[0])]
        assert all(row[7] in ("Có", "Không") for row in rows[:2])
        assert rows[2:] == [_typed(b) for b in BAD]


def test_the_written_register_codes_keep_the_text_format(parent_with_bad_rows):
    """The code column is text in the issued template (a column format); the cells a merge writes
    get it too, so a code the clerk retypes there (00010) stays text in Excel."""
    from cdht.xlsx.names import named_bounds
    parent, inbox = parent_with_bad_rows
    with alarm(120):
        assert merge(parent, [inbox]).written
    wb = openpyxl.load_workbook(parent)
    ws, r1, c1, r2, _ = named_bounds(wb, L.N_REGISTER)
    written = [ws.cell(r, c1) for r in range(r1, r2 + 1) if ws.cell(r, c1).value not in (None, "")]
    assert len(written) == 5 and all(c.number_format == "@" for c in written)
    assert ws.column_dimensions["A"].number_format == "@"


def test_the_json_result_lists_the_kept_rows_as_typed(parent_with_bad_rows):
    """``merge --json`` says what it wrote back to the register besides the decisions."""
    parent, inbox = parent_with_bad_rows
    res = CliRunner().invoke(main, ["merge", str(parent), str(inbox), "--dry-run", "--json"])
    out = json.loads(res.stdout)

    def shown(v):  # a blank as null; a date as the day (the register's dates are days)
        return None if v in (None, "") else v.date().isoformat() if isinstance(v, dt.datetime) else v
    assert [[shown(v) for v in row] for row in out["register_kept"]] == [[shown(v) for v in _typed(b)] for b in BAD]
    assert len(out["register"]) == 2


def test_the_kept_rows_are_reported_where_they_now_are(parent_with_bad_rows):
    """After the first merge the bad rows moved below the decisions: the next merge's findings
    name the rows where the clerk now finds them."""
    parent, inbox = parent_with_bad_rows
    first = L.HEADER_ROW + 1
    with alarm(120):
        written = merge(parent, [inbox])
        r = merge(parent, [inbox], dry_run=True)
    rows = {f.code: f.row for f in r.findings if f.code in BAD_CODES}
    assert rows == {"CDHT-M017": first + 2, "CDHT-M016": first + 3, "CDHT-M013": first + 4, "CDHT-M040": first + 5}
    assert _register(parent)[rows["CDHT-M016"] - first][2] == "hai"
    # and the merge that moved them already names them there (not where they were when it read them:
    # rows 2, 3, 5, 6 of the register), in its text too
    assert written.written and {f.code: f.row for f in written.findings if f.code in BAD_CODES} == rows
    assert all(f"dòng {rows[f.code]}" in f.text() for f in written.findings if f.code in BAD_CODES)


def test_the_register_from_path_keeps_the_parents_bad_rows(kit, parent_with_bad_rows, tmp_path):
    """With last year's book: its decisions are carried, the parent's bad rows kept as typed;
    last year's own bad row is reported with that book's name and stays there (only read)."""
    parent, inbox = parent_with_bad_rows
    last_year = write_register(kit.parent(tmp_path / "nam-truoc.xlsx"),
                               [("MAU-X0106", "Xã 6", 1, "9/QĐ-PGD", dt.datetime(YEAR, 3, 1), "Phòng GD&ĐT"),
                                ("MAU-X0106", "Xã 6", 7, "10/QĐ-PGD", dt.datetime(YEAR, 3, 1), "Phòng GD&ĐT")])
    with alarm(120):
        r = merge(parent, [inbox], register_from=last_year)
    assert r.written
    # the parent's bad row is named where the merge wrote it (after the three decisions: the second
    # kept row), last year's where it stays (that book's second row)
    assert [(f.file, f.row) for f in r.findings if f.code == "CDHT-M016"] == [
        (parent.name, L.HEADER_ROW + 5), (last_year.name, L.HEADER_ROW + 2)]
    rows = _register(parent)
    assert [row[0] for row in rows[:3]] == ["MAU-X0101", "MAU-X0102", "MAU-X0106"]
    assert rows[3:] == [_typed(b) for b in BAD]
    assert rows[5 - 1][2] == "hai"


def test_reading_and_rewriting_the_register_keeps_what_is_not_a_decision(kit, tmp_path):
    from cdht.ops.register import read_register, read_register_rows, register_rows
    parent = write_register(kit.parent(tmp_path / "p.xlsx"), [BAD[0], GOOD[0], BAD[4]])
    raw = read_raw(parent)
    decisions, kept, problems = read_register_rows(raw, parent.name)
    assert [d.unit for d in decisions] == ["MAU-X0102"]
    assert kept == [["" if v is None else v for v in _typed(b)] for b in (BAD[0], BAD[4])]
    assert [f.code for f in problems] == ["CDHT-M017"]
    assert read_register(raw, parent.name) == (decisions, problems)  # the decisions-only reading, unchanged
    rows = register_rows(decisions, kept)
    assert rows[0][0] == "MAU-X0102" and rows[1:] == kept


def test_a_bad_row_typed_over_a_merged_decision_drops_its_stale_computed_columns(parent_with_bad_rows):
    """The computed columns (G–I) of a row that is no longer a decision are not kept: nothing
    may say it is in force."""
    parent, inbox = parent_with_bad_rows
    with alarm(120):
        merge(parent, [inbox])
    wb = openpyxl.load_workbook(parent)
    from cdht.xlsx.names import named_bounds
    ws, r1, _, _, _ = named_bounds(wb, L.N_REGISTER)
    assert ws.cell(r1, 8).value in ("Có", "Không")
    ws.cell(r1, 3).value = "ba"  # the first decision's level retyped badly
    wb.save(parent)
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written
    rows = _register(parent)
    assert rows[0][0] == "MAU-X0102" and rows[2:] == [_typed(b) for b in BAD]
    assert rows[1][:3] == ["MAU-X0101", "Xã 1", "ba"] and rows[1][6:9] == [None, None, None]  # first in sheet order


# -------------------------------------------------------------------------------------------------
# capacity counts the kept rows
# -------------------------------------------------------------------------------------------------

def _register_size(path: Path) -> int:
    from cdht.xlsx.names import named_bounds
    _, r1, _, r2, _ = named_bounds(openpyxl.load_workbook(path), L.N_REGISTER)
    return r2 - r1 + 1


def _decisions(codes) -> list[tuple]:
    return [(c, f"Xã {c}", 1, f"{k}/QĐ-UBND", dt.datetime(YEAR, 3, 20), "Ủy ban nhân dân huyện")
            for k, c in enumerate(codes, start=1)]


def test_capacity_counts_the_kept_rows(kit, tmp_path):
    """A register full with decisions and one bad row: one more decision from last year's book
    does not fit (M044, nothing written); on main the bad row was simply dropped to make room."""
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)
    size = _register_size(parent)
    write_register(parent, _decisions([f"X{k:04d}" for k in range(1, size)]) + [BAD[1]])
    last_year = write_register(kit.parent(tmp_path / "nam-truoc.xlsx", unit=None), _decisions(["X9999"]))
    inbox = inbox_with(kit, tmp_path / "inbox", ["MAU-X0101"])
    before = parent.read_bytes()
    with alarm(180):
        r = merge(parent, [inbox], register_from=last_year)
    assert not r.written and parent.read_bytes() == before
    [f] = [f for f in r.findings if f.code == "CDHT-M044"]
    assert f.facts["rows"] == size + 1 and f.facts["size"] == size
    with alarm(180):
        r = merge(parent, [inbox])  # without last year's book it fits exactly: the bad row is the last
    assert r.written and "CDHT-M044" not in [f.code for f in r.findings]
    rows = _register(parent)
    assert len(rows) == size and rows[-1] == _typed(BAD[1])


# -------------------------------------------------------------------------------------------------
# 2. no return workbook when the parent is not written
# -------------------------------------------------------------------------------------------------

def _returning_inbox(kit, folder: Path) -> Path:
    kit.commune(folder / "a.xlsx", "MAU-X0101")
    kit.commune(folder / "c.xlsx", "MAU-X0103", evidence=False)  # no evidence: returned
    return folder


def _merge_cli(parent: Path, inbox: Path, out: Path, *extra) -> dict:
    res = CliRunner().invoke(main, ["merge", str(parent), str(inbox), "--return-dir", str(out), "--json", *extra])
    assert res.exit_code in (0, 2), res.output
    return {**json.loads(res.stdout), "exit_code": res.exit_code}


def test_return_workbooks_are_written_with_the_parent(kit, tmp_path):
    parent = kit.parent(tmp_path / "p.xlsx")
    out = _merge_cli(parent, _returning_inbox(kit, tmp_path / "inbox"), tmp_path / "tra-lai")
    assert out["written"] and [Path(p).name for p in out["return_workbooks"]] == [f"TRA-LAI_{YEAR}_MAU-X0103.xlsx"]
    assert "CDHT-W067" not in [f["code"] for f in out["findings"]]


def _full_register(kit, parent: Path, monkeypatch, tmp_path) -> tuple:
    size = _register_size(parent)
    write_register(parent, _decisions([f"X{k:04d}" for k in range(1, size + 1)]))
    last_year = write_register(kit.parent(tmp_path / "nam-truoc.xlsx", unit=None), _decisions(["X9999"]))
    return "CDHT-M044", ("--register-from", str(last_year))


def _full_log(kit, parent: Path, monkeypatch, tmp_path) -> tuple:
    from cdht.ops.merge import capacity
    monkeypatch.setattr(capacity, "EXCEL_MAX_ROWS", L.HEADER_ROW + 1)  # Excel's last row, in small: one row of room
    return "CDHT-M046", ()


def _disk_full(kit, parent: Path, monkeypatch, tmp_path) -> tuple:
    import cdht.ops.merge as m
    monkeypatch.setattr(m, "save_safely", lambda wb, path: finding("CDHT-W023", file=Path(path).name,
                                                                   reason="hết dung lượng đĩa"))
    return "CDHT-W023", ()


@pytest.mark.parametrize("refusal", [_full_register, _full_log, _disk_full])
def test_no_return_workbook_when_the_parent_write_is_refused(kit, tmp_path, monkeypatch, refusal):
    parent = kit.parent(tmp_path / "tong-hop" / "p.xlsx", unit=None)
    code, extra = refusal(kit, parent, monkeypatch, tmp_path)
    before = parent.read_bytes()
    returns = tmp_path / "tra-lai"
    out = _merge_cli(parent, _returning_inbox(kit, tmp_path / "inbox"), returns, *extra)
    codes = [f["code"] for f in out["findings"]]
    assert out["exit_code"] == 2 and not out["written"] and code in codes
    assert out["return_workbooks"] == [] and not returns.exists()  # the run changed nothing, left nothing
    assert parent.read_bytes() == before
    [note] = [f for f in out["findings"] if f["code"] == "CDHT-W067"]
    assert note["file"] == parent.name and "1 sổ tính trả lại" in note["message"] and str(returns) in note["message"]


def test_the_note_is_shown_to_the_clerk(kit, tmp_path, monkeypatch):
    parent = kit.parent(tmp_path / "tong-hop" / "p.xlsx", unit=None)
    _disk_full(kit, parent, monkeypatch, tmp_path)
    res = CliRunner().invoke(main, ["merge", str(parent), str(_returning_inbox(kit, tmp_path / "inbox")),
                                    "--return-dir", str(tmp_path / "tra-lai")])
    assert res.exit_code == 2 and "[CDHT-W023]" in res.output and "[CDHT-W067]" in res.output
    assert "Đã ghi" not in res.output and not (tmp_path / "tra-lai").exists()


def test_a_carried_decisions_finding_names_its_row_in_the_parent(kit, parent_with_bad_rows, tmp_path):
    """A decision carried from last year's book is written into the parent: once written, its
    finding (here P015, a level 2 too soon after level 1) names the parent and the row it is in;
    a dry run, which moves nothing, names last year's book and its row there."""
    parent, inbox = parent_with_bad_rows
    last_year = write_register(kit.parent(tmp_path / "nam-truoc.xlsx"),
                               [("MAU-X0107", "Xã 7", 1, "11/QĐ-PGD", dt.datetime(YEAR, 1, 10), "Phòng GD&ĐT"),
                                ("MAU-X0107", "Xã 7", 2, "12/QĐ-PGD", dt.datetime(YEAR, 3, 1), "Phòng GD&ĐT")])
    with alarm(120):
        dry = merge(parent, [inbox], register_from=last_year, dry_run=True)
        r = merge(parent, [inbox], register_from=last_year)
    assert [(f.file, f.row) for f in dry.findings if f.code == "CDHT-P015"] == [(last_year.name, L.HEADER_ROW + 2)]
    assert r.written
    [p015] = [f for f in r.findings if f.code == "CDHT-P015"]
    rows = _register(parent)
    assert p015.file == parent.name and rows[p015.row - L.HEADER_ROW - 1][:4] == ["MAU-X0107", "Xã 7", 2, "12/QĐ-PGD"]
