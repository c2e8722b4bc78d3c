"""The declarative rule kinds of the catalogue — each evaluated in Python *and* written as an Excel formula.

A rule is one mapping in the edition file (``{ratio: {num: …, den: …, min_percent: 60}}``). Every
kind below knows three things about itself, side by side so they cannot drift apart:

* ``fields`` — the input keys it reads (each key is also the workbook's defined name);
* ``conditions`` — what must hold, beyond every field being valid, for a verdict to exist
  (e.g. a denominator above zero); unmet means "chưa đủ dữ liệu";
* ``evaluate`` / ``excel`` — the verdict, in Python and as an Excel boolean expression.

Field validity (:func:`field_valid`, :func:`field_valid_excel`) is shared by all kinds, so the
template's live formulas and the Python core agree on when data are incomplete.
"""
from __future__ import annotations

import math
from typing import Any


DAT = "Đạt"
KHONG_DAT = "Không đạt"
CHUA_DU = "Chưa đủ dữ liệu"
CO = "Có"
KHONG = "Không"

FIELD_TYPES = ("verdict", "yesno", "level", "count", "number", "percent")


# ---------------------------------------------------------------------------------------------
# Field validity
# ---------------------------------------------------------------------------------------------

def _text_eq(value: Any, expected: str) -> bool:
    # Excel's "=" on text is case-insensitive, does not trim and does not Unicode-normalise:
    # mirror exactly that, so the sheet's formulas and Python agree on every dropdown answer.
    return isinstance(value, str) and value.casefold() == expected.casefold()


def _is_number(value: Any) -> bool:
    # NaN / ±inf (e.g. an empty cell read through pandas) are not answers, as in Excel
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def field_valid(spec, value: Any) -> bool:
    """True when ``value`` is a usable answer for a field of this spec (type, range)."""
    t = spec.type
    if t == "verdict":
        return _text_eq(value, DAT) or _text_eq(value, KHONG_DAT)
    if t == "yesno":
        return _text_eq(value, CO) or _text_eq(value, KHONG)
    if not _is_number(value):
        return False
    if t in ("level", "count") and value != int(value):
        return False
    lo, hi = field_range(spec)
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def field_range(spec) -> tuple[float | None, float | None]:
    if spec.type == "level":
        return spec.min if spec.min is not None else 0, spec.max
    if spec.type == "percent":
        return 0, 100
    if spec.type in ("count", "number"):
        return 0, None
    return None, None


