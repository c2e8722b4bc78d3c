"""The rule evaluator at every boundary of Thông tư 25/2023 (spec §2–§4).

Each case starts from a unit that meets mức độ 2 everywhere, changes a few inputs, and states
what the Circular says the indicator is at mức độ 1 and mức độ 2 (True đạt, False không đạt,
None chưa đủ dữ liệu).
"""
from __future__ import annotations

import unicodedata

import pytest

from cdht.edition import CATALOGUE_DIR, load_edition
from cdht.evaluate import combine, evaluate, level_label, verdict_label

try:
    from tests.broken_editions import mutate
except ImportError:  # tests/ itself on sys.path
    from broken_editions import mutate

T, F, N = True, False, None
DAT, KHONG_DAT = "Đạt", "Không đạt"


@pytest.fixture(scope="module")
def edition():
    return load_edition()


def _verdicts(prefix: str, criteria: dict[int, int]) -> dict:
    return {f"{prefix}_{c}_{k}": DAT for c, n in criteria.items() for k in range(1, n + 1)}


# A unit meeting mức độ 2 on every indicator.
GOOD = {
    "xa": {
        **_verdicts("xa", {1: 3, 2: 3, 3: 3}),
        "tong_so_cong_dan": 1000, "vung_kho_khan": "Không",
        "xa_4_1": DAT, "xa_4_2": 3, "xa_4_3": 3, "xa_4_4": 2,
        "xa_5_1_so_cong_dan_hoc_tap": 800,
        "xa_5_2_so_duoc_dao_tao": 600, "xa_5_2_so_dai_hoc": 150,
    },
    "huyen": {
        **_verdicts("huyen", {1: 3, 2: 4, 3: 3}),
        "huyen_4_1_tong_so_xa": 10, "huyen_4_1_so_xa_muc_do_1": 10, "huyen_4_1_so_xa_muc_do_2": 9,
        "huyen_4_2_nam_nay": 60.5, "huyen_4_2_nam_truoc": 58.0,
        "huyen_4_3_nam_nay": 95.1, "huyen_4_3_nam_truoc": 94.8,
    },
    "tinh": {
        **_verdicts("tinh", {1: 3, 2: 5, 3: 3}),
        "tinh_3_4_so_chuong_trinh": 4,
        "tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": "Có",
        "tinh_4_1_tong_so_huyen": 10, "tinh_4_1_so_huyen_muc_do_1": 10, "tinh_4_1_so_huyen_muc_do_2": 9,
        "tinh_4_2_nam_nay": 2.1, "tinh_4_2_nam_truoc": 2.9,
        "tinh_4_3_nam_nay": 1_250_000, "tinh_4_3_nam_truoc": 1_180_000,
    },
}

MISSING = object()  # remove the key


def _values(tier: str, changes: dict) -> dict:
    v = dict(GOOD[tier])
    for k, x in changes.items():
        assert k in v, f"unknown field {k}"
        if x is MISSING:
            del v[k]
        else:
            v[k] = x
    return v


def _case(ind, changes, l1, l2, name):
    return pytest.param(ind, changes, l1, l2, id=f"{ind}:{name}")


def _xa51(n, den=1000):
    return {"xa_5_1_so_cong_dan_hoc_tap": n, "tong_so_cong_dan": den}


def _xa52(trained, univ, hard="Không", den=1000):
    return {"xa_5_2_so_duoc_dao_tao": trained, "xa_5_2_so_dai_hoc": univ, "vung_kho_khan": hard,
            "tong_so_cong_dan": den}


def _h41(total, l1, l2, prefix="huyen_4_1", unit="xa"):
    return {f"{prefix}_tong_so_{unit}": total, f"{prefix}_so_{unit}_muc_do_1": l1,
            f"{prefix}_so_{unit}_muc_do_2": l2}


def _t41(total, l1, l2):
    return _h41(total, l1, l2, "tinh_4_1", "huyen")


