"""Issue 12 — recognition you can defend — through the CLI (``cdht merge|check … --json``): each
case of the issue as a user would meet it, and the defensible answer with the facts in the JSON.

1. the 90 % denominator is the registry (profile, or the list locked in the issued parent), never
   the files received, a typed number or the editable "Đơn vị cấp dưới" list;
3/4/5. recognition = a decision in force (this round's count up to the decision deadline; the
   profile's validity reading), register standing per unit in the JSON;
6. "ready to file" only at a level the unit meets;
7. received = the receipt ledger (first seen, or typed by staff), never the file's mtime; "trước
   ngày" strict by default;
8. one status vocabulary; an identical copy is "Bản trùng", never a return; refused = "Trả lại";
   M011 for each registry unit with no file;
9. the Sở sees the districts' communes ("Xã trong tỉnh").
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cdht import contract as L
from cdht.cli.main import main
from cdht.edition import load_edition
from cdht.fill import evidence_for, fill
from cdht.profile import SAMPLE_THREE_TIER
from tests import corpus
from tests.merge_fixtures import (DEADLINE, SAMPLE_UNITS_CSV, YEAR, appraisal, rows_of, set_mtime, sha256,
                                  write_register)

S = L.Status
H01 = [f"MAU-X010{i}" for i in range(1, 7)]
HUYEN_41 = ("huyen_4_1_tong_so_xa", "huyen_4_1_so_xa_muc_do_1", "huyen_4_1_so_xa_muc_do_2")
DECIDED = dt.date(YEAR + 1, 3, 20)  # this round's decision, before 31/03 N+1


def _profile(tmp_path: Path, **readings) -> Path:
    """The sample three-tier profile (DỮ LIỆU MẪU) moved to the tests' assessment year, with
    ``readings`` changed."""
    text = SAMPLE_THREE_TIER.read_text(encoding="utf-8")
    text = text.replace("first_year: 2024\n    last_year: 2024", f"first_year: {YEAR}\n    last_year: {YEAR}")
    for key, value in readings.items():
        text = text.replace(f"  {key}: ", f"  {key}: {value}  # ", 1)
    path = tmp_path / f"ho-so-{'-'.join(readings.values()) or 'mac-dinh'}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _merge(*args) -> dict:
    res = CliRunner().invoke(main, ["merge", *map(str, args), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _codes(d: dict) -> list[str]:
    return [f["code"] for f in d["findings"]]


def _units(d: dict) -> dict[str, dict]:
    return {u["unit"]: u for u in d["units"]}


def _decide(parent: Path, unit_levels, when: dt.date = DECIDED) -> Path:
    return write_register(parent, [(u, u, lv, f"{k}/QĐ-PGDĐT", when, "Phòng GD&ĐT")
                                   for k, (u, lv) in enumerate(unit_levels, start=1) if lv])


def _typed(path: Path, values: dict) -> Path:
    wb = openpyxl.load_workbook(path)
    from cdht.fill import cell_of
    for k, v in values.items():
        cell_of(wb, k).value = v
    wb.save(path)
    return path


# -------------------------------------------------------------------------------------------------
# Case 1: the 90 % denominator is the registry
# -------------------------------------------------------------------------------------------------

def test_case1_blank_parent_without_registry_derives_nothing(kit, tmp_path):
    """A blank district template with 30 typed as the total and two passing communes used to
    become 2 of 2 → level 2. Without a registry list nothing is derived: a coded finding says
    what to do, and the parent's level is not decided on unverified figures."""
    parent = _typed(kit.parent(tmp_path / "huyen.xlsx", unit=None), {"huyen_4_1_tong_so_xa": 30})
    inbox = tmp_path / "inbox"
    for u in H01[:2]:
        kit.commune(inbox / f"{u}.xlsx", u, blank=True)
    _decide(parent, [(u, 2) for u in H01[:2]])
    d = _merge(parent, inbox)
    assert len(d["merged"]) == 2
    assert d["derived"] == {} and d["derived_from"]["source"] is None and d["derived_from"]["typed_total"] == 30
    assert "CDHT-M019" in _codes(d)
    m019 = next(f for f in d["findings"] if f["code"] == "CDHT-M019")
    label = load_edition(None).tier("huyen").fields["huyen_4_1_tong_so_xa"].label  # named for people (issue 17)
    assert "--profile" in m019["fix"] and f"'{label}'" in m019["message"] and "huyen_4_1" not in m019["message"]
    assert d["parent_level"] is None
    # a profile that does not know the parent (no unit code typed) does not guess either
    d = _merge(parent, inbox, "--profile", _profile(tmp_path), "--dry-run")
    assert d["derived"] == {} and "CDHT-M019" in _codes(d) and d["derived_from"]["profile"] == "kien-giang-2024-mau"


