"""Evidence per level (issue 15): the register's "Mức độ" column says which level an evidence row
supports where an indicator's bar differs by level; check reads it (D010–D012), the báo cáo tự
đánh giá lists evidence by level, and workbooks issued before the column still read untouched."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest

from cdht import contract as L
from cdht import rules as R
from cdht.edition import load_edition
from cdht.fill import SAMPLE_INPUTS, evidence_for, fill
from cdht.ops.assess import check, evidence_levels
from cdht.ops.dossier import build_dossier
from cdht.units import SAMPLE_UNITS, read_units
from cdht_generator.api import generate
from cdht_generator.contributor import generate_contributor_form

EDITION = load_edition()
YEAR = 2026
UNITS, _ = read_units(SAMPLE_UNITS)
EARLIER = Path(__file__).parent / "data" / "issued-before-evidence-levels" / f"CDHT_{YEAR}_xa_mau-trong.xlsx"
XA = EDITION.tier("xa")
DIFFERING = {"xa": ["xa.4.2", "xa.4.3", "xa.4.4", "xa.5.1", "xa.5.2"], "huyen": ["huyen.4.1"], "tinh": ["tinh.4.1"]}
DATE = dt.date(YEAR, 6, 1)


def test_which_indicators_differ_by_level():
    """From the catalogue's rules: other thresholds (xa.5.1 60 % / 80 %) or other fields (huyen.4.1
    counts level-1 / level-2 communes, both "≥ 90%")."""
    for tier, ids in DIFFERING.items():
        assert [i.id for i in EDITION.tier(tier).indicators if R.differs_by_level(i)] == ids


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    root = tmp_path_factory.mktemp("levels")
    made = {t: generate(EDITION, t, YEAR, root, units=UNITS, unit_code=c)[0]
            for t, c in (("xa", "MAU-X0101"), ("huyen", "MAU-H01"), ("tinh", "MAU-T01"))}
    made["so_vhtt"] = generate_contributor_form(EDITION, YEAR, "so_vhtt", root)
    return made


@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_the_register_has_a_level_column_with_its_dropdown(issued, tier):
    wb = openpyxl.load_workbook(issued[tier])
    ws = wb[L.SHEET_EVIDENCE]
    first, last = L.HEADER_ROW + 1, L.HEADER_ROW + L.EVIDENCE_ROWS
    assert [c.value for c in ws[L.HEADER_ROW]] == L.EVIDENCE_COLUMNS + [L.EVIDENCE_LEVEL_HEADER]
    sheet, ref = next(iter(wb.defined_names[L.N_EVIDENCE].destinations))
    assert (sheet, ref) == (L.SHEET_EVIDENCE, f"$A${first}:$I${last}")
    [dv] = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == f"I{first}:I{last}"]
    assert dv.type == "list" and dv.formula1 == '"1,2"' and dv.allow_blank
    assert all(i in dv.prompt for i in DIFFERING[tier])
    assert not ws.row_dimensions[last].protection.locked  # typed into like the other columns
    assert all(i in ws["A2"].value for i in DIFFERING[tier])  # the line under the title says what it is for


def test_a_department_form_has_no_level_column(issued):
    wb = openpyxl.load_workbook(issued["so_vhtt"])
    assert [c.value for c in wb[L.SHEET_EVIDENCE][L.HEADER_ROW]] == L.EVIDENCE_COLUMNS
    assert next(iter(wb.defined_names[L.N_EVIDENCE].destinations))[1].startswith("$A$5:$H$")


def test_the_level_cell_is_read_as_people_type_it():
    both = frozenset((1, 2))
    assert evidence_levels(None) == (both, True) and evidence_levels("  ") == (both, True)
    assert evidence_levels(1) == (frozenset((1,)), True) and evidence_levels(2.0) == (frozenset((2,)), True)
    assert evidence_levels("Mức độ 2") == (frozenset((2,)), True) and evidence_levels("mức 1") == (frozenset((1,)), True)
    assert evidence_levels("1, 2") == (both, True) and evidence_levels("cả hai") == (both, True)
    for bad in (3, 0, "ba", "2a", True):
        assert evidence_levels(bad) == (both, False), bad


def _rows(level_of: dict[str, object]) -> list[list]:
    """One complete evidence row per indicator, with the "Mức độ" of ``level_of`` (indicator → value)."""
    return [row[:8] + [level_of.get(row[1])] for row in evidence_for(XA, DATE)]


def _commune(issued, folder: Path, rows: list[list], values: dict | None = None) -> Path:
    return fill(issued["xa"], folder / issued["xa"].name, {**SAMPLE_INPUTS["xa"], **(values or {})}, rows)


def _codes(rep, prefix="CDHT-D01") -> list[str]:
    return [f.code for f in rep.findings if f.code.startswith(prefix)]


def test_check_reads_the_levels(issued, tmp_path):
    """D010 a value that is not 1/2/empty (its cell named), D011 a level on an indicator with one
    bar, D012 an indicator met at level 2 whose evidence all says level 1."""
    rows = _rows({"xa.1.1": 2, "xa.4.2": "ba", "xa.5.1": 1, "xa.5.2": 2})
    rep = check(_commune(issued, tmp_path, rows))
    assert rep.level == 2
    by_code = {f.code: f for f in rep.findings if f.code.startswith("CDHT-D01")}
    assert sorted(by_code) == ["CDHT-D010", "CDHT-D011", "CDHT-D012"]
    row_of = {r[1]: L.HEADER_ROW + 1 + k for k, r in enumerate(rows)}
    d010, d011, d012 = by_code["CDHT-D010"], by_code["CDHT-D011"], by_code["CDHT-D012"]
    assert (d010.sheet, d010.cell) == (L.SHEET_EVIDENCE, f"I{row_of['xa.4.2']}") and "'ba'" in d010.message
    assert d011.cell == f"I{row_of['xa.1.1']}" and "xa.1.1" in d011.message and "xa.5.1" in d011.fix
    assert d012.indicator == "xa.5.1" and str(row_of["xa.5.1"]) in d012.message and "≥ 80%" in d012.fix
    assert "CDHT-E001" not in [f.code for f in rep.findings]  # cited: the evidence exists, for level 1


def test_no_level_finding_when_level_two_has_its_evidence(issued, tmp_path):
    rows = _rows({"xa.5.1": 1})
    rows.append(["MC99", "xa.5.1", "Danh sách công dân học tập đạt mức độ 2", "99/DS-KH", DATE, "Hội Khuyến học",
                 None, None, 2])
    rep = check(_commune(issued, tmp_path, rows))
    assert rep.level == 2 and _codes(rep) == []
    # a unit at level 1 only needs level-1 evidence
    below = {"xa_5_1_so_cong_dan_hoc_tap": 700}  # 70 %: level 1 (≥ 60 %), not level 2 (≥ 80 %)
    rep = check(_commune(issued, tmp_path / "l1", _rows({"xa.5.1": 1}), below))
    assert rep.level == 1 and _codes(rep) == []


def _texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_the_report_lists_evidence_by_level(issued, tmp_path):
    rows = _rows({"xa.5.1": 1})
    rows.append(["MC99", "xa.5.1", "Danh sách công dân học tập đạt mức độ 2", "99/DS-KH", DATE, "Hội Khuyến học",
                 None, None, 2])
    res = build_dossier(_commune(issued, tmp_path, rows), tmp_path / "hs")
    assert res.ok, [f.text() for f in res.findings]
    text = _texts(res.documents["bao_cao"])
    start = text.index(next(t for t in text if t.startswith("Chỉ tiêu 5.1 (xa.5.1)")))
    block = text[start:text.index(next(t for t in text[start:] if t.startswith("Chỉ tiêu 5.2 (xa.5.2)")))]
    assert block.index("Minh chứng cho mức độ 1:") < block.index("+ MC14: Văn bản minh chứng xa.5.1, số 14/KH-UBND, "
                                                                 "ngày 01/06/2026, Ủy ban nhân dân")
    assert block.index("Minh chứng cho mức độ 2:") < block.index("+ MC99: Danh sách công dân học tập đạt mức độ 2, "
                                                                 "số 99/DS-KH, ngày 01/06/2026, Hội Khuyến học")
    assert "Minh chứng chung cho cả hai mức độ:" not in block
    # an indicator with one bar: its evidence without a level heading
    start = text.index(next(t for t in text if t.startswith("Chỉ tiêu 1.1 (xa.1.1)")))
    block = text[start:start + 8]
    assert any(t.startswith("+ MC01:") for t in block) and not any(t.startswith("Minh chứng cho mức độ") for t in block)
    # xa.4.2, nothing marked: one group, common to both levels
    start = text.index(next(t for t in text if t.startswith("Chỉ tiêu 4.2 (xa.4.2)")))
    assert "Minh chứng chung cho cả hai mức độ:" in text[start:start + 10]


# --- a workbook issued before the column --------------------------------------------------------------

@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """The 2026 commune template as issued before issue 15 (eight-column register), filled."""
    out = tmp_path_factory.mktemp("earlier") / "CDHT_2026_xa_X99.xlsx"
    values = {**SAMPLE_INPUTS["xa"], L.N_UNIT_CODE: "X99", L.N_UNIT_NAME: "Xã Thử Nghiệm"}
    return fill(EARLIER, out, values, evidence_for(XA, DATE))


def test_a_workbook_issued_before_the_column_still_reads(earlier):
    wb = openpyxl.load_workbook(EARLIER)
    assert next(iter(wb.defined_names[L.N_EVIDENCE].destinations))[1] == "$A$5:$H$304"  # it is the old layout
    rep = check(earlier)
    assert rep.sub.readable and not rep.sub.tampered
    assert not [f for f in rep.findings if f.severity == "lỗi"], [f.text() for f in rep.findings]
    assert _codes(rep) == [] and rep.level == 2
    assert len(rep.sub.evidence) == len(XA.indicators) and all("level" not in r for r in rep.sub.evidence)


def test_text_right_of_an_old_register_is_still_outside_it(earlier, tmp_path):
    """A value typed in column I of an eight-column register is outside it (E010, columns A–H),
    not read as a level."""
    wb = openpyxl.load_workbook(earlier)
    wb[L.SHEET_EVIDENCE]["I5"] = 2
    path = tmp_path / earlier.name
    wb.save(path)
    rep = check(path)
    [f] = [f for f in rep.findings if f.code == "CDHT-E010"]
    assert f.cell == "I5" and "A–H" in f.message
    assert _codes(rep) == []


def test_the_dossier_of_an_earlier_workbook_lists_its_evidence_for_both_levels(earlier, tmp_path):
    res = build_dossier(earlier, tmp_path)
    assert res.ok, [f.text() for f in res.findings]
    text = _texts(res.documents["bao_cao"])
    start = text.index(next(t for t in text if t.startswith("Chỉ tiêu 5.1 (xa.5.1)")))
    assert "Minh chứng chung cho cả hai mức độ:" in text[start:start + 10]