CASES = [
    # --- xa.5.1: ≥ 60 % (mức độ 1), ≥ 80 % (mức độ 2) -------------------------------------------
    _case("xa.5.1", _xa51(0), F, F, "0%"),
    _case("xa.5.1", _xa51(599), F, F, "59.9%"),
    _case("xa.5.1", _xa51(5999, 10000), F, F, "59.99%"),
    _case("xa.5.1", _xa51(600), T, F, "60%"),
    _case("xa.5.1", _xa51(3, 5), T, F, "3/5"),
    _case("xa.5.1", _xa51(799), T, F, "79.9%"),
    _case("xa.5.1", _xa51(7999, 10000), T, F, "79.99%"),
    _case("xa.5.1", _xa51(800), T, T, "80%"),
    _case("xa.5.1", _xa51(4, 5), T, T, "4/5"),
    _case("xa.5.1", _xa51(1000), T, T, "100%"),
    _case("xa.5.1", {**_xa51(599), "vung_kho_khan": "Có"}, F, F, "no hardship bar for 5.1"),
    _case("xa.5.1", {"vung_kho_khan": MISSING}, T, T, "does not need the hardship flag"),
    # --- xa.5.2: ≥ 50 % and ≥ 12 % / ≥ 60 % and ≥ 15 % ---------------------------------------------
    _case("xa.5.2", _xa52(499, 120), F, F, "49.9% trained"),
    _case("xa.5.2", _xa52(500, 120), T, F, "50% and 12%"),
    _case("xa.5.2", _xa52(500, 119), F, F, "50% but 11.9%"),
    _case("xa.5.2", _xa52(599, 150), T, F, "59.9% and 15%"),
    _case("xa.5.2", _xa52(600, 149), T, F, "60% but 14.9%"),
    _case("xa.5.2", _xa52(600, 150), T, T, "60% and 15%"),
    _case("xa.5.2", _xa52(1000, 119), F, F, "and: trained passes, university fails"),
    _case("xa.5.2", _xa52(499, 499), F, F, "and: university passes, trained fails"),
    _case("xa.5.2", _xa52(1000, 149), T, F, "and at level 2"),
    # vùng khó khăn: ≥ 40 % and ≥ 10 % / ≥ 50 % and ≥ 12 %
    _case("xa.5.2", _xa52(399, 100, "Có"), F, F, "hardship 39.9%"),
    _case("xa.5.2", _xa52(400, 100, "Có"), T, F, "hardship 40% and 10%"),
    _case("xa.5.2", _xa52(400, 99, "Có"), F, F, "hardship 40% but 9.9%"),
    _case("xa.5.2", _xa52(499, 120, "Có"), T, F, "hardship 49.9% and 12%"),
    _case("xa.5.2", _xa52(500, 119, "Có"), T, F, "hardship 50% but 11.9%"),
    _case("xa.5.2", _xa52(500, 120, "Có"), T, T, "hardship 50% and 12%"),
    _case("xa.5.2", _xa52(500, 120, "có"), T, T, "hardship flag lowercase"),
    _case("xa.5.2", _xa52(400, 100, "Không"), F, F, "hardship bar only with Có"),
    _case("xa.5.2", _xa52(600, 150, MISSING), N, N, "hardship flag missing"),
    _case("xa.5.2", _xa52(600, 150, "Đạt"), N, N, "hardship flag not Có/Không"),
    _case("xa.5.2", _xa52(100, 150), N, N, "university above trained"),
    _case("xa.5.2", _xa52(150, 150), F, F, "university equal to trained"),
    # --- xa.4.x: levels reached ----------------------------------------------------------------
    _case("xa.4.2", {"xa_4_2": 0}, F, F, "level 0"),
    _case("xa.4.2", {"xa_4_2": 1}, F, F, "level 1"),
    _case("xa.4.2", {"xa_4_2": 2}, T, F, "level 2"),
    _case("xa.4.2", {"xa_4_2": 2.0}, T, F, "level 2.0"),
    _case("xa.4.2", {"xa_4_2": 3}, T, T, "level 3"),
    _case("xa.4.2", {"xa_4_2": 4}, N, N, "level 4 out of range"),
    _case("xa.4.2", {"xa_4_2": 2.5}, N, N, "level 2.5"),
    _case("xa.4.2", {"xa_4_2": -1}, N, N, "level -1"),
    _case("xa.4.3", {"xa_4_3": 1}, F, F, "level 1"),
    _case("xa.4.3", {"xa_4_3": 2}, T, F, "level 2"),
    _case("xa.4.3", {"xa_4_3": 3}, T, T, "level 3"),
    _case("xa.4.4", {"xa_4_4": 0}, F, F, "level 0"),
    _case("xa.4.4", {"xa_4_4": 1}, T, F, "level 1"),
    _case("xa.4.4", {"xa_4_4": 2}, T, T, "level 2"),
    _case("xa.4.4", {"xa_4_4": 3}, N, N, "level 3 out of range"),
    _case("xa.4.1", {"xa_4_1": KHONG_DAT}, F, F, "Không đạt"),
    _case("xa.4.1", {"xa_4_1": "đạt"}, T, T, "đạt lowercase"),
    _case("xa.4.1", {"xa_4_1": "ĐẠT"}, T, T, "ĐẠT uppercase"),
    _case("xa.4.1", {"xa_4_1": "không đạt"}, F, F, "không đạt lowercase"),
    _case("xa.4.1", {"xa_4_1": unicodedata.normalize("NFD", DAT)}, N, N, "Đạt typed NFD (Excel's = does not normalise)"),
    _case("xa.4.1", {"xa_4_1": "Đạt "}, N, N, "trailing space (Excel = does not trim)"),
    _case("xa.4.1", {"xa_4_1": "Có"}, N, N, "Có is not a verdict"),
    _case("xa.4.1", {"xa_4_1": ""}, N, N, "empty"),
    _case("xa.4.1", {"xa_4_1": None}, N, N, "None"),
    _case("xa.4.1", {"xa_4_1": MISSING}, N, N, "missing"),
    _case("xa.4.1", {"xa_4_1": True}, N, N, "bool"),
    _case("xa.1.1", {"xa_1_1": KHONG_DAT}, F, F, "Không đạt"),
    _case("xa.3.3", {"xa_3_3": "dat"}, N, N, "no diacritics"),
    # --- invalid numbers: chưa đủ dữ liệu, never a verdict or a crash ------------------------------
    _case("xa.5.1", _xa51(0, 0), N, N, "zero denominator"),
    _case("xa.5.1", _xa51(1001), N, N, "numerator above denominator"),
    _case("xa.5.1", _xa51(MISSING), N, N, "numerator missing"),
    _case("xa.5.1", {"tong_so_cong_dan": MISSING}, N, N, "denominator missing"),
    _case("xa.5.1", _xa51("600"), N, N, "text in a number field"),
    _case("xa.5.1", _xa51("sáu trăm"), N, N, "words in a number field"),
    _case("xa.5.1", _xa51(True), N, N, "bool True in a number field"),
    _case("xa.5.1", _xa51(800, True), N, N, "bool True as denominator"),
    _case("xa.5.1", _xa51(600.5), N, N, "fractional count"),
    _case("xa.5.1", _xa51(-1), N, N, "negative count"),
    _case("xa.5.1", _xa51(float("nan")), N, N, "NaN (empty cell read by pandas)"),
    _case("xa.5.1", _xa51(800, float("nan")), N, N, "NaN denominator"),
    _case("xa.5.1", _xa51(800, float("inf")), N, N, "infinite denominator"),
    _case("xa.5.1", _xa51(800.0, 1000.0), T, T, "integral floats are counts"),
    _case("xa.5.2", _xa52(600, 150, den=0), N, N, "zero denominator"),
    _case("xa.5.2", _xa52(1001, 150), N, N, "trained above population"),
    # --- huyen.4.1: ≥ 90 % of communes recognised at mức độ 1 / mức độ 2 ---------------------------
    _case("huyen.4.1", _h41(10, 9, 9), T, T, "9/10 at both"),
    _case("huyen.4.1", _h41(10, 9, 8), T, F, "9/10 and 8/10"),
    _case("huyen.4.1", _h41(10, 8, 8), F, F, "8/10"),
    _case("huyen.4.1", _h41(1000, 899, 899), F, F, "89.9%"),
    _case("huyen.4.1", _h41(1000, 900, 899), T, F, "90% and 89.9%"),
    _case("huyen.4.1", _h41(1000, 900, 900), T, T, "90% at both"),
    _case("huyen.4.1", _h41(10000, 8999, 0), F, F, "89.99%"),
    _case("huyen.4.1", _h41(10, 10, 10), T, T, "all"),
    _case("huyen.4.1", _h41(10, 8, 9), N, N, "more at level 2 than at level 1 or above"),
    _case("huyen.4.1", _h41(0, 0, 0), N, N, "no commune"),
    _case("huyen.4.1", _h41(10, 11, 9), N, N, "more recognised than exist"),
    _case("huyen.4.1", _h41(10, 9, MISSING), N, N, "level-2 count missing"),
    # --- tinh.4.1: ≥ 90 % of districts --------------------------------------------------------
    _case("tinh.4.1", _t41(10, 9, 9), T, T, "9/10 at both"),
    _case("tinh.4.1", _t41(10, 9, 8), T, F, "9/10 and 8/10"),
    _case("tinh.4.1", _t41(1000, 899, 899), F, F, "89.9%"),
    _case("tinh.4.1", _t41(1000, 900, 899), T, F, "90% and 89.9%"),
    _case("tinh.4.1", _t41(1000, 900, 900), T, T, "90% at both"),
    _case("tinh.4.1", _t41(0, 0, 0), N, N, "no district"),
    _case("tinh.4.1", _t41(10, 8, 9), N, N, "more at level 2 than at level 1 or above"),
    # --- huyen.4.2 / 4.3: must increase; equal fails -------------------------------------------
    _case("huyen.4.2", {"huyen_4_2_nam_nay": 58.01, "huyen_4_2_nam_truoc": 58.0}, T, T, "increase"),
    _case("huyen.4.2", {"huyen_4_2_nam_nay": 58.0, "huyen_4_2_nam_truoc": 58.0}, F, F, "equal"),
    _case("huyen.4.2", {"huyen_4_2_nam_nay": 57.9, "huyen_4_2_nam_truoc": 58.0}, F, F, "decrease"),
    _case("huyen.4.2", {"huyen_4_2_nam_truoc": MISSING}, N, N, "last year missing"),
    _case("huyen.4.2", {"huyen_4_2_nam_nay": -1}, N, N, "negative income"),
    _case("huyen.4.3", {"huyen_4_3_nam_nay": 94.9, "huyen_4_3_nam_truoc": 94.8}, T, T, "increase"),
    _case("huyen.4.3", {"huyen_4_3_nam_nay": 94.8, "huyen_4_3_nam_truoc": 94.8}, F, F, "equal"),
    _case("huyen.4.3", {"huyen_4_3_nam_nay": 94.7, "huyen_4_3_nam_truoc": 94.8}, F, F, "decrease"),
    _case("huyen.4.3", {"huyen_4_3_nam_nay": 101}, N, N, "rate above 100%"),
    _case("huyen.4.3", {"huyen_4_3_nam_nay": "95,1"}, N, N, "decimal comma typed as text"),
    # --- tinh.4.2: poverty must DECREASE; equal and increase fail ------------------------------
    _case("tinh.4.2", {"tinh_4_2_nam_nay": 2.8, "tinh_4_2_nam_truoc": 2.9}, T, T, "decrease"),
    _case("tinh.4.2", {"tinh_4_2_nam_nay": 0, "tinh_4_2_nam_truoc": 0.1}, T, T, "to zero"),
    _case("tinh.4.2", {"tinh_4_2_nam_nay": 2.9, "tinh_4_2_nam_truoc": 2.9}, F, F, "equal"),
    _case("tinh.4.2", {"tinh_4_2_nam_nay": 0, "tinh_4_2_nam_truoc": 0}, F, F, "equal at zero"),
    _case("tinh.4.2", {"tinh_4_2_nam_nay": 3.0, "tinh_4_2_nam_truoc": 2.9}, F, F, "increase"),
    _case("tinh.4.2", {"tinh_4_2_nam_nay": MISSING}, N, N, "this year missing"),
    # --- tinh.4.3: GRDP must increase ---------------------------------------------------------
    _case("tinh.4.3", {"tinh_4_3_nam_nay": 1_180_001, "tinh_4_3_nam_truoc": 1_180_000}, T, T, "increase"),
    _case("tinh.4.3", {"tinh_4_3_nam_nay": 1_180_000, "tinh_4_3_nam_truoc": 1_180_000}, F, F, "equal"),
    _case("tinh.4.3", {"tinh_4_3_nam_nay": 1_179_999, "tinh_4_3_nam_truoc": 1_180_000}, F, F, "decrease"),
    # --- tinh.3.4: ≥ 04 programmes at both levels -------------------------------------------------
    _case("tinh.3.4", {"tinh_3_4_so_chuong_trinh": 3}, F, F, "3 programmes"),
    _case("tinh.3.4", {"tinh_3_4_so_chuong_trinh": 4}, T, T, "4 programmes"),
    _case("tinh.3.4", {"tinh_3_4_so_chuong_trinh": 12}, T, T, "12 programmes"),
    _case("tinh.3.4", {"tinh_3_4_so_chuong_trinh": 0}, F, F, "none"),
    _case("tinh.3.4", {"tinh_3_4_so_chuong_trinh": 4.5}, N, N, "4.5 programmes"),
    _case("tinh.3.4", {"tinh_3_4_so_chuong_trinh": "4"}, N, N, "text"),
    # --- tinh.3.5: ≥ 04 programmes and open learning resources ---------------------------------
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": "Có"}, T, T, "4 and Có"),
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": 3, "tinh_3_5_hoc_lieu_mo": "Có"}, F, F, "3 and Có"),
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": "Không"}, F, F, "4 and Không"),
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": 9, "tinh_3_5_hoc_lieu_mo": "Không"}, F, F, "9 and Không"),
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": "CÓ"}, T, T, "CÓ uppercase"),
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": DAT}, N, N, "Đạt is not Có"),
    _case("tinh.3.5", {"tinh_3_5_hoc_lieu_mo": MISSING}, N, N, "answer missing"),
    _case("tinh.3.5", {"tinh_3_5_so_chuong_trinh": MISSING}, N, N, "count missing"),
    # --- verdict indicators of the upper tiers ----------------------------------------------------
    _case("huyen.2.4", {"huyen_2_4": KHONG_DAT}, F, F, "Không đạt"),
    _case("huyen.2.4", {"huyen_2_4": MISSING}, N, N, "missing"),
    _case("tinh.2.5", {"tinh_2_5": "đạt"}, T, T, "lowercase"),
    _case("tinh.1.3", {"tinh_1_3": KHONG_DAT}, F, F, "Không đạt"),
]


