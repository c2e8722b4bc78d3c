"""Bad inputs (the corpus of tests/corpus.py): each gives its coded finding, never a traceback,
and the submitted file is never modified — not by ``compute``/``check``, and for a refused file not
by ``--write`` either."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cdht.ops.assess import compute
from cdht.read.submission import read_workbook
from cdht import contract as L
from cdht.edition import load_edition
from cdht.messages import ERROR, MESSAGES
from tests import corpus as C
from tests.support.cli import run, sha


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Every bad input, built once: name → (BadInput, path, sha256)."""
    folder = tmp_path_factory.mktemp("corpus")
    out = {}
    for case in C.BAD_INPUTS:
        sub = folder / case.name
        sub.mkdir()
        path = case.build(sub)
        out[case.name] = (case, path, sha(path))
    return out


CASES = [c.name for c in C.BAD_INPUTS]
REFUSED = [c.name for c in C.BAD_INPUTS if not c.readable]
READ = [c.name for c in C.BAD_INPUTS if c.readable]


@pytest.mark.parametrize("name", CASES)
def test_reader_gives_the_code(corpus, name):
    case, path, digest = corpus[name]
    sub = read_workbook(path)
    assert case.code in [f.code for f in sub.findings]
    assert sub.readable is case.readable
    for f in sub.findings:  # every finding is a full message: what is wrong and how to fix it
        assert f.message and f.fix and f.severity == MESSAGES[f.code][0]
        assert "?" not in f.message.replace("#NAME?", ""), f.message  # no missing fact
    assert sha(path) == digest


@pytest.mark.parametrize("name", REFUSED)
@pytest.mark.parametrize("command", ["compute", "check"])
def test_refused_file_exits_2_with_its_code_and_is_untouched(corpus, name, command):
    case, path, digest = corpus[name]
    res = run(command, path)
    assert res.exit_code == 2
    assert f"[{case.code}]" in res.output
    res = run(command, path, "--json")
    assert res.exit_code == 2
    d = json.loads(res.stdout)
    assert d["level"] is None and d["ready_to_file"] is False
    assert case.code in [f["code"] for f in d["findings"]]
    res = run(command, path, "--write")
    assert res.exit_code == 2 and f"[{case.code}]" in res.output
    assert sha(path) == digest
    assert not Path(str(path) + ".bak").exists()
    assert not list(path.parent.glob(".~cdht-*"))  # no temporary file left behind


@pytest.mark.parametrize("name", READ)
def test_bad_value_is_reported_and_file_untouched(corpus, name):
    case, path, digest = corpus[name]
    res = run("compute", path)
    assert res.exit_code == 0  # compute reports; only check fails on errors
    assert f"[{case.code}]" in res.output
    res = run("check", path, "--json")
    is_error = MESSAGES[case.code][0] == ERROR
    assert res.exit_code == (1 if is_error else 0)
    d = json.loads(res.stdout)
    assert case.code in [f["code"] for f in d["findings"]]
    assert d["ready_to_file"] is False or not is_error
    assert sha(path) == digest


# -------------------------------------------------------------------------------------------------
# Where each cell-level finding points
# -------------------------------------------------------------------------------------------------

CELL_CASES = {  # case → (code, field whose cell is named)
    "error_value": ("CDHT-W010", "tong_so_cong_dan"),
    "text_in_number": ("CDHT-W011", "tong_so_cong_dan"),
    "negative_count": ("CDHT-W012", "xa_5_1_so_cong_dan_hoc_tap"),
    "numerator_above": ("CDHT-W014", "xa_5_1_so_cong_dan_hoc_tap"),
    "bad_dropdown": ("CDHT-W015", "xa_2_1"),
    "nfd_verdict": ("CDHT-W015", "xa_1_1"),
}


@pytest.mark.parametrize("name", sorted(CELL_CASES))
def test_cell_findings_name_the_input_cell(corpus, name):
    code, field = CELL_CASES[name]
    _, path, _ = corpus[name]
    rep = compute(path)
    [f] = [f for f in rep.findings if f.code == code]
    assert (f.sheet, f.cell) == C.cell_ref(path, field)
    assert f.cell in f.message or f.cell in f.where()


def test_bad_values_make_the_level_incomplete(corpus):
    for name in ("error_value", "text_in_number", "negative_count", "numerator_above", "bad_dropdown"):
        rep = compute(corpus[name][1])
        assert rep.level is None, name
        assert not rep.ready_to_file


