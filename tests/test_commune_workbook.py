"""The commune officer's workbook (issue 17), through the generated template and the CLI: the
evidence register's "Chỉ tiêu" column offers the tier's codes, and ``cdht check`` reads the codes
the way people type them, with one finding per row it cannot read that lists the codes that exist."""
from __future__ import annotations

import json

import openpyxl
import pytest

from cdht import contract as L
from tests import corpus as C
from tests.support.cli import run
from scripts import libreoffice

needs_soffice = pytest.mark.skipif(libreoffice.soffice_path() is None,
                                   reason="LibreOffice (soffice) is not installed")

FIRST_ROW = L.HEADER_ROW + 1
INDICATOR_COLUMN = L.EVIDENCE_COLUMNS.index("Chỉ tiêu") + 1  # B


def _codes(tier):
    return [i.id for i in C.EDITION.tier(tier).indicators]


@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_the_register_indicator_column_is_a_list_of_the_tier_codes(templates, tier):
    wb = openpyxl.load_workbook(C.template(templates, tier))
    try:
        ws = wb[L.SHEET_EVIDENCE]
        col = openpyxl.utils.get_column_letter(INDICATOR_COLUMN)
        lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
        [dv] = [dv for dv in lists if str(dv.sqref).startswith(col)]  # (column I: the "Mức độ" list, issue 15)
        assert str(dv.sqref) == f"{col}{FIRST_ROW}:{col}{FIRST_ROW + L.EVIDENCE_ROWS - 1}"
        assert dv.formula1 == '"' + ",".join(_codes(tier)) + '"'
        # several codes in one cell stay possible: the list warns, it does not refuse
        assert dv.errorStyle == "warning" and dv.showErrorMessage
    finally:
        wb.close()


def _check_json(path):
    res = run("check", path, "--json")
    return res, json.loads(res.output)


def _rows(extra):
    """Evidence for every xã indicator but the ones ``extra`` cites, then ``extra``."""
    return [r for r in C.evidence_for(C.EDITION.tier("xa"), C.EVIDENCE_DATE)
            if r[1] not in {x for _, x in extra}] + [
        [f"MC9{k}", typed, f"Văn bản {k}", f"{k}/QĐ", C.EVIDENCE_DATE, "UBND", None, None]
        for k, (typed, _) in enumerate(extra)]


def test_check_reads_indicator_codes_as_people_type_them(tmp_path, templates):
    typed = [("1.1", "xa.1.1"), ("xã 1.2", "xa.1.2"), ("Chỉ tiêu 1.3", "xa.1.3"),
             ("XA.2.1", "xa.2.1"), ("xa.2.2", "xa.2.2"), ("Chỉ tiêu 3.1", "xa.3.1")]
    path = C.filled(tmp_path / "xa.xlsx", "xa", evidence=_rows(typed), templates=templates)
    res, out = _check_json(path)
    assert [f for f in out["findings"] if f["code"] in {"CDHT-E001", "CDHT-E002"}] == []
    assert res.exit_code == 0, res.output


def test_an_unreadable_code_is_one_finding_per_row_naming_the_codes(tmp_path, templates):
    rows = C.evidence_for(C.EDITION.tier("xa"), C.EVIDENCE_DATE) + [
        ["MC98", "Chỉ tiêu 9.1, tiêu chí hai", "Văn bản lạ", "1/QĐ", C.EVIDENCE_DATE, "UBND", None, None]]
    path = C.filled(tmp_path / "xa.xlsx", "xa", evidence=rows, templates=templates)
    res, out = _check_json(path)
    bad_row = FIRST_ROW + len(rows) - 1
    e002 = [f for f in out["findings"] if f["code"] == "CDHT-E002"]
    assert len(e002) == 1, e002
    [f] = e002
    assert (f["sheet"], f["row"]) == (L.SHEET_EVIDENCE, bad_row)
    assert "'xa.9.1, tiêu chí hai'" in f["message"]
    assert all(code in f["fix"] for code in _codes("xa"))
    assert res.exit_code == 1
    people = run("check", path).output
    assert people.count("CDHT-E002") == 1 and "xa.5.2" in people