@pytest.mark.parametrize("ind_id,changes,l1,l2", CASES)
def test_boundary(edition, ind_id, changes, l1, l2):
    tier = ind_id.split(".")[0]
    a = evaluate(edition.tiers[tier], _values(tier, changes))
    r = a.indicators[ind_id]
    assert (r.level1, r.level2) == (l1, l2), r.reason
    # every other indicator keeps its mức độ 2 verdict unless it reads a changed field
    touched = set(changes)
    for other in edition.tiers[tier].indicators:
        if other.id != ind_id and not touched & set(other.input_keys()):
            assert (a.indicators[other.id].level1, a.indicators[other.id].level2) == (T, T), other.id
    # a verdict of False always says why; None always says what is missing or wrong
    for lvl, v, reason in ((1, r.level1, r.reason1), (2, r.level2, r.reason2)):
        if v is not True:
            assert reason, (lvl, v)
        if v is None:
            assert reason.startswith(("Chưa đủ dữ liệu", "Số liệu không hợp lệ")), reason
        if v is True:
            assert reason == ""


def test_good_units_meet_level_2(edition):
    for tier, values in GOOD.items():
        a = evaluate(edition.tiers[tier], values)
        assert a.level == 2 and a.complete and a.missing == []
        assert all(r.level1 and r.level2 and r.reason == "" for r in a.indicators.values())
        assert set(a.indicators) == {i.id for i in edition.tiers[tier].indicators}
        assert all(v == (T, T) for v in a.criteria.values())


