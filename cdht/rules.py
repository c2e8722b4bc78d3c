"""The declarative rule kinds of the catalogue — each evaluated in Python *and* written as an Excel formula.

A rule is one mapping in the edition file (``{ratio: {num: …, den: …, min_percent: 60}}``). Every
kind below is one class, registered in :data:`KINDS`, that knows everything about itself, side by
side so nothing can drift apart:

* ``Params`` — its catalogue schema (a pydantic model tagged by ``kind``, declared in
  :mod:`cdht.schema` so that *using* a checked edition never imports pydantic; ``RuleSpec``, the
  union of them all, is what the edition loader validates a level's rule against);
* ``slots`` / ``threshold_problems`` / ``bars`` — what the catalogue checker verifies: the fields
  it names and their types, thresholds in range, level 2 not below level 1;
* ``fields`` — the input keys it reads (each key is also the workbook's defined name);
* ``conditions`` — what must hold, beyond every field being valid, for a verdict to exist
  (e.g. a denominator above zero); unmet means "chưa đủ dữ liệu";
* ``evaluate`` / ``excel`` — the verdict, in Python and as an Excel boolean expression;
* ``text`` — the bar in words for people.

A new kind is one more registered class here (and its ``Params`` in :mod:`cdht.schema`); the loader, checker, evaluator, template formulas
and the CLI's table pick it up.

Field validity (:func:`field_valid`, :func:`field_valid_excel`) is shared by all kinds, so the
template's live formulas and the Python core agree on when data are incomplete.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args


DAT = "Đạt"
KHONG_DAT = "Không đạt"
CHUA_DU = "Chưa đủ dữ liệu"
# An indicator met by its figures that no evidence row cites: still met (the level is the figures'),
# but the dossier cannot be filed until a row cites it (CDHT-E001). Shown in the verdict cells.
DAT_NO_EVIDENCE = "Đạt (thiếu minh chứng)"
CO = "Có"
KHONG = "Không"

FieldType = Literal["verdict", "yesno", "level", "count", "number", "percent"]  # of an input field
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)


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
# Rule kinds: the registry
# ---------------------------------------------------------------------------------------------

class _Params:
    """``Rule.Params``: the kind's parameters' pydantic model, declared in :mod:`cdht.schema` and
    imported only when asked for (validating an edition imports pydantic; using one does not)."""

    def __get__(self, obj, cls):
        from cdht.schema import PARAMS, Strict
        return PARAMS.get(cls.kind, Strict)


@dataclass(frozen=True)
class Slot:
    """A parameter of a rule that names an input field, and the field types it may name."""

    param: str
    types: tuple[str, ...]


class Rule:
    """Base of the rule kinds. ``params`` is the validated rule: its pydantic model, or the
    :class:`cdht.plain.Record` made from it (same attributes, same ``model_dump``).

    A kind declares its catalogue schema (``Params``, tagged by ``kind``), which of its parameters
    name fields and of which types (``slots``), its threshold checks and comparable bars, its
    human text, its Python verdict and its Excel formula — and registers in :data:`KINDS`."""

    kind = ""
    Params = _Params()               # its catalogue schema (cdht.schema)
    payload: str | None = None        # the parameter written as the kind's bare value ({verdict: key})
    slots: tuple[Slot, ...] = ()

    def __init__(self, params):
        self.p = params

    @classmethod
    def build(cls, params) -> "Rule":
        return cls(params)

    # --- what the catalogue checker asks of a rule -------------------------------------------

    def parts(self) -> list[tuple[tuple, "Rule"]]:
        """The sub-rules of a combining kind, each with its key path below this rule in the
        edition file (a simple rule has none)."""
        return []

    def field_uses(self) -> list[tuple[str, tuple[str, ...]]]:
        """(field key, allowed field types) for every parameter naming a field, in order."""
        return [(getattr(self.p, s.param), s.types) for s in self.slots if getattr(self.p, s.param)]

    def threshold_problems(self, fields: dict) -> list[tuple[float, str]]:
        """(value, allowed range) for every threshold out of range; ``fields``: key → FieldSpec."""
        return []

    def bars(self) -> dict:
        """Comparable thresholds, keyed by what they constrain (level 2 must not be below level 1)."""
        return {}

    def bounded_pairs(self) -> list[tuple[str, str]]:
        """(numerator, denominator) field pairs whose numerator may not exceed the denominator."""
        return []

    # --- meaning ----------------------------------------------------------------------------

    def text(self) -> str:
        """The bar in a few words, for people (``cdht catalogue show``)."""
        return self.kind

    def fields(self) -> list[str]:
        return [getattr(self.p, s.param) for s in self.slots if getattr(self.p, s.param)]

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


KINDS: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: a rule kind joins the registry (and so the catalogue schema)."""
    KINDS[cls.kind] = cls
    return cls


def build(params) -> Rule:
    """The runtime rule of a validated rule spec."""
    return KINDS[params.kind].build(params)


