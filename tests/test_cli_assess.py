"""``cdht compute`` / ``cdht check`` through the CLI runner on real files: JSON for scripts,
Vietnamese for people, exit codes, and ``--write`` (results sheet, flagged cells, inputs untouched,
fingerprint intact, ``.bak`` kept, refusal while the workbook is open)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from cdht.ops.assess import compute
from cdht.ops.results_sheet import FILL_FLAG, FILL_INPUT
from cdht import contract as L
from tests import corpus as C
from tests.support.cli import run, sha

TAMPER = {"CDHT-W018", "CDHT-W019", "CDHT-W020", "CDHT-W021"}


@pytest.fixture
def make(tmp_path, templates):
    def _make(name, tier="xa", overrides=None, **kw):
        return C.filled(tmp_path / name, tier, overrides, templates=templates, **kw)
    return _make


def all_values(path: Path, skip=(L.SHEET_RESULTS,)) -> dict:
    """Every cell value of every sheet but ``skip`` (inputs, formulas, locked texts, _meta)."""
    wb = openpyxl.load_workbook(path)
    try:
        return {(ws.title, c.coordinate): c.value for ws in wb.worksheets if ws.title not in skip
                for row in ws.iter_rows() for c in row if c.value is not None}
    finally:
        wb.close()


def results_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb[L.SHEET_RESULTS]
        return [r for r in ws.iter_rows(min_row=L.HEADER_ROW + 1, values_only=True) if any(r)]
    finally:
        wb.close()


def fill_of(path: Path, sheet: str, cell: str) -> str:
    wb = openpyxl.load_workbook(path)
    try:
        return wb[sheet][cell].fill.fgColor.rgb[-6:]
    finally:
        wb.close()


# -------------------------------------------------------------------------------------------------
# Output
# -------------------------------------------------------------------------------------------------

def test_compute_json(make):
    path = make("mot.xlsx", overrides={"xa_5_1_so_cong_dan_hoc_tap": 700})
    res = run("compute", path, "--json")
    assert res.exit_code == 0
    d = json.loads(res.stdout)  # stdout is only the JSON document
    assert {"unit_code", "tier", "year", "edition", "level", "complete", "indicators", "findings",
            "missing", "ready_to_file", "tampered"} <= set(d)
    assert (d["unit_code"], d["tier"], d["year"], d["edition"]) == ("MAU-X0101", "xa", 2026, "tt25-2023")
    assert (d["level"], d["complete"], d["findings"]) == (1, True, [])
    assert d["indicators"]["xa.5.1"]["level1"] is True and d["indicators"]["xa.5.1"]["level2"] is False
    assert d["indicators"]["xa.5.1"]["reason"] == "Chưa đạt mức độ 2: Tỷ lệ công dân học tập 70 % < 80 %"
    assert all(set(v) >= {"level1", "level2", "reason"} for v in d["indicators"].values())


def test_compute_json_incomplete(make):
    d = json.loads(run("compute", make("thieu.xlsx", overrides={"xa_4_4": None}), "--json").stdout)
    assert (d["level"], d["complete"], d["missing"]) == (None, False, ["xa_4_4"])
    assert [f["code"] for f in d["findings"]] == ["CDHT-W016"]


def test_human_output_is_vietnamese(make):
    res = run("compute", make("nguoi-doc.xlsx", overrides={"xa_5_1_so_cong_dan_hoc_tap": 700}))
    assert res.exit_code == 0
    out = res.output
    assert "Đơn vị: MAU-X0101 Xã An Phú (mẫu) — Cấp xã, năm 2026, bộ tiêu chí tt25-2023" in out
    assert "MỨC ĐỘ: Mức độ 1" in out
    assert "Chưa đạt mức độ 2: Tỷ lệ công dân học tập 70 % < 80 %" in out
    assert "Sẵn sàng nộp hồ sơ: CÓ" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip().startswith("xa.")}
    assert "Đạt" in lines["xa.5.1"] and "Không đạt" in lines["xa.5.1"]


def test_human_output_incomplete_and_findings(make):
    out = run("check", make("thieu2.xlsx", overrides={"tong_so_cong_dan": "một nghìn"}, evidence=False)).output
    label = C.EDITION.tier("xa").fields["tong_so_cong_dan"].label
    assert f"MỨC ĐỘ: Chưa đủ dữ liệu  (thiếu: '{label}')" in out and "tong_so_cong_dan" not in out
    assert "[CDHT-W011] LỖI" in out and "Cách sửa:" in out
    assert "[CDHT-E001]" in out
    assert "Sẵn sàng nộp hồ sơ: CHƯA" in out


def test_check_exit_codes(make):
    clean = run("check", make("sach.xlsx"))
    assert clean.exit_code == 0 and "Sẵn sàng nộp hồ sơ: CÓ" in clean.output
    no_evidence = run("check", make("thieu-mc.xlsx", evidence=False))
    assert no_evidence.exit_code == 1 and "[CDHT-E001]" in no_evidence.output
    warnings_only = run("check", make("cu.xlsx", evidence=C.evidence_for(C.EDITION.tier("xa"), C.EVIDENCE_DATE)
                                      + [["MC99", "xa.1.1", "Cũ", "1/QĐ", dt.date(2015, 1, 1)]]))
    assert warnings_only.exit_code == 0 and "[CDHT-E005]" in warnings_only.output
    assert run("compute", make("thieu-mc2.xlsx", evidence=False)).exit_code == 0  # compute never fails on errors


# -------------------------------------------------------------------------------------------------
# --write
# -------------------------------------------------------------------------------------------------

def test_write_refreshes_results_and_keeps_inputs(make):
    path = make("ghi.xlsx", overrides={"tong_so_cong_dan": "một nghìn"},
                evidence=[r for r in C.evidence_for(C.EDITION.tier("xa"), C.EVIDENCE_DATE) if r[1] != "xa.2.3"])
    before, digest = all_values(path), sha(path)
    w011_sheet, w011_cell = C.cell_ref(path, "tong_so_cong_dan")
    e001_sheet, e001_cell = C.cell_ref(path, L.evidence_count_name("xa.2.3"))  # its "Số minh chứng"
    verdict_sheet, verdict_cell = C.cell_ref(path, "xa_2_3")

    res = run("check", path, "--write")
    assert res.exit_code == 1

    # backup of the previous version, byte for byte
    bak = Path(str(path) + ".bak")
    assert bak.exists() and sha(bak) == digest
    assert sha(path) != digest
    # not one value outside the results sheet changed (inputs, formulas, _meta)
    assert all_values(path) == before
    # the results sheet: summary lines, then one row per finding
    rows = results_rows(path)
    texts = [r[5] for r in rows]
    assert "Mức độ (tính lại từ số liệu): Chưa đủ dữ liệu" in texts
    assert "Sẵn sàng nộp hồ sơ: Chưa" in texts
    by_code = {r[0]: r for r in rows if r[0]}
    assert set(by_code) == {"CDHT-W011", "CDHT-E001"}
    assert by_code["CDHT-W011"][1:4] == ("lỗi", w011_sheet, w011_cell)
    assert by_code["CDHT-E001"][2:5] == (e001_sheet, e001_cell, "xa.2.3")
    assert by_code["CDHT-W011"][6]  # how to fix
    # flagged cells, and an untouched input keeps its input colour
    assert fill_of(path, w011_sheet, w011_cell) == FILL_FLAG
    assert fill_of(path, e001_sheet, e001_cell) == FILL_FLAG
    assert fill_of(path, verdict_sheet, verdict_cell) == FILL_INPUT  # the "Đạt" typed is not what is wrong
    sheet, cell = C.cell_ref(path, "xa_1_1")
    assert fill_of(path, sheet, cell) == FILL_INPUT
    # the layout fingerprint still matches: no tampering findings, protection kept
    rep = compute(path)
    assert not TAMPER & {f.code for f in rep.findings} and rep.sub.tampered is False
    wb = openpyxl.load_workbook(path)
    assert all(wb[s].protection.sheet for s in (L.SHEET_UNIT, L.SHEET_SELF, L.SHEET_EVIDENCE))
    assert wb.security.lockStructure
    assert {p.name for p in wb.custom_doc_props} >= {"cdht_template_id", "cdht_fingerprint"}


@pytest.mark.parametrize("tier", ["huyen", "tinh"])
def test_write_keeps_the_fingerprint_of_upper_tiers(make, tier):
    path = make(f"{tier}.xlsx", tier=tier, overrides={"{}_1_1".format(tier): "Không đạt"})
    before = all_values(path)
    assert run("check", path, "--write").exit_code == 0
    assert all_values(path) == before
    rep = compute(path)
    assert rep.level == 0 and not TAMPER & {f.code for f in rep.findings} and not rep.sub.tampered
    assert "Mức độ (tính lại từ số liệu): Chưa đạt" in [r[5] for r in results_rows(path)]


def test_write_again_replaces_old_rows_and_flags(make, tmp_path):
    path = make("lan-hai.xlsx", overrides={"xa_5_1_so_cong_dan_hoc_tap": 1200})
    sheet, cell = C.cell_ref(path, "xa_5_1_so_cong_dan_hoc_tap")
    assert run("compute", path, "--write").exit_code == 0
    assert [r[0] for r in results_rows(path) if r[0]] == ["CDHT-W014"]
    assert fill_of(path, sheet, cell) == FILL_FLAG
    # the officer fixes the value (openpyxl plays Excel), then runs again
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell].value = 820
    wb.save(path)
    fixed = sha(path)
    assert run("compute", path, "--write").exit_code == 0
    rows = results_rows(path)
    assert [r[0] for r in rows if r[0]] == []  # no finding left
    assert "Mức độ (tính lại từ số liệu): Mức độ 2" in [r[5] for r in rows]
    assert fill_of(path, sheet, cell) == FILL_INPUT  # the flag is cleared
    assert sha(Path(str(path) + ".bak")) == fixed
    assert compute(path).findings == []


def test_write_json_reports_the_written_result(make):
    path = make("json-ghi.xlsx")
    res = run("check", path, "--json", "--write")
    assert res.exit_code == 0
    d = json.loads(res.stdout)
    assert d["level"] == 2 and d["ready_to_file"] is True and d["findings"] == []
    assert "Sẵn sàng nộp hồ sơ: Có" in [r[5] for r in results_rows(path)]


@pytest.mark.parametrize("lock", ["~${name}", ".~lock.{name}#"])
@pytest.mark.parametrize("command,exit_code", [("compute", 1), ("check", 1)])  # a refused write fails
def test_write_refused_while_open(make, lock, command, exit_code):
    path = make("dang-mo.xlsx")
    lock_path = path.with_name(lock.format(name=path.name))
    lock_path.write_bytes(b"\x08Can bo xa".ljust(165, b"\0"))
    digest = sha(path)
    res = run(command, path, "--write")
    assert "[CDHT-W022]" in res.output and lock_path.name in res.output
    assert res.exit_code == exit_code
    assert sha(path) == digest
    assert not Path(str(path) + ".bak").exists()
    assert not list(path.parent.glob(".~cdht-*"))
    lock_path.unlink()
    assert run(command, path, "--write").exit_code == 0  # closed: now it writes
    assert sha(path) != digest and sha(Path(str(path) + ".bak")) == digest


def test_compute_without_write_never_touches_the_file(make):
    path = make("chi-doc.xlsx", overrides={"xa_4_2": "ba"})
    digest = sha(path)
    for args in (("compute",), ("check",), ("compute", "--json"), ("check", "--json")):
        run(*args, path)
    assert sha(path) == digest
    assert not Path(str(path) + ".bak").exists()


def test_write_failure_is_W023_and_leaves_the_file(make, monkeypatch):
    """The disk fills up while the backup is written: nothing is replaced, no temporary file stays."""
    import cdht.ops.results_sheet as wbk

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")
    path = make("khong-ghi.xlsx")
    digest = sha(path)
    monkeypatch.setattr(wbk.shutil, "copy2", disk_full)
    res = run("check", path, "--write")
    assert "[CDHT-W023]" in res.output and "hết dung lượng đĩa" in res.output and "No space" not in res.output
    assert res.exit_code == 1
    assert sha(path) == digest
    assert not list(path.parent.glob(".~cdht-*"))


def test_unwritable_folder_is_W023_not_a_traceback(make, monkeypatch):
    import cdht.ops.results_sheet as wbk

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")
    path = make("chi-doc-thu-muc.xlsx")
    digest = sha(path)
    monkeypatch.setattr(wbk.tempfile, "mkstemp", denied)
    res = run("compute", path, "--write")
    assert "[CDHT-W023]" in res.output and "không có quyền truy cập" in res.output and "Permission denied" not in res.output
    assert sha(path) == digest and not Path(str(path) + ".bak").exists()