def test_good_units_use_every_field(edition):
    for tier, values in GOOD.items():
        assert set(values) == set(edition.tiers[tier].fields), tier


# --- the whole unit -------------------------------------------------------------------------------

@pytest.mark.parametrize("changes,level", [
    ({}, 2),
    (_xa51(600), 1),                                      # one indicator at level 1 only
    ({**_xa51(600), "xa_4_2": 2, "xa_4_4": 1}, 1),
    (_xa52(500, 120, "Có"), 2),                           # hardship bar at level 2
    ({"xa_1_1": KHONG_DAT}, 0),
    ({**_xa51(600), "xa_4_3": 1}, 0),
    (_xa51(599), 0),
    ({"xa_1_1": MISSING}, None),
    ({"xa_1_1": MISSING, "xa_1_2": KHONG_DAT}, None),    # incomplete even when another fails
    ({"tong_so_cong_dan": 0}, None),
    ({"xa_4_2": "ba"}, None),
], ids=["all L2", "one L1 only", "several L1 only", "hardship", "one fails", "L1 only + fail",
        "59.9%", "one missing", "missing beats fail", "zero denominator", "text level"])
def test_unit_level(edition, changes, level):
    a = evaluate(edition.tiers["xa"], _values("xa", changes))
    assert a.level == level
    assert a.complete is (level is not None)
    assert level_label(a.level) == {None: "Chưa đủ dữ liệu", 0: "Chưa đạt", 1: "Mức độ 1", 2: "Mức độ 2"}[level]


