"""The oracle test: a real spreadsheet engine computes the templates' live formulas, and they must
give exactly what the Python rules (``cdht.evaluate``) give.

Each case fills a blank template of the default edition by defined name, every filled file goes
through ONE LibreOffice recalculation, and the engine's results — every indicator at both levels,
every criterion, ``ket_qua_muc_do``, the conclusion text and the appraisal's
``td_ket_qua_muc_do`` — are compared with ``evaluate`` and ``appraised_level``. Each case also
states what the Circular says the outcome is, so the table cannot pass by both sides being wrong
the same way. Inputs on which the two are known to differ are kept, as strict expected failures,
in ``KNOWN_DISAGREEMENTS``.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from python_calamine import CalamineWorkbook

from cdht import contract as L
from cdht import rules as R
from cdht_generator.api import generate
from cdht.edition import load_edition
from cdht.evaluate import appraised_level, evaluate, level_label, verdict_label
from cdht.fill import cell_of
from scripts.libreoffice import recalc, soffice_path

pytestmark = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")

YEAR = 2026
EDITION = load_edition(None)
DAT, KD, CD = R.DAT, R.KHONG_DAT, R.CHUA_DU


def _verdicts(tier: str) -> dict:
    t = EDITION.tier(tier)
    return {f.key: DAT for f in t.fields.values() if f.type == "verdict"}


# A unit meeting level 2 on every indicator; each case changes a few inputs of it.
BASE = {
    "xa": {**_verdicts("xa"), "tong_so_cong_dan": 1000, "vung_kho_khan": R.KHONG,
           "xa_4_2": 3, "xa_4_3": 3, "xa_4_4": 2, "xa_5_1_so_cong_dan_hoc_tap": 800,
           "xa_5_2_so_duoc_dao_tao": 600, "xa_5_2_so_dai_hoc": 150},
    "huyen": {**_verdicts("huyen"), "huyen_4_1_tong_so_xa": 10, "huyen_4_1_so_xa_muc_do_1": 10,
              "huyen_4_1_so_xa_muc_do_2": 10, "huyen_4_2_nam_nay": 50, "huyen_4_2_nam_truoc": 45,
              "huyen_4_3_nam_nay": 90, "huyen_4_3_nam_truoc": 88},
    "tinh": {**_verdicts("tinh"), "tinh_3_4_so_chuong_trinh": 4, "tinh_3_5_so_chuong_trinh": 4,
             "tinh_3_5_hoc_lieu_mo": R.CO, "tinh_4_1_tong_so_huyen": 10, "tinh_4_1_so_huyen_muc_do_1": 10,
             "tinh_4_1_so_huyen_muc_do_2": 10, "tinh_4_2_nam_nay": 5.0, "tinh_4_2_nam_truoc": 6.0,
             "tinh_4_3_nam_nay": 100000, "tinh_4_3_nam_truoc": 95000},
}

T, F, N = True, False, None


@dataclass(frozen=True)
class Case:
    id: str
    tier: str
    changes: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)  # indicator id → (level 1, level 2) per the Circular
    level: object = "any"  # the unit's level per the Circular (None = chưa đủ dữ liệu)
    appraisal: dict | None = None  # td_* names → value over "Đạt" for every indicator; None: empty
    target: object = None  # td_muc_do_xet
    appraised: object = "any"  # expected council result
    blank: bool = False  # start from an empty template instead of BASE


def xa(id, changes, expect, level, **kw):
    return Case(id, "xa", changes, expect, level, **kw)


def hu(id, changes, expect, level, **kw):
    return Case(id, "huyen", changes, expect, level, **kw)


def ti(id, changes, expect, level, **kw):
    return Case(id, "tinh", changes, expect, level, **kw)


DT, DH, CDHT, TONG, VKK = ("xa_5_2_so_duoc_dao_tao", "xa_5_2_so_dai_hoc", "xa_5_1_so_cong_dan_hoc_tap",
                           "tong_so_cong_dan", "vung_kho_khan")
H41T, H41A, H41B = "huyen_4_1_tong_so_xa", "huyen_4_1_so_xa_muc_do_1", "huyen_4_1_so_xa_muc_do_2"
T41T, T41A, T41B = "tinh_4_1_tong_so_huyen", "tinh_4_1_so_huyen_muc_do_1", "tinh_4_1_so_huyen_muc_do_2"

CASES = [
    # --- commune: xa.5.1 at 60 % / 80 % (the appraisal rides along: it reads other cells) ----------
    xa("xa-level2", {}, {"xa.5.1": (T, T), "xa.5.2": (T, T)}, 2, appraisal={}, target=2, appraised=2),
    xa("xa-5.1-59.9pct", {CDHT: 599}, {"xa.5.1": (F, F)}, 0,
       appraisal={"td_xa_5_2": KD}, target=2, appraised=0),
    xa("xa-5.1-60pct", {CDHT: 600}, {"xa.5.1": (T, F)}, 1,
       appraisal={"td_xa_1_3": None}, target=2, appraised=None),
    xa("xa-5.1-79.9pct", {CDHT: 799}, {"xa.5.1": (T, F)}, 1, appraisal={}, target=None, appraised=None),
    xa("xa-5.1-3-of-5", {TONG: 5, CDHT: 3, DT: 3, DH: 1}, {"xa.5.1": (T, F), "xa.5.2": (T, T)}, 1,
       appraisal={"td_xa_1_1": "đạt", "td_xa_4_4": "ĐẠT"}, target=1, appraised=1),
    # --- xa.5.2 at 50 % and 12 % / 60 % and 15 % -------------------------------------------
    xa("xa-5.2-trained-49.9pct", {DT: 499}, {"xa.5.2": (F, F)}, 0),
    xa("xa-5.2-trained-50pct", {DT: 500}, {"xa.5.2": (T, F)}, 1),
    xa("xa-5.2-trained-59.9pct", {DT: 599}, {"xa.5.2": (T, F)}, 1),
    xa("xa-5.2-university-11.9pct", {DH: 119}, {"xa.5.2": (F, F)}, 0),
    xa("xa-5.2-university-12pct", {DH: 120}, {"xa.5.2": (T, F)}, 1),
    xa("xa-5.2-university-14.9pct", {DH: 149}, {"xa.5.2": (T, F)}, 1),
    # --- vùng khó khăn: 40 % and 10 % / 50 % and 12 % -------------------------------------------
    xa("xa-hardship-trained-39.9pct", {VKK: R.CO, DT: 399, DH: 120}, {"xa.5.2": (F, F)}, 0),
    xa("xa-hardship-40pct-10pct", {VKK: R.CO, DT: 400, DH: 100}, {"xa.5.2": (T, F)}, 1),
    xa("xa-hardship-trained-49.9pct", {VKK: R.CO, DT: 499, DH: 120}, {"xa.5.2": (T, F)}, 1),
    xa("xa-hardship-50pct-12pct", {VKK: R.CO, DT: 500, DH: 120}, {"xa.5.2": (T, T)}, 2),
    xa("xa-hardship-university-9.9pct", {VKK: R.CO, DT: 500, DH: 99}, {"xa.5.2": (F, F)}, 0),
    xa("xa-hardship-university-11.9pct", {VKK: R.CO, DT: 500, DH: 119}, {"xa.5.2": (T, F)}, 1),
    xa("xa-hardship-lowercase-co", {VKK: "có", DT: 500, DH: 120}, {"xa.5.2": (T, T)}, 2),
    xa("xa-not-hardship-50pct-12pct", {DT: 500, DH: 120}, {"xa.5.2": (T, F)}, 1),
    xa("xa-hardship-missing", {VKK: None}, {"xa.5.1": (T, T), "xa.5.2": (N, N)}, None),
    # --- phổ cập / xóa mù chữ levels ---------------------------------------------------------------
    xa("xa-4.2-level1", {"xa_4_2": 1}, {"xa.4.2": (F, F)}, 0),
    xa("xa-4.2-level2", {"xa_4_2": 2}, {"xa.4.2": (T, F)}, 1),
    xa("xa-4.2-level4-out-of-range", {"xa_4_2": 4}, {"xa.4.2": (N, N)}, None),
    xa("xa-4.2-level2.5-not-whole", {"xa_4_2": 2.5}, {"xa.4.2": (N, N)}, None),
    xa("xa-4.4-level0", {"xa_4_4": 0}, {"xa.4.4": (F, F)}, 0),
    xa("xa-4.4-level1", {"xa_4_4": 1}, {"xa.4.4": (T, F)}, 1),
    # --- verdict texts ----------------------------------------------------------------------------
    xa("xa-verdict-missing", {"xa_1_1": None}, {"xa.1.1": (N, N)}, None),
    xa("xa-verdict-khong-dat", {"xa_1_1": KD}, {"xa.1.1": (F, F)}, 0),
    xa("xa-verdict-lowercase", {"xa_1_1": "đạt", "xa_3_3": "không đạt"}, {"xa.1.1": (T, T), "xa.3.3": (F, F)}, 0),
    xa("xa-verdict-uppercase", {"xa_2_2": "ĐẠT"}, {"xa.2.2": (T, T)}, 2),
    xa("xa-verdict-trailing-space", {"xa_2_1": DAT + " "}, {"xa.2.1": (N, N)}, None),
    xa("xa-verdict-without-accents", {"xa_2_3": "Dat"}, {"xa.2.3": (N, N)}, None),
    xa("xa-fail-and-missing", {"xa_1_1": KD, "xa_4_1": None}, {"xa.1.1": (F, F), "xa.4.1": (N, N)}, None),
    # --- bad numbers --------------------------------------------------------------------------------
    xa("xa-zero-denominator", {TONG: 0, CDHT: 0, DT: 0, DH: 0}, {"xa.5.1": (N, N), "xa.5.2": (N, N)}, None),
    xa("xa-denominator-missing", {TONG: None}, {"xa.5.1": (N, N), "xa.5.2": (N, N)}, None),
    xa("xa-numerator-above-denominator", {CDHT: 1001}, {"xa.5.1": (N, N)}, None),
    xa("xa-university-above-trained", {DT: 600, DH: 601}, {"xa.5.2": (N, N)}, None),
    xa("xa-text-in-number-cell", {CDHT: "800"}, {"xa.5.1": (N, N)}, None),
    xa("xa-negative-count", {CDHT: -5}, {"xa.5.1": (N, N)}, None),
    xa("xa-fractional-count", {CDHT: 800.5}, {"xa.5.1": (N, N)}, None),
    Case("xa-empty-template", "xa", {}, {"xa.1.1": (N, N), "xa.5.2": (N, N)}, None, blank=True,
         appraised=None),
    # --- district -------------------------------------------------------------------------------------
    hu("huyen-level2", {}, {"huyen.4.1": (T, T)}, 2, appraisal={}, target=1, appraised=1),
    hu("huyen-4.1-90pct", {H41A: 9, H41B: 9}, {"huyen.4.1": (T, T)}, 2, appraisal={}, target=3, appraised=None),
    hu("huyen-4.1-18-of-20", {H41T: 20, H41A: 18, H41B: 18}, {"huyen.4.1": (T, T)}, 2,
       appraisal={}, target="2", appraised=None),
    hu("huyen-4.1-6-of-7", {H41T: 7, H41A: 6, H41B: 6}, {"huyen.4.1": (F, F)}, 0),
    hu("huyen-4.1-level1-only", {H41A: 10, H41B: 8}, {"huyen.4.1": (T, F)}, 1),
    hu("huyen-4.1-level2-above-level1", {H41A: 8, H41B: 9}, {"huyen.4.1": (N, N)}, None),
    hu("huyen-4.1-zero-communes", {H41T: 0, H41A: 0, H41B: 0}, {"huyen.4.1": (N, N)}, None),
    hu("huyen-4.1-more-than-total", {H41A: 11, H41B: 10}, {"huyen.4.1": (N, N)}, None),
    hu("huyen-4.2-equal", {"huyen_4_2_nam_nay": 45, "huyen_4_2_nam_truoc": 45}, {"huyen.4.2": (F, F)}, 0),
    hu("huyen-4.2-decrease", {"huyen_4_2_nam_nay": 44.5}, {"huyen.4.2": (F, F)}, 0),
    hu("huyen-4.2-small-increase", {"huyen_4_2_nam_nay": 45.01}, {"huyen.4.2": (T, T)}, 2),
    hu("huyen-4.2-negative", {"huyen_4_2_nam_truoc": -1}, {"huyen.4.2": (N, N)}, None),
    hu("huyen-4.3-equal", {"huyen_4_3_nam_nay": 88}, {"huyen.4.3": (F, F)}, 0),
    hu("huyen-4.3-decrease", {"huyen_4_3_nam_nay": 87.9}, {"huyen.4.3": (F, F)}, 0),
    hu("huyen-4.3-percent-above-100", {"huyen_4_3_nam_nay": 101}, {"huyen.4.3": (N, N)}, None),
    hu("huyen-4.3-text-percent", {"huyen_4_3_nam_nay": "90%"}, {"huyen.4.3": (N, N)}, None),
    # --- province -------------------------------------------------------------------------------------
    ti("tinh-level2", {}, {"tinh.3.4": (T, T), "tinh.4.2": (T, T)}, 2, appraisal={}, target=2, appraised=2),
    ti("tinh-3.4-three", {"tinh_3_4_so_chuong_trinh": 3}, {"tinh.3.4": (F, F)}, 0,
       appraisal={"td_tinh_4_3": "không đạt"}, target=1, appraised=0),
    ti("tinh-3.5-three", {"tinh_3_5_so_chuong_trinh": 3}, {"tinh.3.5": (F, F)}, 0,
       appraisal={"td_tinh_2_2": "Chưa xét"}, target=1, appraised=None),
    ti("tinh-3.5-khong", {"tinh_3_5_hoc_lieu_mo": R.KHONG}, {"tinh.3.5": (F, F)}, 0),
    ti("tinh-3.5-lowercase-khong", {"tinh_3_5_hoc_lieu_mo": "không"}, {"tinh.3.5": (F, F)}, 0),
    ti("tinh-3.5-missing-yesno", {"tinh_3_5_hoc_lieu_mo": None}, {"tinh.3.5": (N, N)}, None),
    ti("tinh-3.5-yesno-without-accents", {"tinh_3_5_hoc_lieu_mo": "Co"}, {"tinh.3.5": (N, N)}, None),
    ti("tinh-4.1-90pct", {T41A: 9, T41B: 9}, {"tinh.4.1": (T, T)}, 2),
    ti("tinh-4.1-level1-only", {T41A: 9, T41B: 8}, {"tinh.4.1": (T, F)}, 1),
    ti("tinh-4.1-below", {T41A: 8, T41B: 8}, {"tinh.4.1": (F, F)}, 0),
    ti("tinh-4.1-more-than-total", {T41A: 11, T41B: 10}, {"tinh.4.1": (N, N)}, None),
    ti("tinh-4.2-equal", {"tinh_4_2_nam_nay": 6.0}, {"tinh.4.2": (F, F)}, 0),
    ti("tinh-4.2-increase", {"tinh_4_2_nam_nay": 6.5}, {"tinh.4.2": (F, F)}, 0),
    ti("tinh-4.2-to-zero", {"tinh_4_2_nam_nay": 0, "tinh_4_2_nam_truoc": 0.5}, {"tinh.4.2": (T, T)}, 2),
    ti("tinh-4.3-equal", {"tinh_4_3_nam_nay": 95000}, {"tinh.4.3": (F, F)}, 0),
    ti("tinh-4.3-decrease", {"tinh_4_3_nam_nay": 94999.5}, {"tinh.4.3": (F, F)}, 0),
    xa("xa-verdict-decomposed-unicode", {"xa_1_1": unicodedata.normalize("NFD", DAT)}, {"xa.1.1": (N, N)}, None),
]

# Inputs on which the spreadsheet and the Python rules are known to disagree. Each runs in the same
# LibreOffice call and is expected to fail (strict): when a fix makes it agree, move it to CASES.
KNOWN_DISAGREEMENTS = [
    (ti("tinh-date-in-count-cell", {"tinh_3_4_so_chuong_trinh": dt.date(2026, 4, 5)}, {"tinh.3.4": (N, N)}, None),
     "a date typed into a count cell (Excel turns '5/4' into a date) is a number to Excel and LibreOffice "
     "(serial 46117: whole, >= 0, so the data validation lets it through) and the sheet shows Đạt; "
     "Python rejects the datetime and says chưa đủ dữ liệu"),
    (xa("xa-boolean-in-level-cell", {"xa_4_2": True}, {"xa.4.2": (N, N)}, None),
     "LibreOffice treats TRUE as the number 1 (ISNUMBER(TRUE) is TRUE there, FALSE in Excel): "
     "the sheet shows Không đạt, Python says chưa đủ dữ liệu"),
    (hu("huyen-4.3-increase-below-15-digits", {"huyen_4_3_nam_nay": 0.1 + 0.2, "huyen_4_3_nam_truoc": 0.3},
        {"huyen.4.3": (T, T)}, 2),
     "LibreOffice compares numbers with a relative tolerance (about 1e-15): 0.30000000000000004 > 0.3 "
     "is FALSE there, TRUE in Python"),
]


def case_values(case: Case) -> dict:
    base = {} if case.blank else BASE[case.tier]
    return {**base, **case.changes}


def case_appraisal(case: Case) -> dict:
    if case.appraisal is None and case.target is None:
        return {}
    t = EDITION.tier(case.tier)
    verdicts = {L.appraisal_name(i.id): DAT for i in t.indicators} if case.appraisal is not None else {}
    return {**verdicts, **(case.appraisal or {}), L.N_APPRAISAL_TARGET: case.target}


def _bool(text) -> bool | None:
    return {DAT: True, KD: False, CD: None}[text]


def _level(v) -> int | None:
    if v is None or v == "":
        return None
    assert isinstance(v, (int, float)) and float(v).is_integer(), f"result level is {v!r}"
    return int(v)


def _address(wb, name: str) -> tuple[str, int, int]:
    """(sheet, 0-based row, 0-based column) of a single-cell defined name."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    col, row = coordinate_from_string(ref.replace("$", ""))
    return sheet, row - 1, column_index_from_string(col) - 1