@register
class Verdict(Rule):
    """The indicator is answered "Đạt" / "Không đạt" (with evidence)."""

    kind = "verdict"
    payload = "field"
    slots = (Slot("field", ("verdict",)),)

    def text(self):
        return "Đạt"

    def evaluate(self, v):
        ok = _text_eq(v[self.p.field], DAT)
        return ok, "" if ok else "Tự đánh giá: Không đạt"

    def excel(self, ref):
        return f"{ref(self.p.field)}={_str(DAT)}"


@register
class Yes(Rule):
    """A "Có" / "Không" input must be "Có"."""

    kind = "answer_yes"
    slots = (Slot("field", ("yesno",)),)

    def text(self):
        return "Có"

    def evaluate(self, v):
        ok = _text_eq(v[self.p.field], CO)
        return ok, "" if ok else f"{self.p.label or self.p.field}: Không"

    def excel(self, ref):
        return f"{ref(self.p.field)}={_str(CO)}"


@register
class MinLevel(Rule):
    """A level reached (phổ cập 0–3, xóa mù chữ 0–2) must be at least ``value``."""

    kind = "min_level"
    slots = (Slot("field", ("level",)),)

    def threshold_problems(self, fields):
        fs = fields.get(self.p.field)
        if fs is not None and fs.type == "level" and not ((fs.min or 0) <= self.p.value <= (fs.max or 0)):
            return [(self.p.value, f"{fs.min or 0}–{fs.max}")]
        return []

    def bars(self):
        return {("level", self.p.field): (self.p.value,)}

    def text(self):
        return f"≥ mức độ {self.p.value}"

    def evaluate(self, v):
        x = v[self.p.field]
        ok = x >= self.p.value
        return ok, "" if ok else f"Đạt mức độ {fmt_number(x)}, yêu cầu tối thiểu mức độ {self.p.value}"

    def excel(self, ref):
        return f"{ref(self.p.field)}>={_num(self.p.value)}"


@register
class MinCount(Rule):
    """A count must be at least ``value``."""

    kind = "min_count"
    slots = (Slot("field", ("count",)),)

    def threshold_problems(self, fields):
        return [(self.p.value, "≥ 0")] if self.p.value < 0 else []

    def bars(self):
        return {("count", self.p.field): (self.p.value,)}

    def text(self):
        return f"≥ {self.p.value}"

    def evaluate(self, v):
        x = v[self.p.field]
        ok = x >= self.p.value
        label = self.p.label or self.p.field
        return ok, "" if ok else f"{label} {fmt_number(x)} < {self.p.value}"

    def excel(self, ref):
        return f"{ref(self.p.field)}>={_num(self.p.value)}"


def _not_above_reason(p, v) -> tuple[bool, str]:
    num, den = v[p.num], v[p.den]
    return num <= den, f"{p.num} = {fmt_number(num)} lớn hơn {p.den} = {fmt_number(den)}"


@register
class Ratio(Rule):
    """num / den ≥ min_percent % (or hardship_percent % when the hardship field is "Có")."""

    kind = "ratio"
    slots = (Slot("num", ("count", "number")), Slot("den", ("count", "number")),
             Slot("hardship_field", ("yesno",)))

    def threshold_problems(self, fields):
        return [(v, "(0; 100]") for v in (self.p.min_percent, self.p.hardship_percent)
                if v is not None and not (0 < v <= 100)]

    def bars(self):
        return {("ratio", self.p.num): (self.p.min_percent, self.p.hardship_percent)}

    def bounded_pairs(self):
        return [(self.p.num, self.p.den)]

    def text(self):
        s = f"≥ {self.p.min_percent:g}%"
        if self.p.hardship_percent is not None:
            s += f" (vùng khó khăn ≥ {self.p.hardship_percent:g}%)"
        return s

    def hardship(self, v) -> bool:
        return bool(self.p.hardship_field) and _text_eq(v[self.p.hardship_field], CO)

    def percent(self, v) -> float:
        """The bar that applies, in percent as written in the catalogue."""
        return self.p.hardship_percent if self.hardship(v) else self.p.min_percent

    def threshold(self, v) -> float:
        return self.percent(v) / 100

    def conditions(self, v):
        if not v[self.p.den] > 0:  # one reason is enough: every numerator is "above" a zero denominator
            return [(False, f"{self.p.den} bằng 0 (mẫu số của tỷ lệ)")]
        return [_not_above_reason(self.p, v)]

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


@register
class Change(Rule):
    """This year vs the year before: must increase (or decrease); equal fails."""

    kind = "change"
    slots = (Slot("current", ("number", "percent", "count")), Slot("previous", ("number", "percent", "count")))

    def text(self):
        return "tăng so với năm trước" if self.p.direction == "increase" else "giảm so với năm trước"

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


