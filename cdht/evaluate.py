"""The rule evaluator: a tier's field values → every indicator, criterion and the unit's level.

The one implementation of the Circular's rules in Python. Semantics (mirrored by the template's
formulas, generated from the same rules):

* an indicator at a level is ``None`` ("chưa đủ dữ liệu") when a field its rule reads is missing
  or invalid, or a precondition fails (zero denominator, numerator above denominator);
  otherwise ``True`` / ``False`` with a Vietnamese reason for ``False``;
* a criterion is ``False`` if any of its indicators is, else ``None`` if any is, else ``True``;
* the unit's level is ``None`` while any indicator at either level is ``None``; then 2 when every
  level-2 indicator holds, 1 when every level-1 indicator holds, else 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cdht import rules as R
from cdht.edition import Indicator, Tier


@dataclass
class IndicatorResult:
    id: str
    level1: bool | None
    level2: bool | None
    reason1: str = ""
    reason2: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        if self.level1 is False:
            return self.reason1
        if self.level2 is False:
            return f"Chưa đạt mức độ 2: {self.reason2}"
        if self.level1 is None or self.level2 is None:
            return self.reason1 or self.reason2
        return ""

    def as_dict(self) -> dict:
        return {"level1": self.level1, "level2": self.level2, "reason": self.reason,
                "reason_level1": self.reason1, "reason_level2": self.reason2, "missing": self.missing}


@dataclass
class Assessment:
    tier: str
    indicators: dict[str, IndicatorResult]
    criteria: dict[str, tuple[bool | None, bool | None]]
    level: int | None
    missing: list[str]

    @property
    def complete(self) -> bool:
        return self.level is not None

    def as_dict(self) -> dict:
        return {
            "level": self.level, "complete": self.complete, "missing": self.missing,
            "criteria": {k: {"level1": a, "level2": b} for k, (a, b) in self.criteria.items()},
            "indicators": {k: v.as_dict() for k, v in self.indicators.items()},
        }


def combine(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _labelled(reasons: list[str], fields: dict) -> list[str]:
    """Say "Tổng số công dân…" where a rule's message names the field key."""
    out = []
    for r in reasons:
        for key in sorted(fields, key=len, reverse=True):
            if key in r:
                r = r.replace(key, f"'{fields[key].label}'")
        out.append(r)
    return out


def evaluate_indicator(ind: Indicator, values: dict) -> IndicatorResult:
    fields = ind.tier.fields
    res = IndicatorResult(ind.id, None, None)
    for lvl in (1, 2):
        rule = ind.rules[lvl]
        keys = rule.fields() + [k for c in ind.checks for k in c.fields()]
        missing = [k for k in keys if not R.field_valid(fields[k], values.get(k))]
        verdict, reason = None, ""
        if missing:
            reason = "Chưa đủ dữ liệu: " + ", ".join(fields[k].label for k in dict.fromkeys(missing))
            res.missing += [k for k in missing if k not in res.missing]
        else:
            failed = [r for ok, r in rule.conditions(values) + [c for ch in ind.checks for c in ch.conditions(values)]
                      if not ok]
            if failed:
                reason = "Số liệu không hợp lệ: " + "; ".join(dict.fromkeys(_labelled(failed, fields)))
            else:
                verdict, reason = rule.evaluate(values)
        if lvl == 1:
            res.level1, res.reason1 = verdict, reason
        else:
            res.level2, res.reason2 = verdict, reason
    return res


def evaluate(tier: Tier, values: dict) -> Assessment:
    """Evaluate every rule of ``tier`` on ``values`` (field key → cell value)."""
    inds = {i.id: evaluate_indicator(i, values) for i in tier.indicators}
    crits = {}
    for c in tier.criteria:
        rs = [inds[i.id] for i in c.indicators]
        crits[c.id] = (combine([r.level1 for r in rs]), combine([r.level2 for r in rs]))
    missing = list(dict.fromkeys(k for r in inds.values() for k in r.missing))
    incomplete = any(r.level1 is None or r.level2 is None for r in inds.values())
    if incomplete:
        level = None
    elif all(r.level2 for r in inds.values()):
        level = 2
    elif all(r.level1 for r in inds.values()):
        level = 1
    else:
        level = 0
    return Assessment(tier.code, inds, crits, level, missing)


def level_label(level: int | None) -> str:
    return {None: R.CHUA_DU, 0: "Chưa đạt", 1: "Mức độ 1", 2: "Mức độ 2"}[level]


def verdict_label(v: bool | None, evidenced: bool = True) -> str:
    """An indicator's verdict at one level in words, as its cell on "Tự đánh giá" shows it: a met
    indicator that no evidence row cites reads "Đạt (thiếu minh chứng)" — still met: missing
    evidence does not change the level (the Circular judges each indicator đạt / không đạt on the
    facts; the evidence proves them in the dossier), it stops the dossier (CDHT-E001 is an error,
    so the workbook is not ready to file)."""
    if v is True and not evidenced:
        return R.DAT_NO_EVIDENCE
    return {True: R.DAT, False: R.KHONG_DAT, None: R.CHUA_DU}[v]


def appraised_level(tier: Tier, verdicts: dict[str, object], target: object) -> int | None:
    """The council's result (Thẩm định): ``target`` (1 or 2) when every indicator is "Đạt", 0 when
    any is "Không đạt", ``None`` until every indicator has a verdict and the target is set.
    Mirrors the formula of the template's ``td_ket_qua_muc_do`` cell."""
    from cdht.contract import appraisal_name

    vals = [verdicts.get(appraisal_name(i.id)) for i in tier.indicators]
    dat = sum(R._text_eq(v, R.DAT) for v in vals)
    khong = sum(R._text_eq(v, R.KHONG_DAT) for v in vals)
    if dat + khong < len(vals) or target not in (1, 2) or isinstance(target, bool):
        return None
    return int(target) if dat == len(vals) else 0