def test_unit_missing_lists_fields(edition):
    a = evaluate(edition.tiers["xa"], _values("xa", {"xa_1_1": MISSING, "tong_so_cong_dan": None}))
    assert a.level is None
    assert set(a.missing) == {"xa_1_1", "tong_so_cong_dan"}
    assert a.indicators["xa.5.1"].missing == ["tong_so_cong_dan"]
    d = a.as_dict()
    assert d["level"] is None and d["complete"] is False
    assert d["indicators"]["xa.1.1"]["level1"] is None


def test_empty_input(edition):
    for code, tier in edition.tiers.items():
        a = evaluate(tier, {})
        assert a.level is None
        assert all(r.level1 is None and r.level2 is None for r in a.indicators.values())
        assert set(a.missing) == set(tier.fields)


@pytest.mark.parametrize("tier,changes,level", [
    ("huyen", _h41(10, 9, 8), 1),
    ("huyen", {"huyen_4_2_nam_nay": 58.0}, 0),
    ("huyen", {"huyen_3_3": MISSING}, None),
    ("tinh", _t41(10, 9, 8), 1),
    ("tinh", {"tinh_4_2_nam_nay": 2.9}, 0),
    ("tinh", {"tinh_3_5_hoc_lieu_mo": "Không"}, 0),
    ("tinh", {"tinh_3_4_so_chuong_trinh": MISSING, "tinh_1_1": KHONG_DAT}, None),
])
def test_upper_tier_levels(edition, tier, changes, level):
    assert evaluate(edition.tiers[tier], _values(tier, changes)).level == level