def _self_assessment_texts(path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    try:
        ws = wb[L.SHEET_SELF]
        return {row[0].value: row[1].value for row in ws.iter_rows(min_row=FIRST_ROW, max_col=2)
                if isinstance(row[0].value, str) and row[0].value.count(".") == 2}
    finally:
        wb.close()


@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_the_self_assessment_sheet_states_the_real_bars(templates, tier):
    texts = _self_assessment_texts(C.template(templates, tier))
    assert set(texts) == set(_codes(tier))
    assert not [i for i, t in texts.items() if "…" in t], texts


def test_the_commune_sheet_shows_the_thresholds_of_the_catalogue(templates):
    texts = _self_assessment_texts(C.template(templates, "xa"))
    tier = C.EDITION.tier("xa")
    r1, r2 = tier.indicator("xa.5.1").rules[1], tier.indicator("xa.5.1").rules[2]
    assert f"mức độ 1: {r1.p.min_percent:g}%; mức độ 2: {r2.p.min_percent:g}%" in texts["xa.5.1"]
    r1, r2 = tier.indicator("xa.4.2").rules[1], tier.indicator("xa.4.2").rules[2]
    assert texts["xa.4.2"].endswith(f"[mức độ 1: mức độ {r1.p.value} trở lên; mức độ 2: mức độ {r2.p.value} trở lên]")
    assert "vùng khó khăn" in texts["xa.5.2"]  # the disadvantaged-area variant too


RATE_COLUMN = "H"


def _rates_after_recalc(tmp_path, templates, cases: dict[str, dict]) -> dict[str, dict[str, str]]:
    """case → {numerator field → the rate cell's text} after ONE LibreOffice recalculation."""
    from scripts.libreoffice import recalc
    fields = ["xa_5_1_so_cong_dan_hoc_tap", "xa_5_2_so_duoc_dao_tao", "xa_5_2_so_dai_hoc"]
    filled = {case: C.filled(tmp_path / f"{case}.xlsx", "xa", values, templates=templates)
              for case, values in cases.items()}
    out = recalc(list(filled.values()), tmp_path / "recalculated")
    result = {}
    for case, path in filled.items():
        wb = openpyxl.load_workbook(out[path], data_only=True)
        try:
            ws = wb[L.SHEET_SELF]
            result[case] = {}
            for key in fields:
                sheet, cell = C.cell_ref(path, key)
                assert sheet == L.SHEET_SELF
                row = int("".join(ch for ch in cell if ch.isdigit()))
                result[case][key] = ws[f"{RATE_COLUMN}{row}"].value
        finally:
            wb.close()
    return result


@needs_soffice
def test_beside_each_count_the_live_rate_and_its_bar(tmp_path, templates):
    rates = _rates_after_recalc(tmp_path, templates, {
        "plain": {"tong_so_cong_dan": 1000, "xa_5_1_so_cong_dan_hoc_tap": 712, "vung_kho_khan": "Không",
                  "xa_5_2_so_duoc_dao_tao": 455, "xa_5_2_so_dai_hoc": 125},
        "hardship": {"tong_so_cong_dan": 1000, "xa_5_1_so_cong_dan_hoc_tap": 712, "vung_kho_khan": "Có",
                     "xa_5_2_so_duoc_dao_tao": 455, "xa_5_2_so_dai_hoc": 125},
        "empty": {"tong_so_cong_dan": None, "xa_5_1_so_cong_dan_hoc_tap": None, "vung_kho_khan": "Không"},
    })
    assert rates["plain"]["xa_5_1_so_cong_dan_hoc_tap"] == "71,2 % — cần ≥ 60 % (mức độ 1), ≥ 80 % (mức độ 2)"
    assert rates["plain"]["xa_5_2_so_duoc_dao_tao"] == "45,5 % — cần ≥ 50 % (mức độ 1), ≥ 60 % (mức độ 2)"
    assert rates["plain"]["xa_5_2_so_dai_hoc"] == "12,5 % — cần ≥ 12 % (mức độ 1), ≥ 15 % (mức độ 2)"
    assert rates["hardship"]["xa_5_2_so_duoc_dao_tao"] == (
        "45,5 % — vùng khó khăn: cần ≥ 40 % (mức độ 1), ≥ 50 % (mức độ 2)")
    assert rates["empty"]["xa_5_1_so_cong_dan_hoc_tap"] == "cần ≥ 60 % (mức độ 1), ≥ 80 % (mức độ 2)"


def test_check_of_a_workbook_of_another_year_says_so_once(tmp_path, templates):
    """A 2025 workbook whose evidence is dated for 2026: without --year every row is 'after the
    deadline'; with --year 2026 ONE finding names both years and the year's template, and no date finding."""
    old = C.filled(tmp_path / "xa-2025.xlsx", "xa", year=2025, templates=templates)
    _, plain = _check_json(old)
    assert len([f for f in plain["findings"] if f["code"] == "CDHT-E004"]) == len(_codes("xa"))

    res, out = _check_json_year(old, 2026)
    assert [f["code"] for f in out["findings"] if f["code"] in {"CDHT-E004", "CDHT-E005"}] == []
    [w] = [f for f in out["findings"] if f["code"] == "CDHT-W031"]
    assert "2025" in w["message"] and "2026" in w["message"] and "biểu mẫu năm 2026" in w["fix"] and "migrate" not in w["fix"]
    assert (w["sheet"], w["cell"]) == C.cell_ref(old, L.N_YEAR)
    assert res.exit_code == 1 and out["ready_to_file"] is False
    people = run("check", old, "--year", 2026).output
    assert people.count("CDHT-W031") == 1 and "CDHT-E004" not in people

    same = C.filled(tmp_path / "xa-2026.xlsx", "xa", templates=templates)
    res, out = _check_json_year(same, 2026)
    assert out["findings"] == [] and res.exit_code == 0


def _check_json_year(path, year):
    res = run("check", path, "--json", "--year", year)
    return res, json.loads(res.output)
