"""The catalogue's schema: the pydantic models an edition file is validated against.

Imported only to *validate* an edition (:func:`cdht.edition.check_edition`) — pydantic costs about
0.15 s of CPU to import and more to build the schemas, which a command using a checked edition
(a merge reading its snapshot) does not pay (issue 18, "Cost"). What the rest of the product uses
are :class:`cdht.plain.Record` objects made from the validated models by :func:`plain`.

A rule kind's parameters (``Params``, tagged by ``kind``) are declared here beside the edition's
models; everything else about a kind (the fields it names, its checks, its verdict, its formula)
is its class in :mod:`cdht.rules`, which finds its ``Params`` here (``R.KINDS[kind].Params``).
"""
from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cdht import rules as R
from cdht.plain import Record


class Strict(BaseModel):
    """A catalogue mapping: unknown keys are errors (a misspelt key never passes silently)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# ---------------------------------------------------------------------------------------------
# The parameters of each rule kind of cdht.rules
# ---------------------------------------------------------------------------------------------

class _FieldParams(Strict):
    field: str


class VerdictParams(_FieldParams):
    kind: Literal["verdict"] = "verdict"


class YesParams(_FieldParams):
    kind: Literal["answer_yes"] = "answer_yes"
    label: str | None = None


class MinLevelParams(_FieldParams):
    kind: Literal["min_level"] = "min_level"
    value: int


class MinCountParams(_FieldParams):
    kind: Literal["min_count"] = "min_count"
    value: int
    label: str | None = None


class RatioParams(Strict):
    kind: Literal["ratio"] = "ratio"
    num: str
    den: str
    min_percent: float
    hardship_percent: float | None = None
    hardship_field: str | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _hardship_pair(self):
        if (self.hardship_percent is None) != (self.hardship_field is None):
            raise ValueError("hardship_percent và hardship_field phải đi cùng nhau")
        return self


class ChangeParams(Strict):
    kind: Literal["change"] = "change"
    current: str
    previous: str
    direction: Literal["increase", "decrease"]
    label: str | None = None


class AllParams(Strict):
    kind: Literal["all"] = "all"
    rules: list[RuleSpec]


class NotAboveParams(Strict):
    num: str
    den: str


#: kind → its parameters' model (``Rule.Params`` of each class of cdht.rules)
PARAMS: dict[str, type[Strict]] = {
    "verdict": VerdictParams, "answer_yes": YesParams, "min_level": MinLevelParams,
    "min_count": MinCountParams, "ratio": RatioParams, "change": ChangeParams, "all": AllParams,
    "not_above": NotAboveParams,
}

_KIND_LIST = "verdict, answer_yes, min_level, min_count, ratio, change, all"


def tag_rule(v: Any) -> Any:
    """``{ratio: {num: …}}`` as written in an edition → ``{kind: ratio, num: …}`` for the union.

    Unknown keys are reported as such (``ctx["at"]`` names the key); a mapping naming no kind or
    two kinds is one error, in the words the checker has always used."""
    if not isinstance(v, dict) or "kind" in v:
        return v  # not a mapping (pydantic says so) or already tagged (built in code)
    unknown = [k for k in v if k not in R.KINDS]
    if unknown:
        raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted", {"at": unknown[0]})
    if len(v) != 1:
        raise ValueError(f"mỗi quy tắc có đúng một loại ({_KIND_LIST}); đang có {list(v) or 'không có'}")
    (kind, params), = v.items()
    cls = R.KINDS[kind]
    if cls.payload is not None:
        return {"kind": kind, cls.payload: params}
    if not isinstance(params, dict):
        raise PydanticCustomError("model_type", "Input should be a valid dictionary or instance of {kind}",
                                  {"kind": kind, "at": kind})
    return {"kind": kind, **params}


RuleSpec = Annotated[Union[tuple(PARAMS[k] for k in R.KINDS)],  # noqa: UP007 (built at run time)
                     Field(discriminator="kind"), BeforeValidator(tag_rule)]
# AllParams refers to RuleSpec, defined above: its schema (deferred, like every catalogue model's)
# is built on first validation, with this module complete.


# ---------------------------------------------------------------------------------------------
# The edition file
# ---------------------------------------------------------------------------------------------

_M = Strict  # every catalogue mapping forbids unknown keys


class FieldSpec(_M):
    key: str
    label: str
    type: R.FieldType
    min: int | None = None
    max: int | None = None
    required: bool = True


class CheckSpec(_M):
    not_above: NotAboveParams


class FromChildren(_M):
    tier: str
    total: str
    level1: str
    level2: str


class IndicatorSpec(_M):
    id: str
    text: str
    fields: list[FieldSpec] = []
    level1: RuleSpec   # a discriminated union over the rule kinds of cdht.rules
    level2: RuleSpec
    checks: list[CheckSpec] = []
    from_children: FromChildren | None = None
    evidence: list[str] = []
    clause: str | None = None


class CriterionSpec(_M):
    id: str
    name: str
    indicators: list[IndicatorSpec]


class Procedure(_M):
    self_assessed_by: str
    dossier_to: str
    appraised_by: str
    decided_by: str
    submit_by: str = Field(pattern=r"^\d\d-\d\d$")
    decide_by: str | None = Field(default=None, pattern=r"^\d\d-\d\d$")
    decide_note: str | None = None
    report_to_parent_by: str | None = Field(default=None, pattern=r"^\d\d-\d\d$")

    @field_validator("submit_by", "decide_by", "report_to_parent_by")
    @classmethod
    def _calendar_day(cls, v):
        if v is not None:
            try:
                datetime.date(2024, int(v[:2]), int(v[3:]))  # a leap year: 02-29 is a day
            except ValueError:
                raise ValueError(f"'{v}' không phải ngày có thật (dạng MM-DD)") from None
        return v


class Articles(_M):
    level1: str
    level2: str
    procedure: str


class TierSpec(_M):
    name: str
    unit_kinds: str
    articles: Articles
    procedure: Procedure
    unit_fields: list[FieldSpec] = []
    criteria: list[CriterionSpec]


class Hierarchy(_M):
    tiers: list[str]
    parent: dict[str, str | None]


class Years(_M):
    first: int
    last: int | None = None


class Settings(_M):
    level2_counts_toward_level1: bool = True
    recognition_valid_years: int = Field(default=3, ge=1, le=10)
    upgrade_after_months: int = Field(default=12, ge=0, le=60)
    evidence_max_age_years: int = Field(default=5, ge=1, le=50)
    max_uncompressed_mb: int = Field(default=200, ge=1, le=4096)


class Contributor(_M):
    code: str
    name: str
    indicators: list[str]


class EditionSpec(_M):
    edition: str
    version: str
    title: str
    legal_basis: str
    years: Years
    notes: str | None = None
    settings: Settings = Settings()
    hierarchy: Hierarchy
    contributors: list[Contributor] = []
    tiers: dict[str, TierSpec]


# ---------------------------------------------------------------------------------------------
# Validated models → plain records
# ---------------------------------------------------------------------------------------------

def plain(x: Any) -> Any:
    """A validated model as :class:`~cdht.plain.Record` objects (the model's fields in its
    order, defaults included: what ``model_dump`` gives, with attribute access)."""
    if isinstance(x, BaseModel):
        return Record(type(x).__name__, {k: plain(getattr(x, k)) for k in type(x).model_fields})
    if isinstance(x, list):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    return x