# --- criteria: False dominates None dominates True ---------------------------------------------

@pytest.mark.parametrize("changes,expected", [
    ({}, (T, T)),
    ({"xa_1_1": KHONG_DAT}, (F, F)),
    ({"xa_1_1": MISSING}, (N, N)),
    ({"xa_1_1": MISSING, "xa_1_3": KHONG_DAT}, (F, F)),
])
def test_criterion_combination(edition, changes, expected):
    a = evaluate(edition.tiers["xa"], _values("xa", changes))
    assert a.criteria["xa.1"] == expected
    assert all(v == (T, T) for k, v in a.criteria.items() if k != "xa.1")


def test_criterion_levels_differ(edition):
    a = evaluate(edition.tiers["xa"], _values("xa", {**_xa51(600), "xa_5_2_so_duoc_dao_tao": MISSING}))
    assert a.criteria["xa.5"] == (N, F)  # 5.2 unknown at both, 5.1 fails only at level 2
    a = evaluate(edition.tiers["xa"], _values("xa", _xa51(700)))
    assert a.criteria["xa.5"] == (T, F)


def test_combine():
    assert combine([]) is True
    assert combine([T, T]) is True
    assert combine([T, N]) is None
    assert combine([N, F, T]) is False
    assert combine([F, F]) is False


def test_labels():
    assert verdict_label(True) == "Đạt"
    assert verdict_label(False) == "Không đạt"
    assert verdict_label(None) == "Chưa đủ dữ liệu"