def _num(x: float) -> str:
    """A number literal for a formula (repr round-trips the exact double)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _str(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def field_valid_excel(spec, ref: str) -> str:
    """Excel boolean expression with the same meaning as :func:`field_valid` (no error raised)."""
    t = spec.type
    if t == "verdict":
        return f"OR({ref}={_str(DAT)},{ref}={_str(KHONG_DAT)})"
    if t == "yesno":
        return f"OR({ref}={_str(CO)},{ref}={_str(KHONG)})"
    conds = []
    lo, hi = field_range(spec)
    if lo is not None:
        conds.append(f"{ref}>={_num(lo)}")
    if hi is not None:
        conds.append(f"{ref}<={_num(hi)}")
    if t in ("level", "count"):
        conds.append(f"{ref}=INT({ref})")
    inner = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})"
    return f"IF(ISNUMBER({ref}),{inner},FALSE)"


# ---------------------------------------------------------------------------------------------
# Number formatting for reasons (Vietnamese: decimal comma)
# ---------------------------------------------------------------------------------------------

def fmt_number(x: float, digits: int = 1) -> str:
    if _is_number(x) and float(x).is_integer():
        s = f"{int(x):,}".replace(",", ".")
        return s
    return f"{x:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_percent(ratio: float) -> str:
    return f"{fmt_number(round(ratio * 100, 1))} %"


# ---------------------------------------------------------------------------------------------
# Rule kinds
# ---------------------------------------------------------------------------------------------

class Rule:
    """Base of the rule kinds. ``params`` is the validated pydantic model of the rule."""

    kind = ""

    def __init__(self, params):
        self.p = params

    def fields(self) -> list[str]:
        raise NotImplementedError

    def conditions(self, v: dict) -> list[tuple[bool, str]]:
        """Extra preconditions for a verdict, each (holds, reason if not)."""
        return []

    def conditions_excel(self, ref) -> list[str]:
        return []

    def evaluate(self, v: dict) -> tuple[bool, str]:
        raise NotImplementedError

    def excel(self, ref) -> str:
        raise NotImplementedError

    def describe(self) -> dict:
        return {"kind": self.kind, **self.p.model_dump(exclude_none=True)}


class Verdict(Rule):
    """The indicator is answered "Đạt" / "Không đạt" (with evidence)."""

    kind = "verdict"

    def fields(self):
        return [self.p.field]

    def evaluate(self, v):
        ok = _text_eq(v[self.p.field], DAT)
        return ok, "" if ok else "Tự đánh giá: Không đạt"

    def excel(self, ref):
        return f"{ref(self.p.field)}={_str(DAT)}"

    def describe(self):
        return {"kind": self.kind, "field": self.p.field}


class Yes(Rule):
    """A "Có" / "Không" input must be "Có"."""

    kind = "answer_yes"

    def fields(self):
        return [self.p.field]

    def evaluate(self, v):
        ok = _text_eq(v[self.p.field], CO)
        return ok, "" if ok else f"{self.p.label or self.p.field}: Không"

    def excel(self, ref):
        return f"{ref(self.p.field)}={_str(CO)}"


class MinLevel(Rule):
    """A level reached (phổ cập 0–3, xóa mù chữ 0–2) must be at least ``value``."""

    kind = "min_level"

    def fields(self):
        return [self.p.field]

    def evaluate(self, v):
        x = v[self.p.field]
        ok = x >= self.p.value
        return ok, "" if ok else f"Đạt mức độ {fmt_number(x)}, yêu cầu tối thiểu mức độ {self.p.value}"

    def excel(self, ref):
        return f"{ref(self.p.field)}>={_num(self.p.value)}"


class MinCount(Rule):
    """A count must be at least ``value``."""

    kind = "min_count"

    def fields(self):
        return [self.p.field]

    def evaluate(self, v):
        x = v[self.p.field]
        ok = x >= self.p.value
        label = self.p.label or self.p.field
        return ok, "" if ok else f"{label} {fmt_number(x)} < {self.p.value}"

    def excel(self, ref):
        return f"{ref(self.p.field)}>={_num(self.p.value)}"


class Ratio(Rule):
    """num / den ≥ min_percent % (or hardship_percent % when the hardship field is "Có")."""

    kind = "ratio"

    def fields(self):
        f = [self.p.num, self.p.den]
        if self.p.hardship_field:
            f.append(self.p.hardship_field)
        return f

    def hardship(self, v) -> bool:
        return bool(self.p.hardship_field) and _text_eq(v[self.p.hardship_field], CO)

    def percent(self, v) -> float:
        """The bar that applies, in percent as written in the catalogue."""
        return self.p.hardship_percent if self.hardship(v) else self.p.min_percent

    def threshold(self, v) -> float:
        return self.percent(v) / 100

    def conditions(self, v):
        num, den = v[self.p.num], v[self.p.den]
        if not den > 0:  # one reason is enough: every numerator is "above" a zero denominator
            return [(False, f"{self.p.den} bằng 0 (mẫu số của tỷ lệ)")]
        return [(num <= den, f"{self.p.num} = {fmt_number(num)} lớn hơn {self.p.den} = {fmt_number(den)}")]

    def conditions_excel(self, ref):
        return [f"{ref(self.p.den)}>0", f"{ref(self.p.num)}<={ref(self.p.den)}"]

    def evaluate(self, v):
        ratio = v[self.p.num] / v[self.p.den]
        thr = self.threshold(v)
        ok = ratio >= thr
        label = self.p.label or f"{self.p.num}/{self.p.den}"
        hardship = " (vùng khó khăn)" if self.hardship(v) else ""
        shown = round(ratio * 100, 1)
        if not ok and shown >= self.percent(v):  # 59,99 % must not read "60 % < 60 %"
            shown = math.floor(ratio * 1000) / 10
        return ok, "" if ok else f"{label} {fmt_number(shown)} % < {fmt_number(self.percent(v))} %{hardship}"

    def excel(self, ref):
        thr = _num(self.p.min_percent / 100)
        if self.p.hardship_field:
            thr = (f"IF({ref(self.p.hardship_field)}={_str(CO)},"
                   f"{_num(self.p.hardship_percent / 100)},{thr})")
        return f"{ref(self.p.num)}/{ref(self.p.den)}>={thr}"


class Change(Rule):
    """This year vs the year before: must increase (or decrease); equal fails."""

    kind = "change"

    def fields(self):
        return [self.p.current, self.p.previous]

    def evaluate(self, v):
        cur, prev = v[self.p.current], v[self.p.previous]
        ok = cur > prev if self.p.direction == "increase" else cur < prev
        label = self.p.label or self.p.current
        want = "tăng" if self.p.direction == "increase" else "giảm"
        if ok:
            return True, ""
        how = "không đổi" if cur == prev else ("giảm" if cur < prev else "tăng")
        return False, (f"{label} {how} ({fmt_number(cur, 2)} so với {fmt_number(prev, 2)} năm trước), "
                       f"yêu cầu {want}")

    def excel(self, ref):
        op = ">" if self.p.direction == "increase" else "<"
        return f"{ref(self.p.current)}{op}{ref(self.p.previous)}"


class All(Rule):
    """Every sub-rule holds."""

    kind = "all"

    def __init__(self, params, children: list[Rule]):
        super().__init__(params)
        self.children = children

    def fields(self):
        out = []
        for c in self.children:
            out += [f for f in c.fields() if f not in out]
        return out

    def conditions(self, v):
        return [c for ch in self.children for c in ch.conditions(v)]

    def conditions_excel(self, ref):
        return [c for ch in self.children for c in ch.conditions_excel(ref)]

    def evaluate(self, v):
        reasons = [r for ok, r in (c.evaluate(v) for c in self.children) if not ok]
        return not reasons, "; ".join(reasons)

    def excel(self, ref):
        return f"AND({','.join(c.excel(ref) for c in self.children)})"

    def describe(self):
        return {"kind": "all", "rules": [c.describe() for c in self.children]}


class NotAbove(Rule):
    """A consistency check (not a verdict): num ≤ den, e.g. "trong đó" sub-counts."""

    kind = "not_above"

    def fields(self):
        return [self.p.num, self.p.den]

    def conditions(self, v):
        num, den = v[self.p.num], v[self.p.den]
        return [(num <= den, f"{self.p.num} = {fmt_number(num)} lớn hơn {self.p.den} = {fmt_number(den)}")]

    def conditions_excel(self, ref):
        return [f"{ref(self.p.num)}<={ref(self.p.den)}"]


KINDS = {k.kind: k for k in (Verdict, Yes, MinLevel, MinCount, Ratio, Change, NotAbove)}