def test_case1_profile_is_the_denominator_and_a_typed_total_is_a_finding(kit, tmp_path):
    """The same blank template typed as MAU-H01, merged with the province profile: the
    denominator is the registry's six communes of MAU-H01 in that year; 30 typed is CDHT-M020."""
    parent = _typed(kit.parent(tmp_path / "huyen.xlsx", unit=None),
                    {"huyen_4_1_tong_so_xa": 30, L.N_UNIT_CODE: "MAU-H01"})
    inbox = tmp_path / "inbox"
    for u in H01[:2]:
        kit.commune(inbox / f"{u}.xlsx", u, blank=True)
    _decide(parent, [(u, 2) for u in H01[:2]])
    d = _merge(parent, inbox, "--profile", _profile(tmp_path))
    assert d["profile"] == "kien-giang-2024-mau"
    assert d["derived"] == {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 2, "huyen_4_1_so_xa_muc_do_2": 2}
    src = d["derived_from"]
    assert src["source"] == "profile" and src["parent"] == "MAU-H01" and src["year"] == YEAR
    assert src["units"] == H01 and src["typed_total"] == 30
    assert "CDHT-M020" in _codes(d) and "CDHT-M019" not in _codes(d)
    assert d["parent_level"] != 2
    assert d["completeness"]["expected"] == 6 and d["missing_units"] == H01[2:]
    # the blank workbooks' typed names differ from the registry's: refused, naming both values
    assert [x["code"] for x in d["refused"]] == ["CDHT-P030"] * 2 and d["merged"] == []
    assert "Xã An Phú (mẫu)" in d["refused"][0]["message"] and d["completeness"]["returned"] == 2
    # the --units CSV keeps working: a registry-only profile
    d2 = _merge(parent, inbox, "--units", SAMPLE_UNITS_CSV, "--dry-run")
    assert d2["derived"]["huyen_4_1_tong_so_xa"] == 6 and d2["derived_from"]["source"] == "profile"


def test_case1_deleting_rows_of_the_editable_list_changes_nothing(kit, tmp_path):
    """The parent issued for MAU-H01 carries its expected communes locked in its metadata; rows
    deleted from "Đơn vị cấp dưới" (an unprotected tool sheet) do not shrink the denominator."""
    parent = kit.parent(tmp_path / "huyen.xlsx")
    wb = openpyxl.load_workbook(parent)
    ws = wb[L.SHEET_CHILDREN]
    ws.delete_rows(L.HEADER_ROW + 3, 10)  # keep two of the six
    wb.save(parent)
    assert len(rows_of(parent, L.N_CHILDREN)) == 2
    inbox = tmp_path / "inbox"
    for u in H01[:2]:
        kit.commune(inbox / f"{u}.xlsx", u)
    _decide(parent, [(u, 2) for u in H01[:2]])
    d = _merge(parent, inbox)
    assert d["derived_from"]["source"] == "issued" and d["derived_from"]["units"] == H01
    assert d["derived"]["huyen_4_1_tong_so_xa"] == 6
    assert d["derived"]["huyen_4_1_so_xa_muc_do_2"] == 2
    assert sorted(row[0] for row in rows_of(parent, L.N_CHILDREN)) == H01  # the list is whole again


# -------------------------------------------------------------------------------------------------
# Cases 3, 4, 5: recognition is a decision; register standing per unit
# -------------------------------------------------------------------------------------------------