# --- reasons -------------------------------------------------------------------------------------

def _ind(edition, ind_id, changes):
    tier = ind_id.split(".")[0]
    return evaluate(edition.tiers[tier], _values(tier, changes)).indicators[ind_id]


def test_reason_ratio(edition):
    r = _ind(edition, "xa.5.1", _xa51(573))
    assert r.reason1 == "Tỷ lệ công dân học tập 57,3 % < 60 %"
    assert r.reason2 == "Tỷ lệ công dân học tập 57,3 % < 80 %"
    assert r.reason == r.reason1


def test_reason_level2_only(edition):
    r = _ind(edition, "xa.5.1", _xa51(700))
    assert (r.level1, r.level2) == (T, F)
    assert r.reason1 == ""
    assert r.reason == "Chưa đạt mức độ 2: Tỷ lệ công dân học tập 70 % < 80 %"


def test_reason_never_shows_the_bar_as_the_value(edition):
    """59,99 % rounds to 60,0 %: the reason must not read "60 % < 60 %"."""
    r = _ind(edition, "xa.5.1", _xa51(5999, 10000))
    assert r.level1 is False
    assert r.reason1 == "Tỷ lệ công dân học tập 59,9 % < 60 %"
    r = _ind(edition, "huyen.4.1", _h41(10000, 8999, 0))
    assert r.reason1 == "Tỷ lệ xã được công nhận mức độ 1 89,9 % < 90 %"


def test_reason_hardship(edition):
    r = _ind(edition, "xa.5.2", _xa52(399, 99, "Có"))
    assert r.reason1 == ("Tỷ lệ công dân được đào tạo chuyên môn kỹ thuật 39,9 % < 40 % (vùng khó khăn); "
                         "Tỷ lệ công dân có trình độ đại học trở lên 9,9 % < 10 % (vùng khó khăn)")
    r = _ind(edition, "xa.5.2", _xa52(499, 200))
    assert r.reason1 == "Tỷ lệ công dân được đào tạo chuyên môn kỹ thuật 49,9 % < 50 %"


def test_reason_hardship_label_with_any_threshold(tmp_path):
    """A Sở may set other bars (e.g. 57 %): the reason shows that bar, and no "vùng khó khăn" label
    unless the hardship bar applied."""
    path, _ = mutate(tmp_path, ("min_percent: 50, hardship_percent: 40", "min_percent: 57, hardship_percent: 47"),
                     ("min_percent: 12, hardship_percent: 10", "min_percent: 7, hardship_percent: 7"))
    ed = load_edition(path)
    r = evaluate(ed.tiers["xa"], _values("xa", _xa52(500, 60))).indicators["xa.5.2"]
    assert r.reason1 == ("Tỷ lệ công dân được đào tạo chuyên môn kỹ thuật 50 % < 57 %; "
                         "Tỷ lệ công dân có trình độ đại học trở lên 6 % < 7 %")
    r = evaluate(ed.tiers["xa"], _values("xa", _xa52(460, 60, "Có"))).indicators["xa.5.2"]
    assert r.reason1 == ("Tỷ lệ công dân được đào tạo chuyên môn kỹ thuật 46 % < 47 % (vùng khó khăn); "
                         "Tỷ lệ công dân có trình độ đại học trở lên 6 % < 7 % (vùng khó khăn)")
    ok = evaluate(ed.tiers["xa"], _values("xa", _xa52(570, 70))).indicators["xa.5.2"]
    assert ok.level1 is True


def test_reason_level(edition):
    r = _ind(edition, "xa.4.2", {"xa_4_2": 1})
    assert r.reason1 == "Đạt mức độ 1, yêu cầu tối thiểu mức độ 2"
    assert r.reason2 == "Đạt mức độ 1, yêu cầu tối thiểu mức độ 3"


