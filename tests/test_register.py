"""The recognition register (cdht/ops/register.py): recognition is a decision; this round's
decisions count up to the profile's decision deadline; validity under both readings of "03 năm
(36 tháng) tiếp theo năm được công nhận"; the 12-month upgrade rule; one status per unit."""
from __future__ import annotations

import datetime as dt

import pytest

from cdht import contract as L
from cdht.edition import load_edition
from cdht.ops.merge import merge
from cdht.ops.register import (Decision, cutoff, register_findings, standing, unit_standing,
                               upgrade_findings)
from cdht.profile import (SAMPLE_THREE_TIER, SAMPLE_TWO_TIER, VALIDITY_MONTHS, Profile, ProfileSpec,
                          Readings, load_profile)
from tests.merge_fixtures import YEAR, write_register

D = dt.date
S = load_edition().settings
S_ = L.Status


def _months_profile() -> Profile:
    return Profile(ProfileSpec(profile="thu", province="Thử", readings=Readings(validity=VALIDITY_MONTHS)))


def _ev(dec: Decision, year: int, profile=None, tier="xa") -> Decision:
    dec.evaluate(D(year, 12, 31), S, profile, tier)
    return dec


# -------------------------------------------------------------------------------------------------
# This round's decisions count (issue 12, case 4)
# -------------------------------------------------------------------------------------------------

def test_cutoff_is_the_profiles_decision_deadline():
    assert cutoff(2026, "xa") == D(2027, 3, 31)      # communes: Điều 9, before 31/03 N+1
    assert cutoff(2026, "huyen") == D(2027, 5, 31)   # districts: Điều 14, before 31/05 N+1
    assert cutoff(2026) == D(2027, 5, 31)            # tier unknown: never excludes a timely decision
    assert cutoff(2026, "tinh") == D(2027, 12, 31)   # 20 working days: no fixed day
    kg, _ = load_profile(SAMPLE_THREE_TIER)
    assert cutoff(2024, "xa", kg) == D(2025, 3, 31)
    two, _ = load_profile(SAMPLE_TWO_TIER)
    assert cutoff(2026, "xa", two) == D(2027, 3, 31)
    assert cutoff(2026, None, two) == D(2027, 3, 31)  # only the commune tier has a fixed day


@pytest.mark.parametrize("date, counts", [
    (D(YEAR + 1, 1, 2), True),
    (D(YEAR + 1, 3, 31), True),    # on the deadline day: a decision "trước ngày 31/03" made that day
    (D(YEAR + 1, 4, 1), False),    # after the deadline: not this round's
    (D(YEAR, 12, 31), True),       # in year N itself: recognises N-1, still in force
])
def test_decisions_of_year_n_made_in_n_plus_1_count(date, counts):
    d = _ev(Decision("X", "", 1, "1/QĐ", date), YEAR)
    if date.year == YEAR + 1:
        assert d.recognised_year == YEAR
        assert d.in_force is counts and d.late is (not counts)
    else:
        assert d.recognised_year == YEAR - 1 and d.in_force is counts  # N-1 .. N+2 includes N


def test_late_decision_is_a_finding_and_counts_next_year():
    late = Decision("X", "", 1, "9/QĐ", D(YEAR + 1, 4, 15), sheet="Sổ công nhận", row=7)
    assert not _ev(late, YEAR).in_force
    f = register_findings([late], YEAR, tier="xa", file_name="tong-hop.xlsx")
    assert [x.code for x in f] == ["CDHT-P016"] and f[0].row == 7
    assert "15/04/2027" in f[0].message and "31/03/2027" in f[0].message
    assert _ev(late, YEAR + 1).in_force  # a decision on record counts for the next rounds


def test_explicit_recognised_year_wins():
    d = _ev(Decision("X", "", 2, "1/QĐ", D(YEAR + 1, 3, 1), year=YEAR - 1), YEAR)
    assert d.recognised_year == YEAR - 1 and d.late and d.valid_through_year == YEAR + 2


# -------------------------------------------------------------------------------------------------
# Validity: both readings (issue 12, case 5)
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year, in_force", [(2023, False), (2024, True), (2027, True), (2028, False)])
def test_default_reading_assessment_years_n_to_n_plus_3(year, in_force):
    """A recognition of assessment year 2024 (decided 20/03/2025) stands for 2024..2027."""
    d = _ev(Decision("X", "", 1, "1/QĐ", D(2025, 3, 20)), year)
    assert d.recognised_year == 2024 and d.valid_through_year == 2027
    assert d.valid_until == D(2027, 12, 31)
    assert d.in_force is in_force


def test_reading_decision_date_plus_36_months_civil_code():
    prof = _months_profile()
    d = _ev(Decision("X", "", 1, "1/QĐ", D(2024, 2, 29)), 2023, prof)
    assert d.valid_until == D(2027, 2, 28)   # not 27/02 (the old "− 1 day"), not 01/03
    assert d.valid_through_year is None
    # judged at each round's cutoff (31/03 N+1 for communes)
    assert d.in_force                        # year 2023: cutoff 31/03/2024 ≥ 29/02/2024
    assert _ev(d, 2025, prof).in_force       # cutoff 31/03/2026
    assert not _ev(d, 2026, prof).in_force   # cutoff 31/03/2027 > 28/02/2027
    # the default reading keeps it through assessment year 2026
    assert _ev(Decision("X", "", 1, "1/QĐ", D(2024, 2, 29)), 2026).in_force


def test_the_two_readings_differ_where_they_should():
    dec = D(2025, 3, 20)   # recognises 2024
    assert _ev(Decision("X", "", 1, "1", dec), 2027).in_force                       # 2024 + 3
    assert not _ev(Decision("X", "", 1, "1", dec), 2027, _months_profile()).in_force  # 20/03/2028 < 31/03/2028