def _read(path: Path, tier: str, where: dict) -> dict:
    """What LibreOffice computed: E/F of every id row of 'Tự đánh giá', the named results, the
    conclusion text and the seal line of the summary (read with calamine: many files, fast)."""
    wb = CalamineWorkbook.from_path(str(path))
    sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
              for name in (L.SHEET_SELF, L.SHEET_APPRAISAL, L.SHEET_SUMMARY)}
    ids = {i.id for i in EDITION.tier(tier).indicators} | {c.id for c in EDITION.tier(tier).criteria}
    out = {"rows": {r[0]: (r[4], r[5]) for r in sheets[L.SHEET_SELF][L.HEADER_ROW:] if r[0] in ids},
           "conclusion": next(r[3] for r in sheets[L.SHEET_SELF] if r[1] == "Kết luận"),
           "seal": next(r[1] for r in sheets[L.SHEET_SUMMARY] if str(r[1]).startswith("Mã niêm phong"))}
    for key, (sheet, row, col) in where.items():
        out[key] = sheets[sheet][row][col]
    wb.close()
    return out


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """Every case filled, recalculated in ONE soffice call, read back: case id → results."""
    tmp = tmp_path_factory.mktemp("oracle")
    templates = {t: generate(EDITION, t, YEAR, tmp / "templates")[0] for t in ("xa", "huyen", "tinh")}
    books = {t: openpyxl.load_workbook(p) for t, p in templates.items()}
    where = {t: {"level": _address(wb, L.N_LEVEL), "appraised": _address(wb, L.N_APPRAISAL_LEVEL)}
             for t, wb in books.items()}
    seals = {t: cell_of(wb, L.N_SEAL).value for t, wb in books.items()}
    filled = {}
    for case in ALL_CASES:
        wb = books[case.tier]
        values = {**case_values(case), **case_appraisal(case)}
        touched = [cell_of(wb, n) for n in values]
        for v, c in zip(values.values(), touched):
            c.value = v
        path = tmp / "filled" / f"{case.id}.xlsx"
        path.parent.mkdir(exist_ok=True)
        wb.save(path)
        for c in touched:  # back to the blank template for the next case
            c.value = None
        filled[case.id] = path
    out = recalc(list(filled.values()), tmp / "recalculated")
    results = {c.id: _read(out[filled[c.id]], c.tier, where[c.tier]) for c in ALL_CASES}
    saved = {t: out[filled[next(c.id for c in CASES if c.tier == t)]] for t in ("xa", "huyen", "tinh")}
    return {"results": results, "seals": seals, "saved": saved, "outputs": {c.id: out[filled[c.id]] for c in ALL_CASES}}