def test_case3_4_5_register_standing_per_unit(kit, tmp_path):
    parent = kit.parent(tmp_path / "huyen.xlsx")
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "x1.xlsx", "MAU-X0101", appraised=2)
    kit.commune(inbox / "x2.xlsx", "MAU-X0102", appraised=2)                 # appraised, no decision
    kit.commune(inbox / "x3.xlsx", "MAU-X0103", appraised=2, evidence=False)  # returned: its appraisal never counts
    write_register(parent, [
        ("MAU-X0101", "Xã 1", 2, "1/QĐ", DECIDED, "Phòng GD&ĐT"),                  # this round's: counts (case 4)
        ("MAU-X0104", "Xã 4", 1, "2/QĐ", dt.date(2022, 3, 1), "Phòng GD&ĐT"),     # recognises 2021: expired
        ("MAU-X0105", "Xã 5", 1, "3/QĐ", dt.date(YEAR + 1, 4, 5), "Phòng GD&ĐT"),  # after 31/03: not this round
        ("MAU-X0106", "Xã 6", 1, "4/QĐ", dt.date(2024, 3, 20), "Phòng GD&ĐT"),    # recognises 2023
    ])
    d = _merge(parent, inbox, "--profile", _profile(tmp_path))
    u = _units(d)
    assert u["MAU-X0101"]["status"] == S.RECOGNISED_2.value and u["MAU-X0101"]["level"] == 2
    assert u["MAU-X0101"]["decision"]["number"] == "1/QĐ"
    assert u["MAU-X0102"]["status"] == S.AWAITING_DECISION.value and u["MAU-X0102"]["appraised"] == 2
    assert u["MAU-X0103"]["status"] == S.RETURNED.value and u["MAU-X0103"]["appraised"] is None
    assert u["MAU-X0104"]["status"] == S.EXPIRED.value
    assert u["MAU-X0105"]["status"] != S.RECOGNISED_1.value and "CDHT-P016" in _codes(d)
    # default reading (assessment_years): a recognition of 2023 is in force for 2023..2026
    assert u["MAU-X0106"]["status"] == S.RECOGNISED_1.value
    assert d["derived"] == {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 2, "huyen_4_1_so_xa_muc_do_2": 1}
    # this round's decisions against the profile's decision deadline (31/03 N+1)
    assert d["timeliness"]["decision"] == {"deadline": f"{YEAR + 1}-03-31", "in_time": 1, "late": 1}
    # the other reading (decision date + 36 months, civil code): 20/03/2024 → 20/03/2027, before
    # the 31/03/2027 cutoff of assessment year 2026: no longer in force
    d2 = _merge(parent, inbox, "--profile", _profile(tmp_path, validity="decision_months"), "--dry-run")
    assert _units(d2)["MAU-X0106"]["status"] == S.EXPIRED.value
    assert d2["derived"]["huyen_4_1_so_xa_muc_do_1"] == 1
    reg = {r["unit"]: r for r in d2["register"]}
    assert reg["MAU-X0106"]["valid_until"] == "2027-03-20" and reg["MAU-X0106"]["in_force"] is False


# -------------------------------------------------------------------------------------------------
# Case 6: ready to file only at a level the unit meets
# -------------------------------------------------------------------------------------------------

def test_case6_ready_to_file_only_at_a_level_met(kit, tmp_path):
    good = kit.commune(tmp_path / "dat.xlsx", "MAU-X0101")
    none = kit.commune(tmp_path / "chua-dat.xlsx", "MAU-X0102", overrides={"xa_1_1": "Không đạt"})
    runner = CliRunner()
    d_good = json.loads(runner.invoke(main, ["check", str(good), "--json"]).stdout)
    assert d_good["level"] == 2 and d_good["ready_to_file"] is True and d_good["ready_level"] == 2
    res = runner.invoke(main, ["check", str(none), "--json"])
    d_none = json.loads(res.stdout)
    assert d_none["complete"] is True and d_none["level"] == 0
    assert d_none["ready_to_file"] is False and d_none["ready_level"] is None
    text = runner.invoke(main, ["compute", str(none)]).output
    assert "Sẵn sàng nộp hồ sơ: CHƯA" in text and "Sẵn sàng nộp hồ sơ: CÓ" not in text


# -------------------------------------------------------------------------------------------------
# Case 7: the receipt ledger
# -------------------------------------------------------------------------------------------------

def _ledger_rows(parent: Path) -> list[list]:
    return [row for row in rows_of(parent, L.N_LOG) if row[1] == "Nhận hồ sơ"]