# -------------------------------------------------------------------------------------------------
# Upgrade rule, unknown units
# -------------------------------------------------------------------------------------------------

def test_level2_earlier_than_12_months_is_a_finding():
    l1 = Decision("X", "", 1, "1/QĐ", D(2025, 3, 20))
    early = Decision("X", "", 2, "2/QĐ", D(2026, 3, 19), sheet="Sổ công nhận", row=9)
    on_time = Decision("Y", "", 2, "4/QĐ", D(2026, 3, 20))
    f = upgrade_findings([l1, early, Decision("Y", "", 1, "3/QĐ", D(2025, 3, 20)), on_time], S, "p.xlsx")
    assert [(x.code, x.facts["unit"], x.row) for x in f] == [("CDHT-P015", "X", 9)]
    assert "20/03/2026" in f[0].message
    # the decision still stands (it is the authority's act); the finding says what to check
    assert _ev(early, 2025).in_force and standing("X", [l1, early]) == 2


def test_decision_for_a_unit_the_registry_does_not_know():
    kg, _ = load_profile(SAMPLE_THREE_TIER)
    ok = Decision("MAU-X0101", "", 1, "1/QĐ", D(2025, 3, 20))
    ghost = Decision("MAU-X9999", "", 1, "2/QĐ", D(2025, 3, 20), sheet="Sổ công nhận", row=12)
    f = register_findings([ok, ghost], 2024, kg, file_name="p.xlsx")
    assert [(x.code, x.row) for x in f] == [("CDHT-P014", 12)]
    assert "MAU-X9999" in f[0].message and "2024" in f[0].message


# -------------------------------------------------------------------------------------------------
# Standing and the status vocabulary (issue 12, cases 3 and 8)
# -------------------------------------------------------------------------------------------------

def test_status_vocabulary_one_label_each():
    assert [s.label for s in S_] == ["Chưa nộp", "Đã nhận", "Nộp muộn", "Trả lại", "Bản trùng",
                                     "Chờ quyết định", "Đã công nhận mức 1", "Đã công nhận mức 2",
                                     "Hết hiệu lực"]
    assert len({s.value for s in S_}) == len(S_)


def test_an_appraisal_is_not_a_recognition():
    assert standing("X", [], appraised=2) == 0
    st = unit_standing("X", [], appraised=2, receipt=S_.RECEIVED)
    assert st.status is S_.AWAITING_DECISION and st.level == 0 and st.appraised == 2
    # an appraisal inside a returned file never counts, not even as "waiting"
    st = unit_standing("X", [], appraised=2, receipt=S_.RETURNED)
    assert st.status is S_.RETURNED and st.appraised is None


def test_unit_standing_precedence():
    old = _ev(Decision("X", "", 1, "1/QĐ", D(2020, 3, 20)), YEAR)        # 2019..2022: expired
    live1 = _ev(Decision("Y", "", 1, "2/QĐ", D(YEAR, 3, 20)), YEAR)
    live2 = _ev(Decision("Y", "", 2, "3/QĐ", D(YEAR + 1, 3, 20)), YEAR)
    decs = [old, live1, live2]
    y = unit_standing("Y", decs, appraised=1, receipt=S_.LATE)
    assert y.status is S_.RECOGNISED_2 and y.level == 2 and y.decision is live2
    assert unit_standing("X", decs).status is S_.EXPIRED
    assert unit_standing("X", decs, receipt=S_.DUPLICATE).status is S_.DUPLICATE
    assert unit_standing("Z", decs).status is S_.NOT_SUBMITTED
    assert unit_standing("Z", decs, receipt=S_.RECEIVED).status is S_.RECEIVED
    assert unit_standing("Y", [live1]).status is S_.RECOGNISED_1
    assert y.as_dict()["status"] == "Đã công nhận mức 2"


def test_through_merge_appraisals_alone_count_for_nothing(kit, tmp_path):
    """Case 3 end to end: six communes appraised at level 2, no decision → 0 recognised; the
    decisions of this round (dated in N+1, before 31/03) → counted."""
    from tests.merge_fixtures import H01_COMMUNES
    parent = kit.parent(tmp_path / "p.xlsx")
    inbox = tmp_path / "inbox"
    for u in H01_COMMUNES:
        kit.commune(inbox / f"{u}.xlsx", u, appraised=2)
    r = merge(parent, [inbox], dry_run=True)
    assert r.derived["huyen_4_1_so_xa_muc_do_1"] == 0 and r.derived["huyen_4_1_so_xa_muc_do_2"] == 0
    write_register(parent, [(u, u, 2, f"{k}/QĐ-PGD", D(YEAR + 1, 3, 25), "Trưởng phòng GD&ĐT")
                            for k, u in enumerate(H01_COMMUNES, start=1)])
    r = merge(parent, [inbox], dry_run=True)
    assert r.derived == {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 6,
                         "huyen_4_1_so_xa_muc_do_2": 6}
    assert all(d["in_force"] and d["recognised_year"] == YEAR for d in r.as_dict()["register"])


def test_bad_register_date_names_the_reason(kit, tmp_path):
    parent = kit.parent(tmp_path / "p.xlsx")
    write_register(parent, [("MAU-X0101", "Xã 1", 1, "1/QĐ", "31/02/2027", "")])
    r = merge(parent, [], dry_run=True)
    f = [x for x in r.findings if x.code == "CDHT-M017"]
    assert len(f) == 1 and "ngày không có thật" in f[0].message and f[0].row
