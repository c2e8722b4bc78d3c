"""Upward merge (addin/merge.py): quarantine, safety, idempotence, duplicates, the register and the
90 % rule (spec §5), completeness and deadlines, the two-tier edition, and the CLI."""
from __future__ import annotations

import datetime as dt
import os
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cdht.edition as edition_mod
from cdht.cli.main import main
import cdht.ops.merge as merge_mod
from cdht.ops.merge.updates import REFUSED_AGAIN_NOTE, SKIPPED_AGAIN_NOTE, UNCHANGED_NOTE
from cdht.ops.merge import merge
from cdht.ops.register import Decision, add_months, standing
from cdht import contract as L
from cdht.edition import load_edition
from cdht.evaluate import evaluate
from tests import corpus
from tests.merge_fixtures import (DEADLINE, H01_COMMUNES, LATE, ON_TIME, TWO_TIER, YEAR, Kit,
                                  named, rows_of, set_mtime, sha256, sheet_cells, unit_list_csv,
                                  write_register)

HUYEN_41 = ("huyen_4_1_tong_so_xa", "huyen_4_1_so_xa_muc_do_1", "huyen_4_1_so_xa_muc_do_2")
REF = dt.date(YEAR, 12, 31)
DECIDED = dt.date(YEAR + 1, 3, 20)  # a decision of this round, before the 31/03 N+1 deadline


def decide(parent: Path, unit_levels, when: dt.date = DECIDED) -> Path:
    """Recognition is a decision, not an appraisal (issue 12): one register row per unit with a level."""
    return write_register(parent, [(u, u, lv, f"{k}/QĐ", when, "Cơ quan có thẩm quyền")
                                   for k, (u, lv) in enumerate(unit_levels, start=1) if lv])