def test_case7_receipt_ledger_first_seen_or_typed_never_mtime(kit, tmp_path):
    parent = kit.parent(tmp_path / "huyen.xlsx")
    f = kit.commune(tmp_path / "inbox" / "x1.xlsx", "MAU-X0101", when=dt.datetime(2031, 1, 1))  # an absurd mtime
    today = dt.date.today()
    d = _merge(parent, f.parent)
    m = d["merged"][0]
    assert m["received"] == today.isoformat() and m["received_source"] == "now"  # first seen, not the mtime
    assert [r["sha256"] for r in d["receipts"]] == [sha256(f)] and d["receipts"][0]["new"] is True
    rows = _ledger_rows(parent)
    assert len(rows) == 1 and rows[0][5] == sha256(f) and rows[0][4].date() == today
    # staff type the day from the incoming-document book: 28/02 N+1, the deadline day itself
    wb = openpyxl.load_workbook(parent)
    ws = wb[L.SHEET_LOG]
    row = next(r for r in ws.iter_rows(min_row=L.HEADER_ROW + 1) if r[1].value == "Nhận hồ sơ")
    row[4].value = dt.datetime.combine(DEADLINE, dt.time())
    wb.save(parent)
    # the same content, copied elsewhere (a new mtime): the ledger's day stands
    copy = set_mtime(Path(shutil.copy(f, tmp_path / "ban-sao.xlsx")), dt.datetime(YEAR + 1, 1, 5))
    d = _merge(parent, copy)
    m = d["merged"][0]
    assert m["received"] == DEADLINE.isoformat() and m["received_source"] == "ledger"
    assert m["on_time"] is False and m["status"] == S.LATE.value  # "trước ngày 28/02": 28/02 is late
    assert {r[0]: r for r in rows_of(parent, L.N_CHILDREN)}["MAU-X0101"][4] == "Không"
    assert any(r[1] == "Gộp" and r[4] == S.LATE.value for r in rows_of(parent, L.N_LOG))
    assert len(_ledger_rows(parent)) == 1 and _ledger_rows(parent)[0][4].date() == DEADLINE  # never overwritten
    # a province that reads "trước ngày" as "on or before"
    d = _merge(parent, copy, "--profile", _profile(tmp_path, truoc_ngay="on_or_before"), "--dry-run")
    assert d["merged"][0]["on_time"] is True and d["merged"][0]["status"] == S.RECEIVED.value
    assert d["completeness"]["deadline"] == DEADLINE.isoformat()


# -------------------------------------------------------------------------------------------------
# Case 8: one status vocabulary
# -------------------------------------------------------------------------------------------------

def test_case8_statuses_identical_copy_refused_and_missing(kit, tmp_path):
    parent = kit.parent(tmp_path / "huyen.xlsx")
    inbox = tmp_path / "inbox"
    f = kit.commune(inbox / "x1.xlsx", "MAU-X0101")
    shutil.copy(f, inbox / "x1 (1).xlsx")                                   # an identical copy
    kit.commune(inbox / "x2.xlsx", "MAU-X0102", evidence=False)              # returned (M015)
    moved = corpus.make_protection_removed(tmp_path / "bad")                  # a tampered file: refused (M008)
    shutil.move(str(moved), inbox / "x3-sua.xlsx")
    d = _merge(parent, inbox)
    assert [(Path(x["file"]).name, x["status"], x["code"]) for x in d["duplicates"]] == \
        [("x1 (1).xlsx", S.DUPLICATE.value, "CDHT-M021")]
    assert all(Path(x["file"]).name != "x1 (1).xlsx" for x in d["refused"])
    returns = rows_of(parent, L.N_RETURNS)
    assert all(row[2] != "x1 (1).xlsx" for row in returns)
    assert not any("?" in str(row[6]) for row in returns)  # no "thiếu: ?" notice
    u = _units(d)
    assert u["MAU-X0101"]["status"] == S.AWAITING_DECISION.value  # received, appraised, no decision yet
    assert u["MAU-X0102"]["status"] == S.RETURNED.value
    missing = [x for x in H01 if u[x]["status"] == S.NOT_SUBMITTED.value]
    assert missing == d["missing_units"]
    assert sorted(f["message"] for f in d["findings"] if f["code"] == "CDHT-M011") == \
        sorted(f"Đơn vị '{x}' chưa nộp hồ sơ." for x in missing)
    assert "MAU-X0102" not in d["missing_units"] and d["completeness"]["returned"] == 1
    statuses = {s.value for s in S}
    children = {row[0]: row[2] for row in rows_of(parent, L.N_CHILDREN)}
    assert set(children.values()) <= statuses
    first_seen_today = S.RECEIVED.value if dt.date.today() < DEADLINE else S.LATE.value  # (the CLI's clock)
    assert children["MAU-X0102"] == S.RETURNED.value and children["MAU-X0101"] == first_seen_today
    log = rows_of(parent, L.N_LOG)
    assert any(row[1] == "Bản trùng" and row[4] == S.DUPLICATE.value for row in log)
    assert {m["status"] for m in d["merged"]} | {r["status"] for r in d["refused"]} <= statuses