def test_text_in_number_cell_message(corpus):
    [f] = [f for f in compute(corpus["text_in_number"][1]).findings if f.code == "CDHT-W011"]
    assert "'một nghìn'" in f.message and "phải là số" in f.message


def test_numerator_above_denominator_names_both_cells(corpus):
    path = corpus["numerator_above"][1]
    [f] = [f for f in compute(path).findings if f.code == "CDHT-W014"]
    assert f.facts["den_cell"] == C.cell_ref(path, "tong_so_cong_dan")[1]
    assert (f.facts["value"], f.facts["den_value"], f.indicator) == (1200, 1000, "xa.5.1")


def test_nfd_verdict_is_not_an_answer_as_in_the_sheet(corpus):
    rep = compute(corpus["nfd_verdict"][1])
    # the sheet's formulas see a decomposed "Đạt" as no answer; Python agrees and says how to fix it
    assert rep.level is None and rep.assessment.indicators["xa.1.1"].level1 is None
    assert [f.code for f in rep.findings] == ["CDHT-W017", "CDHT-W015"]


def test_protection_removed_and_formula_changed(corpus):
    _, path, _ = corpus["protection_removed"]
    rep = compute(path)
    by = {f.code: f for f in rep.findings}
    assert by["CDHT-W018"].sheet == L.SHEET_SELF
    wb = openpyxl.load_workbook(path)
    forged = C.formula_cell(wb, "xa.5.1", 1)
    assert (by["CDHT-W019"].sheet, by["CDHT-W019"].cell) == (L.SHEET_SELF, forged)
    assert forged in by["CDHT-W019"].text()  # the location is printed once, by where()
    assert rep.sub.tampered and rep.as_dict()["tampered"] is True
    assert rep.level == 0  # 500/1000: the forged "Đạt" formula is not believed


# -------------------------------------------------------------------------------------------------
# Other tampering (template structure)
# -------------------------------------------------------------------------------------------------

def _tampered(tmp_path, edit):
    path = C.filled(tmp_path / "sua.xlsx", "xa")
    return C._edit(path, edit)


def test_protection_removed_alone_is_tampering(tmp_path):
    path = _tampered(tmp_path, lambda wb: setattr(wb[L.SHEET_UNIT].protection, "sheet", False))
    rep = compute(path)
    assert [f.code for f in rep.findings] == ["CDHT-W018"]
    assert rep.sub.tampered and not rep.ready_to_file


def test_locked_text_changed_names_the_cell(tmp_path):
    def edit(wb):
        ws = wb[L.SHEET_SELF]
        row = int(C.formula_cell(wb, "xa.5.1", 1)[1:])
        ws.cell(row, 2).value = "Có ít nhất 10% công dân trong xã đạt danh hiệu"
    rep = compute(_tampered(tmp_path, edit))
    [f] = rep.findings
    assert f.code == "CDHT-W019" and f.sheet == L.SHEET_SELF
    wb = openpyxl.load_workbook(tmp_path / "sua.xlsx")
    assert f.cell == f"B{C.formula_cell(wb, 'xa.5.1', 1)[1:]}"


def test_sheet_deleted_is_W020(tmp_path):
    path = _tampered(tmp_path, lambda wb: wb.remove(wb[L.SHEET_SUMMARY]))
    rep = compute(path)
    assert "CDHT-W020" in [f.code for f in rep.findings]
    [f] = [f for f in rep.findings if f.code == "CDHT-W020"]
    assert f.sheet == L.SHEET_SUMMARY and rep.sub.tampered


def test_redirected_name_is_a_fingerprint_mismatch_W021(tmp_path):
    def edit(wb):
        wb.defined_names["tong_so_cong_dan"].attr_text = f"'{L.SHEET_UNIT}'!$C$40"
    rep = compute(_tampered(tmp_path, edit))
    assert "CDHT-W021" in [f.code for f in rep.findings]
    assert rep.sub.tampered and not rep.ready_to_file


def test_filling_inputs_is_not_tampering(tmp_path):
    rep = compute(C.filled(tmp_path / "ok.xlsx", "xa", {"xa_5_1_so_cong_dan_hoc_tap": 612}))
    assert rep.findings == [] and not rep.sub.tampered


# -------------------------------------------------------------------------------------------------
# Identity: year, edition
# -------------------------------------------------------------------------------------------------