@pytest.fixture
def parent(kit, tmp_path) -> Path:
    return kit.parent(tmp_path / "tong-hop" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx")


def codes(items) -> list[str]:
    return sorted(i["code"] if isinstance(i, dict) else i.code for i in items)


def inbox_with(kit, folder: Path, units, **kw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for u in units:
        kit.commune(folder / f"CDHT_{YEAR}_xa_{u}.xlsx", u, **kw)
    return folder


def bad_dir(tmp_path: Path) -> Path:
    d = tmp_path / "bad"
    d.mkdir(exist_ok=True)
    return d


def moved(path: Path, folder: Path, name: str | None = None) -> Path:
    """Move a built bad input into the inbox (its builder's own template stays behind)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.move(str(path), folder / (name or path.name)))


# -------------------------------------------------------------------------------------------------
# Quarantine: every reason, one bad file never stops the rest
# -------------------------------------------------------------------------------------------------

UNREADABLE = [
    ("not_xlsx", corpus.make_not_xlsx, "CDHT-W002"),
    ("corrupt_zip", corpus.make_corrupt_zip, "CDHT-W002"),
    ("encrypted", corpus.make_encrypted, "CDHT-W003"),
    ("legacy_xls", corpus.make_legacy_xls, "CDHT-W004"),
    ("legacy_renamed", corpus.make_legacy_renamed, "CDHT-W004"),
    ("not_ours", corpus.make_not_ours, "CDHT-W006"),
    ("unknown_edition", corpus.make_unknown_edition, "CDHT-W007"),
    ("zip_bomb", corpus.make_zip_bomb, "CDHT-W024"),
]


@pytest.mark.parametrize("case,build,code", UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_unreadable_source_is_refused_and_the_rest_merge(kit, parent, tmp_path, case, build, code):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    bad = moved(build(bad_dir(tmp_path)), inbox)
    r = merge(parent, [inbox])
    d = r.as_dict()
    assert [x["code"] for x in d["refused"]] == [code]
    assert d["refused"][0]["file"] == str(bad)
    assert sorted(m["unit_code"] for m in d["merged"]) == H01_COMMUNES[:2]
    assert r.written
    log = rows_of(parent, L.N_LOG)
    assert any(row[1] == "Từ chối" and row[2] == bad.name and row[5] == code for row in log)


def test_every_mismatch_reason_in_one_folder(kit, parent, tmp_path):
    """M001 tier, M002 year, M003 edition, M004 foreign unit, M008 tampered — all in one folder
    with good files; each is refused with its code and the good ones merge."""
    inbox = inbox_with(kit, tmp_path / "inbox", ["MAU-X0102", "MAU-X0103"])
    bad = bad_dir(tmp_path)
    moved(corpus.filled(bad / "huyen.xlsx", "huyen"), inbox, "sai-cap.xlsx")                 # M001
    moved(corpus.make_wrong_year(bad), inbox, "sai-nam.xlsx")                               # M002
    two = Kit(tmp_path / "kit2", edition=load_edition(TWO_TIER))
    two.commune(inbox / "sai-bo-tieu-chi.xlsx", "MAU-X0104")                                 # M003
    kit.commune(inbox / "xa-huyen-khac.xlsx", "MAU-X0201")                                   # M004
    moved(corpus.make_protection_removed(bad), inbox, "sua-cong-thuc.xlsx")                  # M008
    r = merge(parent, [inbox], now=ON_TIME)  # received (first seen) before the deadline
    got = {Path(x["file"]).name: x["code"] for x in r.as_dict()["refused"]}
    assert got == {"sai-cap.xlsx": "CDHT-M001", "sai-nam.xlsx": "CDHT-M002",
                   "sai-bo-tieu-chi.xlsx": "CDHT-M003", "xa-huyen-khac.xlsx": "CDHT-M004",
                   "sua-cong-thuc.xlsx": "CDHT-M008"}
    assert sorted(m.unit_code for m in r.merged) == ["MAU-X0102", "MAU-X0103"]
    assert all(m.status == L.Status.RECEIVED.value for m in r.merged)
    assert r.written
    # the return list names every refused file with its code
    returns = rows_of(parent, L.N_RETURNS)
    listed = {(row[2], row[3]) for row in returns}
    for name, code in got.items():
        assert (name, code) in listed
    # refused units stay "Chưa nộp"/"Trả lại", never "Đã nộp"
    children = {row[0]: row for row in rows_of(parent, L.N_CHILDREN)}
    assert children["MAU-X0102"][2] == L.Status.RECEIVED.value
    assert children["MAU-X0101"][2] == L.Status.RETURNED.value  # tampered file of X0101 was refused
    assert "MAU-X0201" not in children


def test_lock_files_and_non_workbooks_are_skipped_with_notes(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", ["MAU-X0101"])
    (inbox / ("~$" + f"CDHT_{YEAR}_xa_MAU-X0101.xlsx")).write_bytes(b"\x09Can bo xa".ljust(165, b" "))
    (inbox / ".~lock.bao-cao.xlsx#").write_text("x")
    (inbox / "ghi-chu.txt").write_text("ghi chú", encoding="utf-8")
    (inbox / "anh.pdf").write_bytes(b"%PDF-1.4")
    r = merge(parent, [inbox])
    d = r.as_dict()
    assert codes(d["skipped"]) == ["CDHT-M010", "CDHT-M010", "CDHT-W005", "CDHT-W005"]
    assert d["refused"] == []
    assert [m["unit_code"] for m in d["merged"]] == ["MAU-X0101"]
    log = rows_of(parent, L.N_LOG)
    assert sum(1 for row in log if row[1] == "Bỏ qua") == 4


def test_incomplete_and_evidence_errors_make_the_row_returned(kit, parent, tmp_path):
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "a.xlsx", "MAU-X0101")
    kit.commune(inbox / "b.xlsx", "MAU-X0102", overrides={"xa_5_2_so_dai_hoc": None})  # M014
    kit.commune(inbox / "c.xlsx", "MAU-X0103", evidence=False)                          # M015
    r = merge(parent, [inbox], now=ON_TIME)
    by = {m.unit_code: m for m in r.merged}
    assert by["MAU-X0101"].status == L.Status.RECEIVED.value
    assert by["MAU-X0102"].status == L.Status.RETURNED.value and by["MAU-X0102"].level is None
    assert "CDHT-M014" in {f.code for f in by["MAU-X0102"].findings}
    assert by["MAU-X0103"].status == L.Status.RETURNED.value and by["MAU-X0103"].evidence_errors > 0
    assert "CDHT-M015" in {f.code for f in by["MAU-X0103"].findings}
    # return list: findings listed per unit, none for the clean unit
    returns = rows_of(parent, L.N_RETURNS)
    units = {row[0] for row in returns}
    assert units == {"MAU-X0102", "MAU-X0103"}
    assert {row[3] for row in returns if row[0] == "MAU-X0102"} >= {"CDHT-M014"}
    assert {row[3] for row in returns if row[0] == "MAU-X0103"} >= {"CDHT-M015"}
    assert all(row[6] for row in returns)  # every listed finding has its message
    children = {row[0]: row for row in rows_of(parent, L.N_CHILDREN)}
    assert children["MAU-X0102"][2] == L.Status.RETURNED.value
    assert children["MAU-X0101"][2] == L.Status.RECEIVED.value


# -------------------------------------------------------------------------------------------------
# Safety: sources untouched, dry run writes nothing, idempotence
# -------------------------------------------------------------------------------------------------

def test_sources_bytes_unchanged_after_real_merge(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES)
    moved(corpus.make_not_xlsx(bad_dir(tmp_path)), inbox)
    before = {p: (sha256(p), p.stat().st_mtime) for p in inbox.rglob("*") if p.is_file()}
    r = merge(parent, [inbox])
    assert r.written
    after = {p: (sha256(p), p.stat().st_mtime) for p in inbox.rglob("*") if p.is_file()}
    assert after == before  # same files, same bytes, same mtimes; nothing added to the inbox


def test_dry_run_writes_nothing(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES)
    folder_before = sorted(p.name for p in parent.parent.iterdir())
    digest = sha256(parent)
    r = merge(parent, [inbox], dry_run=True)
    assert not r.written
    assert len(r.merged) == 6 and r.derived["huyen_4_1_tong_so_xa"] == 6
    assert sha256(parent) == digest
    assert sorted(p.name for p in parent.parent.iterdir()) == folder_before  # no backup either


def test_merging_twice_gives_the_same_workbook_except_the_log(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:4])
    moved(corpus.make_not_xlsx(bad_dir(tmp_path)), inbox)
    (inbox / "ghi-chu.txt").write_text("x")
    merge(parent, [inbox], now=dt.datetime(2027, 3, 1, 8, 0))
    first = sheet_cells(parent, skip=(L.SHEET_LOG,))
    log1 = rows_of(parent, L.N_LOG)
    merge(parent, [inbox], now=dt.datetime(2027, 3, 2, 9, 30))   # a later run, same files
    second = sheet_cells(parent, skip=(L.SHEET_LOG,))
    log2 = rows_of(parent, L.N_LOG)
    assert second == first
    # append-only; the receipt ledger's rows ("Nhận hồ sơ", one per content) are written once only;
    # the four units merged again exactly as the parent shows them are one row, and so are the
    # refused file and the skipped one, which the log already names with the same code and reason
    run_rows = [row for row in log1 if row[1] != "Nhận hồ sơ"]
    merged_rows = [row for row in run_rows if row[1] == "Gộp"]
    assert len(merged_rows) == 4 and log2[:len(log1)] == log1
    assert sorted(row[1] for row in run_rows if row[1] != "Gộp") == ["Bỏ qua", "Từ chối"]
    assert [row[1:] for row in log2[len(log1):]] == [
        ["Gộp", None, None, None, None, UNCHANGED_NOTE.format(count=4)],
        ["Từ chối", None, None, None, None, REFUSED_AGAIN_NOTE.format(count=1)],
        ["Bỏ qua", None, None, None, None, SKIPPED_AGAIN_NOTE.format(count=1)]]
    assert sum(1 for row in log2 if row[1] == "Nhận hồ sơ") == 4


def test_the_log_names_what_changed_since_the_last_merge(kit, parent, tmp_path):
    """A clerk merges again as files arrive: a source renamed, replaced by new content or newly
    arrived gets its own log row; the ones the parent already shows exactly so are counted in one."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:4])
    merge(parent, [inbox], now=dt.datetime(2027, 3, 1, 8, 0))
    before = len(rows_of(parent, L.N_LOG))
    files = sorted(inbox.glob("*.xlsx"))
    files[0].rename(inbox / "nop-lai.xlsx")                       # same content, another name
    inbox_with(kit, tmp_path / "moi", H01_COMMUNES[4:5])          # one more unit arrives
    r = merge(parent, [inbox, tmp_path / "moi"], now=dt.datetime(2027, 3, 2, 9, 30))
    assert r.written and len(r.merged) == 5
    added = [row[1:5] + row[6:7] for row in rows_of(parent, L.N_LOG)[before:]]
    gop = [row for row in added if row[0] == "Gộp"]
    arrived = next(m.file.name for m in r.merged if m.unit_code == H01_COMMUNES[4])
    assert sorted(row[1] for row in gop if row[1]) == sorted(["nop-lai.xlsx", arrived])
    assert [row for row in gop if not row[1]] == [["Gộp", None, None, None, UNCHANGED_NOTE.format(count=3)]]
    assert [row[0] for row in added].count("Nhận hồ sơ") == 1     # the new content's receipt only


def test_merging_twice_without_now(kit, parent, tmp_path):
    """The same, through the clock (the CLI never passes ``now``)."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:3])
    merge(parent, [inbox])
    first = sheet_cells(parent, skip=(L.SHEET_LOG,))
    import time
    time.sleep(1.1)
    merge(parent, [inbox])
    assert sheet_cells(parent, skip=(L.SHEET_LOG,)) == first


# -------------------------------------------------------------------------------------------------
# Resubmissions and duplicates
# -------------------------------------------------------------------------------------------------

def test_newer_file_replaces_row_older_is_refused(kit, parent, tmp_path):
    """A content received later replaces the row; a content received before the one merged never
    does (M007). "Received" is the receipt ledger's day (issue 12, case 7), not the file's mtime."""
    u = "MAU-X0101"
    first = kit.commune(tmp_path / "r1" / "v1.xlsx", u, when=dt.datetime(YEAR + 1, 2, 10, 9))
    merge(parent, [first], now=dt.datetime(YEAR + 1, 2, 10, 9))
    assert {r[0]: r for r in rows_of(parent, L.N_CHILDREN)}[u][-5] == "v1.xlsx"
    newer = kit.commune(tmp_path / "r2" / "v2.xlsx", u, overrides={"tong_so_cong_dan": 1001},
                        when=dt.datetime(YEAR + 1, 1, 1, 9))  # an old mtime changes nothing
    r = merge(parent, [newer], now=dt.datetime(YEAR + 1, 2, 20, 9))
    assert [m.file.name for m in r.merged] == ["v2.xlsx"] and r.refused == []
    row = {r[0]: r for r in rows_of(parent, L.N_CHILDREN)}[u]
    assert row[-5] == "v2.xlsx" and row[-4] == sha256(newer)[:12]
    assert row[3].date() == dt.date(YEAR + 1, 2, 20)
    r = merge(parent, [first], now=dt.datetime(YEAR + 1, 2, 25, 9))  # v1 again: received on 10/02
    assert codes(r.refused) == ["CDHT-M007"] and r.merged == []
    row = {r[0]: r for r in rows_of(parent, L.N_CHILDREN)}[u]
    assert row[-5] == "v2.xlsx"  # kept


@pytest.mark.parametrize("policy,expect_codes,kept", [
    ("newest", ["CDHT-M005"], "moi.xlsx"),
    ("error", ["CDHT-M006", "CDHT-M006"], None),
    ("keep", ["CDHT-M005"], "cu.xlsx"),
])
def test_duplicates_in_one_run(kit, parent, tmp_path, policy, expect_codes, kept):
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "cu.xlsx", "MAU-X0101", when=dt.datetime(YEAR + 1, 2, 1, 9))
    kit.commune(inbox / "moi.xlsx", "MAU-X0101", overrides={"tong_so_cong_dan": 1001},
                when=dt.datetime(YEAR + 1, 2, 5, 9))
    kit.commune(inbox / "khac.xlsx", "MAU-X0102")
    r = merge(parent, [inbox], on_duplicate=policy)
    assert codes(r.refused) == expect_codes
    merged = {m.unit_code: m.file.name for m in r.merged}
    assert merged.get("MAU-X0101") == kept
    assert merged["MAU-X0102"] == "khac.xlsx"  # the other unit is not affected
    if kept is None:  # both returned: "Trả lại", never "Chưa nộp" (issue 12, case 8)
        assert "MAU-X0101" not in r.missing_units and "MAU-X0101" in r.returned_units


def test_keep_refuses_a_changed_resubmission(kit, parent, tmp_path):
    u = "MAU-X0101"
    merge(parent, [kit.commune(tmp_path / "a" / "v1.xlsx", u)])
    newer = kit.commune(tmp_path / "b" / "v2.xlsx", u, overrides={"tong_so_cong_dan": 1001},
                        when=dt.datetime(YEAR + 1, 2, 25, 9))
    r = merge(parent, [newer], on_duplicate="keep")
    assert codes(r.refused) == ["CDHT-M007"]
    assert {r[0]: r for r in rows_of(parent, L.N_CHILDREN)}[u][-5] == "v1.xlsx"


# -------------------------------------------------------------------------------------------------
# Register (spec §5): 36-month validity, 12-month upgrade, carried from last year
# -------------------------------------------------------------------------------------------------

def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2023, 12, 31), 36) == dt.date(2026, 12, 31)
    assert add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)


def test_validity_edge_unit():
    s = load_edition().settings
    inside = Decision("A", "", 1, "1/QĐ", dt.date(2024, 1, 1))
    outside = Decision("B", "", 1, "2/QĐ", dt.date(2023, 12, 31))
    future = Decision("C", "", 2, "3/QĐ", dt.date(YEAR + 1, 1, 1))
    for d in (inside, outside, future):
        d.evaluate(REF, s)
    # default reading: a decision dated in year Y recognises assessment year Y-1, in force for
    # assessment years Y-1 .. Y+2 ("03 năm (36 tháng) tiếp theo năm được công nhận")
    assert inside.recognised_year == 2023 and inside.valid_through_year == 2026
    assert inside.valid_until == dt.date(2026, 12, 31)
    assert inside.in_force
    assert outside.valid_until == dt.date(2025, 12, 31) and not outside.in_force
    # a decision of 01/01/N+1 is this round's decision for year N: it counts (issue 12, case 4)
    assert future.recognised_year == YEAR and future.in_force
    assert standing("A", [inside, outside], None) == 1
    assert standing("B", [inside, outside], None) == 0
    assert standing("B", [inside, outside], 2) == 0  # an appraisal is not a recognition (case 3)


def test_register_edges_through_merge(kit, parent, tmp_path):
    """Decisions typed in the parent's register: validity edge and upgrade edge, and their effect
    on huyen.4.1 (a unit with a decision in force counts without submitting)."""
    in_edge, out_edge = dt.date(2024, 1, 1), dt.date(2023, 12, 31)
    up_in = add_months(REF, -12)                     # 2025-12-31: may upgrade from 31/12/2026
    up_out = up_in + dt.timedelta(days=1)            # 2026-01-01: from 01/01/2027
    write_register(parent, [
        ("MAU-X0101", "Xã 1", 1, "10/QĐ-PGD", in_edge, "Phòng GD&ĐT"),
        ("MAU-X0102", "Xã 2", 2, "11/QĐ-PGD", out_edge, "Phòng GD&ĐT"),
        ("MAU-X0103", "Xã 3", 1, "12/QĐ-PGD", up_in, "Phòng GD&ĐT"),
        ("MAU-X0104", "Xã 4", 1, "13/QĐ-PGD", up_out, "Phòng GD&ĐT"),
    ])
    r = merge(parent, [], dry_run=False)
    reg = {d.unit: d for d in r.register}
    assert reg["MAU-X0101"].valid_until == dt.date(2026, 12, 31) and reg["MAU-X0101"].in_force
    assert reg["MAU-X0102"].valid_until == dt.date(2025, 12, 31) and not reg["MAU-X0102"].in_force
    assert reg["MAU-X0103"].upgrade_from == add_months(up_in, 12) == REF
    assert reg["MAU-X0104"].upgrade_from == dt.date(YEAR + 1, 1, 1) > REF
    assert reg["MAU-X0102"].upgrade_from is None  # level 2: no upgrade date
    # X0101, X0103, X0104 in force at level 1; X0102 expired
    assert r.derived == {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 3,
                         "huyen_4_1_so_xa_muc_do_2": 0}
    # written back with the computed columns
    rows = {row[0]: row for row in rows_of(parent, L.N_REGISTER)}
    assert rows["MAU-X0101"][7] == "Có" and rows["MAU-X0102"][7] == "Không"
    assert rows["MAU-X0101"][6].date() == dt.date(2026, 12, 31)
    assert rows["MAU-X0103"][8].date() == REF


def test_bad_register_row_is_reported(kit, parent, tmp_path):
    write_register(parent, [("MAU-X0101", "Xã 1", 3, "1/QĐ", "không rõ", "")])
    r = merge(parent, [], dry_run=True)
    assert codes(r.findings) == ["CDHT-M011"] * 6 + ["CDHT-M016", "CDHT-M017"]  # one per problem of the row
    bad = [f for f in r.findings if f.code != "CDHT-M011"]  # (M011: the six communes sent nothing)
    assert {f.row for f in bad} == {bad[0].row} and bad[0].row
    assert r.register == []


def test_register_from_last_year(kit, tmp_path):
    last_kit = Kit(tmp_path / "kit2025", year=YEAR - 1)
    last = last_kit.parent(tmp_path / "2025" / f"CDHT_{YEAR - 1}_huyen_MAU-H01.xlsx")
    write_register(last, [
        ("MAU-X0101", "Xã 1", 2, "5/QĐ-PGD", dt.date(2025, 3, 20), "Phòng GD&ĐT"),
        ("MAU-X0102", "Xã 2", 1, "6/QĐ-PGD", dt.date(2023, 12, 31), "Phòng GD&ĐT"),  # expires 30/12/2026
    ])
    last_digest = sha256(last)
    kit = Kit(tmp_path / "kit2026")
    parent = kit.parent(tmp_path / "2026" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx")
    write_register(parent, [("MAU-X0103", "Xã 3", 1, "7/QĐ-PGD", dt.date(2026, 3, 25), "Phòng GD&ĐT")])
    r = merge(parent, [], register_from=last)
    assert sha256(last) == last_digest  # last year's workbook is only read
    reg = {d.unit: d for d in r.register}
    assert set(reg) == {"MAU-X0101", "MAU-X0102", "MAU-X0103"}
    assert reg["MAU-X0101"].in_force and not reg["MAU-X0102"].in_force and reg["MAU-X0103"].in_force
    assert r.derived["huyen_4_1_so_xa_muc_do_1"] == 2 and r.derived["huyen_4_1_so_xa_muc_do_2"] == 1
    assert {row[0] for row in rows_of(parent, L.N_REGISTER)} == set(reg)
    # carrying twice does not duplicate decisions
    r2 = merge(parent, [], register_from=last)
    assert len(r2.register) == 3


# -------------------------------------------------------------------------------------------------
# The 90 % rule from merged data (huyen.4.1 / tinh.4.1)
# -------------------------------------------------------------------------------------------------

def _huyen_parent_values():
    return {k: v for k, v in corpus.PASSING["huyen"].items() if k not in HUYEN_41}


@pytest.mark.parametrize("levels,n1,n2,parent_level", [
    ([2, 2, 2, 2, 2, 1], 6, 5, 1),   # 5/6 = 83 % < 90 %: level 2 fails
    ([2, 2, 2, 2, 2, 2], 6, 6, 2),
    ([2, 2, 2, 2, 1, 0], 5, 4, 0),   # 5/6 at level 1: nothing
])
def test_ninety_percent_rule_district(kit, tmp_path, levels, n1, n2, parent_level):
    parent = kit.parent(tmp_path / "p.xlsx", values=_huyen_parent_values())
    inbox = tmp_path / "inbox"
    for u, lv in zip(H01_COMMUNES, levels):
        kit.commune(inbox / f"{u}.xlsx", u, appraised=lv)
    decide(parent, zip(H01_COMMUNES, levels))
    r = merge(parent, [inbox])
    assert r.derived == {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": n1,
                         "huyen_4_1_so_xa_muc_do_2": n2}
    assert r.parent_level == parent_level
    # the derived values are in the parent's named cells
    assert named(parent, HUYEN_41) == r.derived
    tier = kit.edition.tier("huyen")
    ind = evaluate(tier, {**_huyen_parent_values(), **r.derived}).indicators["huyen.4.1"]
    assert ind.level2 is (n2 * 10 >= 9 * 6)


@pytest.mark.parametrize("levels,level1,level2", [
    ([2] * 9 + [1], True, True),       # 9/10 at level 2 = exactly 90 %
    ([2] * 8 + [1, 1], True, False),   # 8/10 at level 2
    ([2] * 8 + [1, 0], True, False),   # 9/10 at level 1 = exactly 90 %
    ([2] * 8 + [0, 0], False, False),  # 8/10
])
def test_ninety_percent_exact_edge(tmp_path, levels, level1, level2):
    csv = unit_list_csv(tmp_path / "don-vi.csv", "THU-H01", 10)
    kit = Kit(tmp_path / "kit", units_csv=csv)
    parent = kit.parent(tmp_path / "p.xlsx", unit="THU-H01", values=_huyen_parent_values())
    inbox = tmp_path / "inbox"
    for k, lv in enumerate(levels, start=1):
        kit.commune(inbox / f"x{k}.xlsx", f"THU-X{k:02d}", appraised=lv, blank=True)
    decide(parent, [(f"THU-X{k:02d}", lv) for k, lv in enumerate(levels, start=1)])
    r = merge(parent, [inbox])
    assert r.refused == [] and len(r.merged) == 10
    ind = evaluate(kit.edition.tier("huyen"), {**_huyen_parent_values(), **r.derived}).indicators["huyen.4.1"]
    assert ind.level1 is level1 and ind.level2 is level2
    assert r.parent_level == (2 if level2 else 1 if level1 else 0)


def test_level2_not_counted_toward_level1_setting(tmp_path, monkeypatch):
    base = Path(edition_mod.CATALOGUE_DIR) / "tt25-2023.yaml"
    custom = tmp_path / "tt25-2023-thu.yaml"
    custom.write_text(f"base: {base}\nedition: tt25-2023-thu\nversion: \"thu\"\n"
                      "settings:\n  level2_counts_toward_level1: false\n", encoding="utf-8")
    shipped = edition_mod.shipped_editions
    monkeypatch.setattr(edition_mod, "shipped_editions", lambda: shipped() + [custom])
    ed = load_edition(custom)
    assert ed.settings.level2_counts_toward_level1 is False
    kit = Kit(tmp_path / "kit", edition=ed)
    parent = kit.parent(tmp_path / "p.xlsx")
    inbox = tmp_path / "inbox"
    for u, lv in zip(H01_COMMUNES, [2, 2, 2, 2, 1, 1]):
        kit.commune(inbox / f"{u}.xlsx", u, appraised=lv)
    decide(parent, zip(H01_COMMUNES, [2, 2, 2, 2, 1, 1]))
    r = merge(parent, [inbox])
    assert r.refused == []
    assert r.derived == {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 2,
                         "huyen_4_1_so_xa_muc_do_2": 4}
    # the default edition counts level 2 toward level 1
    kit0 = Kit(tmp_path / "kit0")
    parent0 = kit0.parent(tmp_path / "p0.xlsx")
    inbox0 = tmp_path / "inbox0"
    for u, lv in zip(H01_COMMUNES, [2, 2, 2, 2, 1, 1]):
        kit0.commune(inbox0 / f"{u}.xlsx", u, appraised=lv)
    decide(parent0, zip(H01_COMMUNES, [2, 2, 2, 2, 1, 1]))
    assert merge(parent0, [inbox0]).derived["huyen_4_1_so_xa_muc_do_1"] == 6


def test_province_counts_merged_districts(kit, tmp_path):
    """tinh.4.1 from merged district workbooks (each appraised by the province council)."""
    prov = kit.parent(tmp_path / "tinh.xlsx", unit="MAU-T01", tier="tinh")
    inbox = tmp_path / "inbox"
    huyen = kit.edition.tier("huyen")
    from tests.merge_fixtures import appraisal
    from cdht.fill import evidence_for, fill
    for u, lv in (("MAU-H01", 2), ("MAU-H02", 1)):
        p = fill(kit.template("huyen", u), inbox / f"{u}.xlsx", corpus.PASSING["huyen"],
                 evidence=evidence_for(huyen, dt.date(YEAR, 6, 1)), appraisal=appraisal(huyen, lv))
        set_mtime(p, dt.datetime(YEAR + 1, 4, 10, 9))
    decide(prov, [("MAU-H01", 2), ("MAU-H02", 1)], dt.date(YEAR + 1, 5, 20))  # before 31/05 N+1
    r = merge(prov, [inbox], now=dt.datetime(YEAR + 1, 4, 10, 9))  # first seen before 30/04 N+1
    assert r.refused == [] and [m.status for m in r.merged] == [L.Status.RECEIVED.value] * 2
    assert r.derived == {"tinh_4_1_tong_so_huyen": 2, "tinh_4_1_so_huyen_muc_do_1": 2,
                         "tinh_4_1_so_huyen_muc_do_2": 1}
    assert named(prov, r.derived) == r.derived
    assert r.as_dict()["completeness"]["on_time"] == 2  # before 30/04 N+1


# -------------------------------------------------------------------------------------------------
# Parent contents: inert text, return list, completeness
# -------------------------------------------------------------------------------------------------

def _with_text_name(src: Path, text: str) -> Path:
    """``text`` typed into the unit name as text (a shared string, not a formula)."""
    from cdht.fill import cell_of
    wb = openpyxl.load_workbook(src)
    cell = cell_of(wb, L.N_UNIT_NAME)
    cell.value = text
    cell.data_type = "s"
    wb.save(src)
    return set_mtime(src, ON_TIME)


def _cells_holding(path: Path, text: str) -> list:
    wb = openpyxl.load_workbook(path)
    try:
        return [(ws.title, c.coordinate, c.data_type) for ws in wb.worksheets for row in ws.iter_rows()
                for c in row if c.value == text]
    finally:
        wb.close()


def _no_formula_in_xml(path: Path, needle: str = "HYPERLINK") -> None:
    import zipfile
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                xml = z.read(n).decode("utf-8")
                assert f"<f>{needle}" not in xml, n


EVIL = '=HYPERLINK("http://x","y")'


def test_formula_text_from_a_source_stays_inert(kit, tmp_path):
    """Text that looks like a formula, copied from a source, lands in the parent as text wherever
    it lands (blank parent: any unit accepted; sheet "Danh sách trả lại" or "Đơn vị cấp dưới")."""
    parent = kit.parent(tmp_path / "p.xlsx", unit=None)
    _with_text_name(kit.commune(tmp_path / "inbox" / "x.xlsx", "ABC-X01", blank=True), EVIL)
    r = merge(parent, [tmp_path / "inbox"])
    assert r.written and len(r.merged) + len(r.refused) == 1
    hits = _cells_holding(parent, EVIL)
    assert hits, "the unit name was not copied anywhere"
    assert all(dtype == "s" for _, _, dtype in hits), hits
    _no_formula_in_xml(parent)


def test_formula_text_in_expected_unit_row_stays_inert(kit, parent, tmp_path):
    _with_text_name(kit.commune(tmp_path / "inbox" / "x.xlsx", "MAU-X0101"), EVIL)
    merge(parent, [tmp_path / "inbox"])
    hits = _cells_holding(parent, EVIL)
    assert hits  # (the row of an expected unit keeps the name from the parent's own list)
    assert all(dtype == "s" for _, _, dtype in hits), hits
    _no_formula_in_xml(parent)


def test_formula_like_text_in_an_input_cell_is_not_tampering(kit, tmp_path):
    parent = kit.parent(tmp_path / "p.xlsx", unit=None)
    _with_text_name(kit.commune(tmp_path / "inbox" / "x.xlsx", "ABC-X01", blank=True), EVIL)
    r = merge(parent, [tmp_path / "inbox"])
    assert [m.unit_code for m in r.merged] == ["ABC-X01"] and r.refused == []


def test_completeness_on_time_late_missing(kit, parent, tmp_path):
    """Received = the day the merge first saw the file; "trước ngày 28/02" read strictly: a file
    first seen on 28/02 itself is late (issue 12, case 7)."""
    days = {"MAU-X0101": DEADLINE - dt.timedelta(days=1), "MAU-X0102": ON_TIME.date(), "MAU-X0103": DEADLINE,
            "MAU-X0104": LATE.date()}
    for k, (u, day) in enumerate(days.items()):
        f = kit.commune(tmp_path / f"nop-{k}" / f"{u}.xlsx", u, when=ON_TIME)  # mtimes all on time: ignored
        merge(parent, [f], now=dt.datetime.combine(day, dt.time(9)))
    r = merge(parent, [tmp_path / f"nop-{k}" for k in range(4)], now=LATE + dt.timedelta(days=30))
    d = r.as_dict()
    assert d["completeness"] == {"expected": 6, "received": 4, "on_time": 2, "late": 2, "missing": 2,
                                 "returned": 0, "deadline": DEADLINE.isoformat()}
    assert d["missing_units"] == ["MAU-X0105", "MAU-X0106"]
    on_time = {m["unit_code"]: m["on_time"] for m in d["merged"]}
    assert on_time == {"MAU-X0101": True, "MAU-X0102": True, "MAU-X0103": False, "MAU-X0104": False}
    assert {m["unit_code"]: m["received"] for m in d["merged"]} == {u: day.isoformat() for u, day in days.items()}
    assert {m["unit_code"]: m["status"] for m in d["merged"]} == {
        "MAU-X0101": "Đã nhận", "MAU-X0102": "Đã nhận", "MAU-X0103": "Nộp muộn", "MAU-X0104": "Nộp muộn"}
    children = {row[0]: row for row in rows_of(parent, L.N_CHILDREN)}
    assert children["MAU-X0103"][4] == "Không" and children["MAU-X0101"][4] == "Có"
    assert children["MAU-X0103"][2] == L.Status.LATE.value
    assert children["MAU-X0105"][2] == L.Status.NOT_SUBMITTED.value
    wb = openpyxl.load_workbook(parent)
    summary = wb[L.SHEET_CHILDREN]["A2"].value
    assert "4/6" in summary and "đúng hạn 2, muộn 2" in summary and "MAU-X0105, MAU-X0106" in summary


def test_completeness_counts_units_merged_in_earlier_runs(kit, parent, tmp_path):
    """Files arrive over weeks: each run merges the new ones; the counts cover the whole parent."""
    first = inbox_with(kit, tmp_path / "tuan-1", ["MAU-X0101", "MAU-X0102", "MAU-X0103"])
    merge(parent, [first], now=ON_TIME)
    kit.commune(tmp_path / "tuan-2" / "x4.xlsx", "MAU-X0104", when=ON_TIME)
    r = merge(parent, [tmp_path / "tuan-2"], now=LATE)
    d = r.as_dict()
    assert {k: v for k, v in d["completeness"].items() if k != "deadline"} == {
        "expected": 6, "received": 4, "on_time": 3, "late": 1, "missing": 2, "returned": 0}
    assert d["missing_units"] == ["MAU-X0105", "MAU-X0106"]
    assert r.derived["huyen_4_1_so_xa_muc_do_2"] == 0  # appraisals alone recognise nobody (issue 12, case 3)
    summary = openpyxl.load_workbook(parent)[L.SHEET_CHILDREN]["A2"].value
    assert "đã nhận 4/6" in summary and "đúng hạn 3, muộn 1" in summary
    statuses = [row[2] for row in rows_of(parent, L.N_CHILDREN)]
    assert statuses.count(L.Status.RECEIVED.value) == 3 and statuses.count(L.Status.LATE.value) == 1


# -------------------------------------------------------------------------------------------------
# Two-tier edition: communes straight into the province
# -------------------------------------------------------------------------------------------------

def test_two_tier_communes_into_province(tmp_path):
    ed = load_edition(TWO_TIER)
    kit = Kit(tmp_path / "kit", edition=ed)
    prov = kit.parent(tmp_path / "tinh.xlsx", unit="MAU-T01", tier="tinh")
    expected = sorted(row[0] for row in rows_of(prov, L.N_CHILDREN))
    all_communes = [f"MAU-X0{d}0{i}" for d in (1, 2) for i in range(1, 7)]
    assert expected == all_communes  # the province lists all 12 communes
    inbox = tmp_path / "inbox"
    levels = [2] * 11 + [1]
    for u, lv in zip(all_communes, levels):
        kit.commune(inbox / f"{u}.xlsx", u, appraised=lv)
    kit0 = Kit(tmp_path / "kit3")  # a three-tier commune file is another edition
    kit0.commune(inbox / "ba-cap.xlsx", "MAU-X0101")
    decide(prov, zip(all_communes, levels))
    r = merge(prov, [inbox])
    assert r.child_tier == "xa" and r.parent_tier == "tinh"
    assert codes(r.refused) == ["CDHT-M003"]
    assert len(r.merged) == 12 and r.missing_units == []
    assert r.derived == {"tinh_4_1_tong_so_xa": 12, "tinh_4_1_so_xa_muc_do_1": 12, "tinh_4_1_so_xa_muc_do_2": 11}
    assert named(prov, r.derived) == r.derived
    ind = evaluate(ed.tier("tinh"), r.derived).indicators["tinh.4.1"]
    assert ind.level1 is True and ind.level2 is True  # 11/12 = 91,7 %


# -------------------------------------------------------------------------------------------------
# CLI
# -------------------------------------------------------------------------------------------------

def test_cli_json_has_required_keys(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    moved(corpus.make_not_xlsx(bad_dir(tmp_path)), inbox)
    digest = sha256(parent)
    res = CliRunner().invoke(main, ["merge", str(parent), str(inbox), "--dry-run", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for k in ("merged", "refused", "skipped", "missing_units", "completeness", "derived", "parent_level",
              "register", "findings", "written"):
        assert k in d, k
    assert set(d["completeness"]) == {"expected", "received", "on_time", "late", "missing", "returned", "deadline"}
    for m in d["merged"]:
        assert {"file", "unit_code", "level", "appraised_level", "status", "received", "on_time"} <= set(m)
    assert set(d["refused"][0]) >= {"file", "unit_code", "code", "message"}
    assert set(d["derived"]) == set(HUYEN_41)
    assert d["written"] is False and sha256(parent) == digest
    res = CliRunner().invoke(main, ["merge", str(parent), str(inbox), "--json", "--on-duplicate", "error"])
    assert res.exit_code == 0 and json.loads(res.stdout)["written"] is True


@pytest.mark.parametrize("which,cause", [("xa", None), ("not_xlsx", "CDHT-W002"), ("missing", "CDHT-W001")])
def test_cli_exit_2_when_parent_is_not_an_upper_tier_workbook(kit, tmp_path, which, cause):
    inbox = inbox_with(kit, tmp_path / "inbox", ["MAU-X0101"])
    if which == "xa":
        bad_parent = kit.commune(tmp_path / "xa-parent.xlsx", "MAU-X0102")
    elif which == "not_xlsx":
        bad_parent = corpus.make_not_xlsx(tmp_path)
    else:
        bad_parent = tmp_path / "khong-co.xlsx"
    before = sha256(bad_parent) if bad_parent.exists() else None
    res = CliRunner().invoke(main, ["merge", str(bad_parent), str(inbox), "--json"])
    assert res.exit_code == 2, res.output
    d = json.loads(res.stdout)
    # M009 names the coded finding that says why (a commune workbook has no error of its own)
    assert codes(d["findings"]) == ["CDHT-M009"] + ([cause] if cause else [])
    assert d["findings"][0]["message"].endswith(f"thông báo {cause or 'CDHT-A003'}).")
    assert d["written"] is False
    if before:
        assert sha256(bad_parent) == before


def test_worker_processes_judge_exactly_like_one_process(kit, tmp_path):
    """Large merges fork two workers; their verdicts must equal the single-process ones."""
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "a.xlsx", "MAU-X0101")
    kit.commune(inbox / "b.xlsx", "MAU-X0102", overrides={"xa_5_2_so_dai_hoc": None})
    kit.commune(inbox / "c.xlsx", "MAU-X0103", evidence=False)
    kit.commune(inbox / "d.xlsx", "MAU-X0201")  # another district's commune: M004
    (inbox / "e.xlsx").write_text("không phải sổ tính")
    p1, p2 = kit.parent(tmp_path / "p1.xlsx"), kit.parent(tmp_path / "p2.xlsx")
    now = dt.datetime(YEAR + 1, 3, 1, 8, 0)
    one = merge(p1, [inbox], dry_run=True, now=now, workers=1).as_dict()
    two = merge(p2, [inbox], dry_run=True, now=now, workers=2).as_dict()
    for d in (one, two):
        d.pop("parent")
        for f in d["findings"]:  # (findings about the parent name its file)
            f.pop("file")
    assert one == two
    assert {x["code"] for x in two["refused"]} == {"CDHT-M004", "CDHT-W002"}


def _summary(results) -> list[tuple]:
    return [(r.file.name, r.unit_code, r.level, r.appraised_level, r.code, r.status, r.indicators,
             [(f.code, f.sheet, f.cell, f.row) for f in r.findings]) for r in results]


def _judge_or_die(job):
    """Stands in for cdht.ops.merge._judge_path: kills any worker process, judges in the main one."""
    if os.getpid() != _MAIN_PID:
        os._exit(3)
    return _REAL_JUDGE(job)


def _judge_in_workers_only(job):
    """Stands in for cdht.ops.merge._judge_path: refuses to run in the process that started the pool."""
    assert os.getpid() != int(os.environ["CDHT_TEST_MAIN_PID"]), "judged in the main process"
    return _REAL_JUDGE(job)


_MAIN_PID = os.getpid()
_REAL_JUDGE = merge_mod._judge_path


def _inbox_of_five(kit, tmp_path) -> list:
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "a.xlsx", "MAU-X0101")
    kit.commune(inbox / "b.xlsx", "MAU-X0102", overrides={"xa_5_2_so_dai_hoc": None})
    kit.commune(inbox / "c.xlsx", "MAU-X0103", evidence=False)
    kit.commune(inbox / "d.xlsx", "MAU-X0201")
    (inbox / "e.xlsx").write_text("không phải sổ tính")
    return sorted(inbox.iterdir())


def test_spawned_workers_judge_exactly_like_one_process(kit, tmp_path, monkeypatch):
    """Windows and macOS spawn their workers (fresh interpreters that import cdht): same verdicts,
    and they really come from the workers (the stand-in refuses to judge in this process)."""
    files = _inbox_of_five(kit, tmp_path)
    one, _ = merge_mod.judge_all(files, workers=1)
    monkeypatch.setenv("CDHT_TEST_MAIN_PID", str(os.getpid()))
    monkeypatch.setattr(merge_mod, "_judge_path", _judge_in_workers_only)
    two, _ = merge_mod.judge_all(files, workers=2, start_method="spawn")
    assert _summary(one) == _summary(two)
    assert [r.code for r in two] == [None, None, None, None, "CDHT-W002"]


def test_dead_workers_fall_back_to_this_process(kit, tmp_path, monkeypatch):
    """A worker that cannot run (an embedded interpreter, a killed process) costs speed, not the
    merge: what the pool did not return is read in the calling process."""
    files = _inbox_of_five(kit, tmp_path)
    one, _ = merge_mod.judge_all(files, workers=1)
    monkeypatch.setattr(merge_mod, "_judge_path", _judge_or_die)
    seen = []
    two, side = merge_mod.judge_all(files, workers=2, start_method="fork", meanwhile=lambda: "parent read",
                                    progress=lambda k, n: seen.append((k, n)))
    assert _summary(one) == _summary(two) and side == "parent read"
    assert seen[-1] == (5, 5)


def test_a_refusal_is_logged_again_when_what_it_says_changed(kit, parent, tmp_path):
    """The log counts a refusal it already names word for word; a source refused for another
    reason, or another file, gets its own row again."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bad = moved(corpus.make_not_xlsx(bad_dir(tmp_path)), inbox)
    merge(parent, [inbox], now=dt.datetime(2027, 3, 1, 8, 0))
    before = len(rows_of(parent, L.N_LOG))
    bad.rename(inbox / "doi-ten.xlsx")                                # the same refusal under another name
    merge(parent, [inbox], now=dt.datetime(2027, 3, 2, 8, 0))
    added = [row[1:3] for row in rows_of(parent, L.N_LOG)[before:]]
    assert ["Từ chối", "doi-ten.xlsx"] in added
    assert not any(row[0] == "Từ chối" and row[1] is None for row in added)  # nothing was said before
    before = len(rows_of(parent, L.N_LOG))
    merge(parent, [inbox], now=dt.datetime(2027, 3, 3, 8, 0))
    added = [row[1:] for row in rows_of(parent, L.N_LOG)[before:]]
    assert ["Từ chối", None, None, None, None, REFUSED_AGAIN_NOTE.format(count=1)] in added
    assert not any(row[1] == "doi-ten.xlsx" for row in added)