@register
class All(Rule):
    """Every sub-rule holds."""

    kind = "all"
    payload = "rules"

    def __init__(self, params, children: list[Rule]):
        super().__init__(params)
        self.children = children

    @classmethod
    def build(cls, params):
        return cls(params, [build(s) for s in params.rules])

    def parts(self):
        return [(("all", k), c) for k, c in enumerate(self.children)]

    def bars(self):
        out = {}
        for c in self.children:
            out.update(c.bars())
        return out

    def bounded_pairs(self):
        return [p for c in self.children for p in c.bounded_pairs()]

    def text(self):
        return " và ".join(c.text() for c in self.children)

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
    """A consistency check (not a verdict): num ≤ den, e.g. "trong đó" sub-counts. Not a rule kind
    of a level (it is written under ``checks:``), so not in :data:`KINDS`."""

    kind = "not_above"
    slots = (Slot("num", ()), Slot("den", ()))   # any declared field

    def bounded_pairs(self):
        return [(self.p.num, self.p.den)]

    def conditions(self, v):
        return [_not_above_reason(self.p, v)]

    def conditions_excel(self, ref):
        return [f"{ref(self.p.num)}<={ref(self.p.den)}"]


# ---------------------------------------------------------------------------------------------
# The catalogue schema of a rule: a discriminated union over the registered kinds (cdht.schema)
# ---------------------------------------------------------------------------------------------

def yaml_loc(loc: tuple) -> tuple:
    """A pydantic error location as the edition file's path: the payload parameter of a kind
    written as a bare value (``verdict: key`` → loc …verdict.field) is not a key of the file."""
    out = list(loc)
    i = 0
    while i < len(out) - 1:
        cls = KINDS.get(out[i]) if isinstance(out[i], str) else None
        if cls is not None and cls.payload is not None and out[i + 1] == cls.payload:
            del out[i + 1]
        i += 1
    return tuple(out)


def __getattr__(name: str):
    """``RuleSpec`` (the union of the kinds' parameters), ``Strict`` and ``tag_rule`` live in
    :mod:`cdht.schema` (pydantic), imported only when asked for."""
    if name in ("RuleSpec", "Strict", "tag_rule"):
        from cdht import schema
        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- An indicator's wording with the catalogue's bars (the self-assessment sheet, the dossier) ---

def ratio_rules(rule) -> list:
    """The ratio rules inside ``rule`` (itself, or the parts of an ``all``), in order."""
    out = [rule] if isinstance(rule, Ratio) else []
    for _, child in rule.parts():
        out += ratio_rules(child)
    return out


def _bar(rule) -> str:
    s = f"{fmt_number(rule.p.min_percent)}%"
    if rule.p.hardship_percent is not None:
        s += f" (vùng khó khăn {fmt_number(rule.p.hardship_percent)}%)"
    return s


def _levels(one: str, two: str) -> str:
    return one if one == two else f"[mức độ 1: {one}; mức độ 2: {two}]"


def indicator_text(ind) -> str:
    """The indicator's wording with the catalogue's real bars where it says "…%" or ends in "…"
    (the Circular states the figures per level: "Có ít nhất …% công dân …")."""
    text = ind.text
    r1, r2 = ratio_rules(ind.rules[1]), ratio_rules(ind.rules[2])
    if "…%" in text and text.count("…%") == len(r1) == len(r2):
        for a, b in zip(r1, r2):
            text = text.replace("…%", _levels(_bar(a), _bar(b)), 1)
        return text
    l1, l2 = ind.rules[1], ind.rules[2]
    if text.rstrip().endswith("…") and isinstance(l1, MinLevel) and isinstance(l2, MinLevel):
        bars = _levels(f"mức độ {l1.p.value} trở lên", f"mức độ {l2.p.value} trở lên")
        return text.rstrip()[:-1].rstrip() + " " + bars
    return text


_DIFFERS: dict[int, tuple[object, object, object, bool]] = {}  # id(indicator) → (it, rule 1, rule 2, answer)


def differs_by_level(ind) -> bool:
    """True when the indicator's level-2 rule is not its level-1 rule (other thresholds or other
    fields, e.g. xa.5.1 60 % / 80 %, huyen.4.1 counting level-1 / level-2 communes): the evidence
    register then says which level an evidence row supports (issue 15).

    Remembered per indicator (asked for every indicator of every source a merge reads): the
    answer is kept with the indicator and its two rule objects, and recomputed if any is another."""
    r1, r2 = ind.rules[1], ind.rules[2]
    hit = _DIFFERS.get(id(ind))
    if hit is not None and hit[0] is ind and hit[1] is r1 and hit[2] is r2:
        return hit[3]
    answer = r1.describe() != r2.describe()
    if len(_DIFFERS) > 4096:  # (editions loaded and dropped again and again, e.g. in tests)
        _DIFFERS.clear()
    _DIFFERS[id(ind)] = (ind, r1, r2, answer)
    return answer