def test_wrong_year_is_reported_by_the_reader(tmp_path):
    path = C.make_wrong_year(tmp_path)
    sub = read_workbook(path)
    assert sub.readable and sub.year == 2025 and sub.year != C.YEAR
    assert ":2025:" in sub.meta["template_id"]
    res = run("compute", path, "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["year"] == 2025


def test_unknown_edition_names_it(corpus):
    _, path, _ = corpus["unknown_edition"]
    [f] = read_workbook(path).findings  # _meta is outside the fingerprint: only W007
    assert f.code == "CDHT-W007" and "tt99-2030" in f.message


# -------------------------------------------------------------------------------------------------
# File-level refusals in detail
# -------------------------------------------------------------------------------------------------

def test_really_encrypted_workbook_is_W003(tmp_path):
    path = C.make_encrypted_real(tmp_path)
    if path is None:
        pytest.skip("msoffcrypto-tool not installed")
    digest = sha(path)
    assert path.read_bytes()[:8] == C.compound_file({"Workbook": b""})[:8]  # an OLE file, not a zip
    res = run("check", path)
    assert res.exit_code == 2 and "[CDHT-W003]" in res.output
    assert sha(path) == digest


def test_hand_built_compound_files_are_valid_ole(corpus):
    olefile = pytest.importorskip("olefile")
    with olefile.OleFileIO(str(corpus["encrypted"][1])) as ole:
        assert sorted(ole.listdir()) == [["EncryptedPackage"], ["EncryptionInfo"]]
    with olefile.OleFileIO(str(corpus["legacy_xls"][1])) as ole:
        assert ole.listdir() == [["Workbook"]]
        assert ole.openstream("Workbook").read(4) == b"\x09\x08\x10\x00"  # BIFF8 BOF record


def test_zip_bomb_is_refused_before_decompressing(corpus, monkeypatch):
    _, path, _ = corpus["zip_bomb"]
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) > 200 * 1024 * 1024
    assert path.stat().st_size < 2 * 1024 * 1024

    def no_inflate(*a, **k):
        raise AssertionError("the size guard must come before any decompression")
    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflate)
    [f] = read_workbook(path).findings
    assert f.code == "CDHT-W024" and f.facts["limit"] == 200 and f.facts["size"] >= 201


def test_size_limit_comes_from_the_edition(tmp_path):
    path = C.make_zip_bomb(tmp_path, megabytes=3)
    assert read_workbook(path).readable  # 3 MB of padding is fine under the default 200 MB
    strict = copy.copy(load_edition())
    strict.settings = strict.settings.model_copy(update={"max_uncompressed_mb": 2})
    [f] = read_workbook(path, strict).findings
    assert f.code == "CDHT-W024" and f.facts["limit"] == 2


def test_missing_file_is_W001(tmp_path):
    res = run("compute", tmp_path / "khong-co.xlsx")
    assert res.exit_code == 2 and "[CDHT-W001]" in res.output


def test_real_process_prints_no_traceback(corpus):
    """The installed command, in its own process, on the worst inputs."""
    for name in ("not_xlsx", "corrupt_zip", "encrypted", "zip_bomb"):
        case, path, digest = corpus[name]
        proc = subprocess.run([sys.executable, "-m", "cdht.cli.main", "check", str(path), "--write"],
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 2, (name, proc.stdout, proc.stderr)
        assert f"[{case.code}]" in proc.stdout
        assert "Traceback" not in proc.stdout + proc.stderr
        assert sha(path) == digest


def test_unknown_fingerprint_scheme_is_refused_not_called_tampered(tmp_path):
    """A template from a future fingerprint definition: W026, not a false W019/W021."""
    import openpyxl

    from cdht.read.submission import read_workbook
    from cdht_generator.api import generate
    from cdht.edition import load_edition
    from cdht.fill import fill
    path = generate(load_edition(), "xa", 2026, tmp_path / "t")[0]
    out = fill(path, tmp_path / "x.xlsx", {"xa_1_1": "Đạt"})
    wb = openpyxl.load_workbook(out)
    meta = wb[L.SHEET_META]
    row = next(r for r in meta.iter_rows() if r[0].value == "fingerprint_scheme")
    row[1].value = "99"
    wb.save(out)
    sub = read_workbook(out)
    codes = [f.code for f in sub.findings]
    assert "CDHT-W026" in codes and sub.tampered
    assert not {"CDHT-W019", "CDHT-W021"} & set(codes)