ALL_CASES = CASES + [case for case, _ in KNOWN_DISAGREEMENTS]
ORACLE_CASES = [pytest.param(c, id=c.id) for c in CASES] + [
    pytest.param(case, id=case.id, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=why))
    for case, why in KNOWN_DISAGREEMENTS]


def test_case_table_covers_every_tier_and_many_boundaries():
    assert {c.tier for c in CASES} == {"xa", "huyen", "tinh"}
    assert len({c.id for c in ALL_CASES}) == len(ALL_CASES) and len(CASES) >= 40
    assert {c.level for c in CASES} >= {None, 0, 1, 2}
    assert {c.appraised for c in CASES} >= {None, 0, 1, 2}


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_python_rules_give_what_the_circular_says(case):
    """The table's expectations hold for the Python evaluator (so the oracle is not vacuous)."""
    tier = EDITION.tier(case.tier)
    res = evaluate(tier, case_values(case))
    for ind_id, (l1, l2) in case.expect.items():
        got = res.indicators[ind_id]
        assert (got.level1, got.level2) == (l1, l2), f"{ind_id}: {got.reason}"
    if case.level != "any":
        assert res.level == case.level
    if case.appraised != "any":
        assert appraised_level(tier, case_appraisal(case), case.target) == case.appraised


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("case", ORACLE_CASES)
def test_libreoffice_agrees_with_python(case, computed):
    tier = EDITION.tier(case.tier)
    res = evaluate(tier, case_values(case))
    got = computed["results"][case.id]
    # every indicator and criterion row is there, at both levels
    assert set(got["rows"]) == {i.id for i in tier.indicators} | {c.id for c in tier.criteria}
    diffs = []
    for ind in tier.indicators:  # no case cites evidence: a met indicator reads "Đạt (thiếu minh chứng)"
        e, f = got["rows"][ind.id]
        r = res.indicators[ind.id]
        want = (verdict_label(r.level1, evidenced=False), verdict_label(r.level2, evidenced=False))
        if (e, f) != want:
            diffs.append(f"{ind.id}: LibreOffice {(e, f)}, Python {want} ({r.reason})")
    for crit in tier.criteria:
        e, f = got["rows"][crit.id]
        if (_bool(e), _bool(f)) != res.criteria[crit.id]:
            diffs.append(f"{crit.id}: LibreOffice {(e, f)}, Python {res.criteria[crit.id]}")
    assert not diffs, "\n".join(diffs)
    assert _level(got["level"]) == res.level, f"ket_qua_muc_do {got['level']!r} vs Python {res.level}"
    assert got["conclusion"] == level_label(res.level)
    want_td = appraised_level(tier, case_appraisal(case), case.target)
    assert _level(got["appraised"]) == want_td, f"td_ket_qua_muc_do {got['appraised']!r} vs Python {want_td}"


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_libreoffice_keeps_row_and_column_formats(computed, tier):
    """The evidence register is unlocked by ROW formats (no cell elements): LibreOffice applies them
    to every cell of those rows — after its own save, an untouched cell of the register is still
    typeable (its format or its row's unlocked) and the rows around it are not."""
    wb = openpyxl.load_workbook(computed["saved"][tier])
    ws = wb[L.SHEET_EVIDENCE]
    assert ws.protection.sheet

    def locked(row: int, col: int) -> bool:
        c = ws.cell(row, col)
        if c.has_style:
            return c.protection.locked
        rd = ws.row_dimensions[row]
        return rd.protection.locked if rd.has_style else True  # the default format is locked

    first, last = L.HEADER_ROW + 1, L.HEADER_ROW + L.EVIDENCE_ROWS
    for row in (first, first + 1, last):
        assert not any(locked(row, col) for col in range(1, len(L.EVIDENCE_COLUMNS) + 1)), row
    assert all(locked(L.HEADER_ROW, col) for col in range(1, len(L.EVIDENCE_COLUMNS) + 1))
    assert locked(last + 1, 1) and locked(last + 1, 2)
    if tier != "xa":  # the register's decision dates: a column format, kept by LibreOffice too
        assert wb[L.SHEET_REGISTER].column_dimensions["E"].number_format == "dd/mm/yyyy"
    wb.close()


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_a_workbook_saved_by_libreoffice_is_not_tampered(case, computed):
    """A commune that fills its form in LibreOffice hands in LibreOffice's rewrite of the file
    (names without needless quotes, FALSE() for FALSE, its own XML): the reader must recognise the
    template, find no tampering, and read the same inputs — so the level is the Python one."""
    from cdht.ops.assess import compute
    rep = compute(computed["outputs"][case.id])
    tamper = {"CDHT-W018", "CDHT-W019", "CDHT-W020", "CDHT-W021", "CDHT-W026"}
    assert not tamper & {f.code for f in rep.findings}, [f.text() for f in rep.findings if f.code in tamper]
    assert rep.sub.tampered is False and rep.sub.tier.code == case.tier
    assert rep.level == evaluate(EDITION.tier(case.tier), case_values(case)).level


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_summary_prints_the_seal_code(computed, tier):
    seal = computed["seals"][tier]
    assert seal and len(seal) == 9
    case = next(c for c in CASES if c.tier == tier)
    assert computed["results"][case.id]["seal"] == f"Mã niêm phong: {seal}"