def test_reason_change(edition):
    r = _ind(edition, "tinh.4.2", {"tinh_4_2_nam_nay": 2.9, "tinh_4_2_nam_truoc": 2.9})
    assert r.reason1 == "Tỷ lệ hộ nghèo đa chiều không đổi (2,90 so với 2,90 năm trước), yêu cầu giảm"
    r = _ind(edition, "tinh.4.2", {"tinh_4_2_nam_nay": 3.15, "tinh_4_2_nam_truoc": 2.9})
    assert r.reason1 == "Tỷ lệ hộ nghèo đa chiều tăng (3,15 so với 2,90 năm trước), yêu cầu giảm"
    r = _ind(edition, "huyen.4.2", {"huyen_4_2_nam_nay": 57.5, "huyen_4_2_nam_truoc": 58})
    assert r.reason1 == "Thu nhập bình quân đầu người giảm (57,50 so với 58 năm trước), yêu cầu tăng"
    r = _ind(edition, "tinh.4.3", {"tinh_4_3_nam_nay": 1_180_000, "tinh_4_3_nam_truoc": 1_180_000})
    assert r.reason1 == "GRDP không đổi (1.180.000 so với 1.180.000 năm trước), yêu cầu tăng"


def test_reason_count_and_yes(edition):
    r = _ind(edition, "tinh.3.4", {"tinh_3_4_so_chuong_trinh": 3})
    assert r.reason1 == "Số chương trình giáo dục của bảo tàng 3 < 4"
    r = _ind(edition, "tinh.3.5", {"tinh_3_5_so_chuong_trinh": 2, "tinh_3_5_hoc_lieu_mo": "Không"})
    assert r.reason1 == "Số chương trình giáo dục của Đài 2 < 4; Tham gia xây dựng học liệu mở: Không"


def test_reason_verdict(edition):
    assert _ind(edition, "xa.1.1", {"xa_1_1": KHONG_DAT}).reason == "Tự đánh giá: Không đạt"


def test_reason_missing_names_the_field_label(edition):
    r = _ind(edition, "xa.5.1", {"tong_so_cong_dan": MISSING})
    label = edition.tiers["xa"].fields["tong_so_cong_dan"].label
    assert r.reason1 == r.reason2 == f"Chưa đủ dữ liệu: {label}"
    assert r.missing == ["tong_so_cong_dan"]
    r = _ind(edition, "xa.5.2", _xa52(MISSING, MISSING, MISSING))
    assert r.reason1.startswith("Chưa đủ dữ liệu: ")
    assert set(r.missing) == {"xa_5_2_so_duoc_dao_tao", "xa_5_2_so_dai_hoc", "vung_kho_khan"}


def test_reason_invalid_data(edition):
    r = _ind(edition, "xa.5.1", _xa51(0, 0))
    assert r.reason1.startswith("Số liệu không hợp lệ: ") and "bằng 0" in r.reason1
    assert r.missing == []
    r = _ind(edition, "xa.5.1", _xa51(1200))
    assert r.reason1.startswith("Số liệu không hợp lệ: ") and "lớn hơn" in r.reason1
    assert "1.200" in r.reason1 and "1.000" in r.reason1


def test_reasons_are_nfc(edition):
    for ind_id, changes, *_ in (c.values for c in CASES):
        r = _ind(edition, ind_id, changes)
        for s in (r.reason1, r.reason2, r.reason):
            assert s == unicodedata.normalize("NFC", s)


def test_values_are_not_modified(edition):
    values = _values("xa", {"xa_4_1": "đạt"})
    before = dict(values)
    evaluate(edition.tiers["xa"], values)
    assert values == before


# --- the two-tier edition --------------------------------------------------------------------

def test_two_tier_province_counts_communes():
    ed = load_edition(CATALOGUE_DIR / "tt25-2023-hai-cap.yaml")
    tinh = ed.tiers["tinh"]
    values = {k: v for k, v in GOOD["tinh"].items() if not k.startswith("tinh_4_1")}
    values.update({"tinh_4_1_tong_so_xa": 100, "tinh_4_1_so_xa_muc_do_1": 90, "tinh_4_1_so_xa_muc_do_2": 89})
    a = evaluate(tinh, values)
    r = a.indicators["tinh.4.1"]
    assert (r.level1, r.level2) == (T, F)
    assert a.level == 1
    values["tinh_4_1_so_xa_muc_do_1"] = 89
    assert evaluate(tinh, values).indicators["tinh.4.1"].level1 is False
    # the district-share fields mean nothing here
    values = dict(GOOD["tinh"])
    assert evaluate(tinh, values).indicators["tinh.4.1"].level1 is None