# -------------------------------------------------------------------------------------------------
# Case 9: the Sở sees communes
# -------------------------------------------------------------------------------------------------

def test_case9_province_sees_the_districts_communes(kit, tmp_path):
    huyen = kit.edition.tier("huyen")
    prov_inbox = tmp_path / "nop-tinh"
    for district, levels in (("MAU-H01", [2, 2, 1, 0, 0, 0]), ("MAU-H02", [1, 0, 0, 0, 0, 0])):
        parent = kit.parent(tmp_path / "huyen" / f"{district}.xlsx", unit=district,
                            values={k: v for k, v in corpus.PASSING["huyen"].items() if k not in HUYEN_41})
        communes = [f"MAU-X0{district[-1]}0{i}" for i in range(1, 7)]
        inbox = tmp_path / "nop-huyen" / district
        for u, lv in zip(communes[:3], levels):
            kit.commune(inbox / f"{u}.xlsx", u, appraised=lv)
        _decide(parent, zip(communes, levels))
        _merge(parent, inbox)
        p = fill(parent, prov_inbox / f"{district}.xlsx", {}, evidence_for(huyen, dt.date(YEAR, 6, 1)),
                 appraisal=appraisal(huyen, 1))
        set_mtime(p, dt.datetime(YEAR + 1, 4, 10, 9))
    prov = kit.parent(tmp_path / "tinh.xlsx", unit="MAU-T01", tier="tinh")
    d = _merge(prov, prov_inbox)
    assert sorted(m["unit_code"] for m in d["merged"]) == ["MAU-H01", "MAU-H02"]
    rows = {c["unit"]: c for c in d["communes"]}
    assert len(rows) == 12 and {c["district"] for c in rows.values()} == {"MAU-H01", "MAU-H02"}
    assert rows["MAU-X0101"]["status"] == S.RECOGNISED_2.value and rows["MAU-X0101"]["level"] == 2
    assert rows["MAU-X0101"]["decision"]["number"] == "1/QĐ-PGDĐT"
    assert rows["MAU-X0103"]["status"] == S.RECOGNISED_1.value
    assert rows["MAU-X0104"]["status"] == S.NOT_SUBMITTED.value and rows["MAU-X0104"]["level"] == 0
    assert rows["MAU-X0201"]["status"] == S.RECOGNISED_1.value
    by_level = {lv: sum(1 for c in rows.values() if c["level"] == lv) for lv in (0, 1, 2)}
    assert by_level == {0: 8, 1: 2, 2: 2}
    text = CliRunner().invoke(main, ["merge", str(prov), str(prov_inbox), "--dry-run"]).output
    assert "Xã trong tỉnh (12)" in text
    # with the profile: the districts' report of commune results to the Sở "trước 15/5" is a deadline too
    d = _merge(prov, prov_inbox, "--profile", _profile(tmp_path), "--dry-run")
    in_time = 2 if dt.date.today() < dt.date(YEAR + 1, 5, 15) else 0  # first seen today (the CLI's clock)
    assert d["timeliness"]["report"] == {"deadline": f"{YEAR + 1}-05-15", "on_time": in_time, "late": 2 - in_time}
    assert d["timeliness"]["dossier"]["deadline"] == f"{YEAR + 1}-04-30"
    assert len(d["communes"]) == 12 and d["derived_from"]["units"] == ["MAU-H01", "MAU-H02"]


@pytest.mark.parametrize("bad", ["trung-ma.yaml"])
def test_a_bad_profile_stops_the_merge_before_anything_is_written(kit, tmp_path, bad):
    parent = kit.parent(tmp_path / "huyen.xlsx")
    text = _profile(tmp_path).read_text(encoding="utf-8") + \
        '  - {code: "MAU-X0101", name: "Lặp", tier: xa, parent: "MAU-H01"}\n'
    prof = tmp_path / bad
    prof.write_text(text, encoding="utf-8")
    digest = sha256(parent)
    res = CliRunner().invoke(main, ["merge", str(parent), str(tmp_path), "--profile", str(prof), "--json"])
    assert res.exit_code == 1 and "CDHT-P003" in res.output
    assert sha256(parent) == digest
