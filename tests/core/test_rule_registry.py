"""The rule registry of cdht.rules: one class per kind owns its schema, checks, text and verdict."""
from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from cdht import rules as R
from cdht.edition import load_edition

SAMPLES = {  # one rule of each kind, as written in an edition file
    "verdict": {"verdict": "a_dat"},
    "answer_yes": {"answer_yes": {"field": "a_co"}},
    "min_level": {"min_level": {"field": "a_muc", "value": 2}},
    "min_count": {"min_count": {"field": "a_so", "value": 4}},
    "ratio": {"ratio": {"num": "a_so", "den": "a_tong", "min_percent": 60}},
    "change": {"change": {"current": "a_nay", "previous": "a_truoc", "direction": "increase"}},
    "all": {"all": [{"verdict": "a_dat"}, {"min_count": {"field": "a_so", "value": 4}}]},
}
SPEC = TypeAdapter(R.RuleSpec)


def test_every_registered_kind_has_a_sample():
    assert set(SAMPLES) == set(R.KINDS)


@pytest.mark.parametrize("kind", SAMPLES)
def test_schema_is_a_union_tagged_by_kind(kind):
    params = SPEC.validate_python(SAMPLES[kind])
    assert params.kind == kind
    assert isinstance(params, R.KINDS[kind].Params)
    rule = R.build(params)
    assert type(rule) is R.KINDS[kind]
    assert rule.describe()["kind"] == kind
    assert rule.text() and rule.text() != kind  # every kind says its bar in words


def test_each_kind_owns_its_checks():
    ratio = R.build(SPEC.validate_python({"ratio": {"num": "n", "den": "d", "min_percent": 160,
                                                    "hardship_percent": 50, "hardship_field": "k"}}))
    assert ratio.field_uses() == [("n", ("count", "number")), ("d", ("count", "number")), ("k", ("yesno",))]
    assert ratio.threshold_problems({}) == [(160, "(0; 100]")]
    assert ratio.bars() == {("ratio", "n"): (160, 50)}
    assert ratio.bounded_pairs() == [("n", "d")]
    count = R.build(SPEC.validate_python({"min_count": {"field": "c", "value": -1}}))
    assert count.threshold_problems({}) == [(-1, "≥ 0")]
    both = R.build(SPEC.validate_python(SAMPLES["all"]))
    assert [(path, p.kind) for path, p in both.parts()] == [(("all", 0), "verdict"), (("all", 1), "min_count")]
    assert both.text() == "Đạt và ≥ 4"


@pytest.mark.parametrize("bad,where", [
    ({"ratio": {"num": "n", "den": "d", "min_percent": "x"}}, ("ratio", "min_percent")),
    ({"verdict": 3}, ("verdict",)),                       # the bare value's own key, not "field"
    ({"all": [{"verdict": 3}]}, ("all", 0, "verdict")),   # not "all.rules.0"
])
def test_error_locations_are_the_edition_files_keys(bad, where):
    with pytest.raises(ValidationError) as exc:
        SPEC.validate_python(bad)
    assert [R.yaml_loc(e["loc"]) for e in exc.value.errors()] == [where]


def test_two_kinds_or_an_unknown_kind_are_refused():
    with pytest.raises(ValidationError, match="đúng một loại"):
        SPEC.validate_python({"verdict": "a", "answer_yes": {"field": "a"}})
    with pytest.raises(ValidationError) as exc:
        SPEC.validate_python({"verdikt": "a"})
    [e] = exc.value.errors()
    assert e["type"] == "extra_forbidden" and e["ctx"]["at"] == "verdikt"


def test_shipped_edition_rules_come_from_the_registry():
    ed = load_edition()
    kinds = {type(r) for t in ed.tiers.values() for i in t.indicators for r in i.rules.values()}
    assert kinds <= set(R.KINDS.values())
    assert {k.kind for k in kinds} >= {"verdict", "min_level", "ratio", "change", "all"}
