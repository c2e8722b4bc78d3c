"""Load and check a criteria catalogue edition (bộ tiêu chí) — the single source of truth.

``load_edition(path)`` returns an :class:`Edition` or raises :class:`CatalogueError` carrying every
problem found (coded Vietnamese findings with file and line), so a bad edition never loads.
Structure is validated by pydantic models (``extra="forbid"``); meaning (duplicate ids, rules that
name missing fields, thresholds out of range, tiers missing from the hierarchy) by :func:`_semantics`.
"""
from __future__ import annotations

import copy
import datetime
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cdht import rules as R
from cdht.messages import Finding, finding, nfc

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
DEFAULT_EDITION = CATALOGUE_DIR / "tt25-2023.yaml"


class CatalogueError(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.text() for f in findings))


# ---------------------------------------------------------------------------------------------
# Structure (pydantic)
# ---------------------------------------------------------------------------------------------

class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldSpec(_M):
    key: str
    label: str
    type: Literal["verdict", "yesno", "level", "count", "number", "percent"]
    min: int | None = None
    max: int | None = None
    required: bool = True


class FieldRule(_M):
    field: str
    value: float | None = None
    label: str | None = None


class YesRule(_M):
    field: str
    label: str | None = None


class LevelRule(_M):
    field: str
    value: int


class CountRule(_M):
    field: str
    value: int
    label: str | None = None


class RatioRule(_M):
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


class ChangeRule(_M):
    current: str
    previous: str
    direction: Literal["increase", "decrease"]
    label: str | None = None


class NotAboveRule(_M):
    num: str
    den: str


class RuleSpec(_M):
    verdict: str | None = None
    answer_yes: YesRule | None = None
    min_level: LevelRule | None = None
    min_count: CountRule | None = None
    ratio: RatioRule | None = None
    change: ChangeRule | None = None
    all: list["RuleSpec"] | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"mỗi quy tắc có đúng một loại (verdict, answer_yes, min_level, min_count, "
                             f"ratio, change, all); đang có {given or 'không có'}")
        return self


class CheckSpec(_M):
    not_above: NotAboveRule


class FromChildren(_M):
    tier: str
    total: str
    level1: str
    level2: str


class IndicatorSpec(_M):
    id: str
    text: str
    fields: list[FieldSpec] = []
    level1: RuleSpec
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
# Runtime objects
# ---------------------------------------------------------------------------------------------

def _compile(spec: RuleSpec) -> R.Rule:
    if spec.all is not None:
        return R.All(None, [_compile(s) for s in spec.all])
    if spec.verdict is not None:
        return R.Verdict(FieldRule(field=spec.verdict))
    for kind, cls in (("answer_yes", R.Yes), ("min_level", R.MinLevel), ("min_count", R.MinCount),
                      ("ratio", R.Ratio), ("change", R.Change)):
        params = getattr(spec, kind)
        if params is not None:
            return cls(params)
    raise AssertionError(spec)


class Indicator:
    def __init__(self, spec: IndicatorSpec, tier: "Tier", criterion: "Criterion"):
        self.spec = spec
        self.id = spec.id
        self.name = spec.id.replace(".", "_")  # its verdict's / appraisal's name stem
        self.text = spec.text
        self.tier = tier
        self.criterion = criterion
        self.fields = spec.fields
        self.rules = {1: _compile(spec.level1), 2: _compile(spec.level2)}
        self.checks = [R.NotAbove(c.not_above) for c in spec.checks]
        self.evidence = spec.evidence
        self.from_children = spec.from_children

    def input_keys(self) -> list[str]:
        """All field keys the indicator reads at either level, in order (own, then shared)."""
        keys = [f.key for f in self.fields]
        for lvl in (1, 2):
            keys += [k for k in self.rules[lvl].fields() if k not in keys]
        for c in self.checks:
            keys += [k for k in c.fields() if k not in keys]
        return keys

    @property
    def answered_by_verdict(self) -> bool:
        return len(self.fields) == 1 and self.fields[0].type == "verdict"


class Criterion:
    def __init__(self, spec: CriterionSpec, tier: "Tier"):
        self.spec = spec
        self.id = spec.id
        self.name = spec.name
        self.indicators = [Indicator(i, tier, self) for i in spec.indicators]


class Tier:
    def __init__(self, code: str, spec: TierSpec, edition: "Edition"):
        self.code = code
        self.spec = spec
        self.name = spec.name
        self.edition = edition
        self.procedure = spec.procedure
        self.criteria = [Criterion(c, self) for c in spec.criteria]

    @property
    def parent(self) -> str | None:
        return self.edition.spec.hierarchy.parent.get(self.code)

    @property
    def children(self) -> list[str]:
        return [t for t, p in self.edition.spec.hierarchy.parent.items() if p == self.code]

    @cached_property
    def indicators(self) -> list[Indicator]:
        return [i for c in self.criteria for i in c.indicators]

    @cached_property
    def fields(self) -> dict[str, FieldSpec]:
        """Every input of the tier by key: unit fields first, then indicator fields in order."""
        out = {f.key: f for f in self.spec.unit_fields}
        for ind in self.indicators:
            for f in ind.fields:
                out[f.key] = f
        return out

    def indicator(self, ind_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == ind_id)


class Edition:
    def __init__(self, spec: EditionSpec, path: Path | None):
        self.spec = spec
        self.path = path
        self.id = spec.edition
        self.settings = spec.settings
        self.tiers = {code: Tier(code, spec.tiers[code], self) for code in spec.hierarchy.tiers}

    def tier(self, code: str) -> Tier:
        return self.tiers[code]

    def applies_to(self, year: int) -> bool:
        y = self.spec.years
        return y.first <= year and (y.last is None or year <= y.last)

    def contributor(self, code: str) -> Contributor | None:
        return next((c for c in self.spec.contributors if c.code == code), None)

    def contributor_of(self, ind_id: str) -> str | None:
        return next((c.code for c in self.spec.contributors if ind_id in c.indicators), None)

    def as_dict(self, tier: str | None = None) -> dict:
        """The shape of ``cdht catalogue show --json``."""
        s = self.spec
        out: dict[str, Any] = {
            "edition": s.edition, "version": s.version, "title": s.title,
            "legal_basis": s.legal_basis, "years": s.years.model_dump(),
            "settings": s.settings.model_dump(),
            "hierarchy": s.hierarchy.model_dump(),
            "contributors": [c.model_dump() for c in s.contributors],
            "tiers": {},
        }
        for code, t in self.tiers.items():
            if tier and code != tier:
                continue
            out["tiers"][code] = {
                "name": t.name, "parent": t.parent, "children": t.children,
                "procedure": t.procedure.model_dump(exclude_none=True),
                "articles": t.spec.articles.model_dump(),
                "unit_fields": [f.model_dump(exclude_none=True) for f in t.spec.unit_fields],
                "criteria": [{
                    "id": c.id, "name": c.name,
                    "indicators": [{
                        "id": i.id, "text": i.text,
                        "fields": [t.fields[k].model_dump(exclude_none=True) for k in i.input_keys()],
                        "level1": i.rules[1].describe(), "level2": i.rules[2].describe(),
                        "evidence": i.evidence,
                        **({"contributor": self.contributor_of(i.id)} if self.contributor_of(i.id) else {}),
                        **({"from_children": i.from_children.model_dump()} if i.from_children else {}),
                    } for i in c.indicators],
                } for c in t.criteria],
            }
        return out


# ---------------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------------

class _Lines(dict):
    """path tuple → (file name, line)."""


def _load_yaml(path: Path) -> tuple[Any, _Lines]:
    text = path.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when present: one fast parse
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines = _Lines()

    def walk(n, p):
        lines[p] = (path.name, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                lines[p + (k.value,)] = (path.name, k.start_mark.line + 1)
                walk(v, p + (k.value,))
                lines[p + (k.value,)] = (path.name, k.start_mark.line + 1)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, p + (i,))

    if node is not None:
        walk(node, ())
    return _nfc_deep(data), lines


def _nfc_deep(x):
    if isinstance(x, dict):
        return {nfc(k): _nfc_deep(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_nfc_deep(v) for v in x]
    return nfc(x)


def _deep_merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = _deep_merge(base.get(k), v)
        return out
    return copy.deepcopy(over)


def _line_of(lines: _Lines, loc: tuple) -> tuple[str | None, int | None]:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get((), (None, None))


def _resolve(path: Path, findings: list[Finding]) -> tuple[dict | None, _Lines]:
    """Read an edition file, following ``base:`` and applying ``overrides:`` by indicator id."""
    try:
        data, lines = _load_yaml(path)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as e:
        line = getattr(getattr(e, "problem_mark", None), "line", None)
        findings.append(finding("CDHT-C001", file=path.name, line=line + 1 if line is not None else None,
                                detail=str(e).splitlines()[0] if str(e) else type(e).__name__))
        return None, _Lines()
    if not isinstance(data, dict):
        findings.append(finding("CDHT-C001", file=path.name, detail="nội dung không phải một bảng khóa: giá trị"))
        return None, lines
    base_name = data.pop("base", None)
    overrides = data.pop("overrides", None) or {}
    if base_name is None:
        return data, lines
    base_path = path.parent / str(base_name)
    if not base_path.is_file():
        findings.append(finding("CDHT-C012", file=path.name, line=_line_of(lines, ("base",))[1], base=base_name))
        return None, lines
    base, base_lines = _resolve(base_path, findings)
    if base is None:
        return None, lines
    hierarchy = data.pop("hierarchy", None)  # a hierarchy is replaced whole, never merged
    merged = _deep_merge(base, data)
    if hierarchy is not None:
        merged["hierarchy"] = hierarchy
    merged_lines = _Lines(base_lines)
    merged_lines.update(lines)
    for ind_id, patch in overrides.items():
        where = _find_indicator(merged, ind_id)
        if where is None:
            findings.append(finding("CDHT-C013", file=path.name, line=_line_of(lines, ("overrides", ind_id))[1],
                                    indicator=ind_id))
            continue
        tcode, ci, ii = where
        target = merged["tiers"][tcode]["criteria"][ci]["indicators"][ii]
        target.update(copy.deepcopy(patch))
        prefix = ("tiers", tcode, "criteria", ci, "indicators", ii)
        for p, ln in lines.items():
            if p[:2] == ("overrides", ind_id):
                merged_lines[prefix + p[2:]] = ln
    return merged, merged_lines


def _find_indicator(data, ind_id):
    for tcode, t in (data.get("tiers") or {}).items():
        for ci, c in enumerate((t or {}).get("criteria") or []):
            for ii, i in enumerate(c.get("indicators") or []):
                if i.get("id") == ind_id:
                    return tcode, ci, ii
    return None


def _pydantic_findings(err: ValidationError, lines: _Lines) -> list[Finding]:
    out = []
    for e in err.errors():
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        # pydantic puts the failing union/model name in loc for nested models; keep data keys only
        key = next((str(x) for x in reversed(loc) if isinstance(x, str)), "")
        file, line = _line_of(lines, loc)
        kind = e["type"]
        if kind == "extra_forbidden":
            out.append(finding("CDHT-C002", file=file, line=line, key=key))
        elif kind == "missing":
            parent_file, parent_line = _line_of(lines, loc[:-1])
            out.append(finding("CDHT-C003", file=parent_file, line=parent_line, key=key))
        else:
            out.append(finding("CDHT-C004", file=file, line=line, key=".".join(map(str, loc)),
                               detail=f"{e['msg']} (giá trị: {e.get('input')!r})"[:200]))
    return out


# ---------------------------------------------------------------------------------------------
# Meaning
# ---------------------------------------------------------------------------------------------

_ID_PATTERNS = {"criterion": r"^{t}\.\d+$", "indicator": r"^{t}\.\d+\.\d+$"}
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,60}$")
_RULE_FIELD_TYPES = {
    "verdict": ("verdict",), "answer_yes": ("yesno",), "min_level": ("level",), "min_count": ("count",),
    "ratio.num": ("count", "number"), "ratio.den": ("count", "number"),
    "ratio.hardship_field": ("yesno",),
    "change.current": ("number", "percent", "count"), "change.previous": ("number", "percent", "count"),
}


def _semantics(spec: EditionSpec, lines: _Lines) -> list[Finding]:
    out: list[Finding] = []
    h = spec.hierarchy

    def at(*loc):
        return _line_of(lines, loc)

    # hierarchy
    for t in h.tiers:
        if t not in spec.tiers:
            f, ln = at("hierarchy", "tiers")
            out.append(finding("CDHT-C008", file=f, line=ln, tier=t))
    for t in spec.tiers:
        if t not in h.tiers:
            f, ln = at("tiers", t)
            out.append(finding("CDHT-C008", file=f, line=ln, tier=t))
    for child, parent in h.parent.items():
        for t in (child, parent):
            if t is not None and t not in h.tiers:
                f, ln = at("hierarchy", "parent", child)
                out.append(finding("CDHT-C008", file=f, line=ln, tier=t))
    tops = [t for t in h.tiers if h.parent.get(t) is None]
    if len(tops) != 1:
        f, ln = at("hierarchy")
        out.append(finding("CDHT-C010", file=f, line=ln, detail=f"cấp cao nhất: {tops}"))
    for t in h.tiers:  # cycles
        seen, cur = set(), t
        while cur is not None and cur not in seen:
            seen.add(cur)
            cur = h.parent.get(cur)
        if cur is not None:
            f, ln = at("hierarchy", "parent")
            out.append(finding("CDHT-C010", file=f, line=ln, detail=f"vòng lặp qua '{cur}'"))
            break

    seen_ids: dict[str, int | None] = {}

    def unique(ident, loc):
        f, ln = at(*loc)
        if ident in seen_ids:
            out.append(finding("CDHT-C005", file=f, line=ln, id=ident, other_line=seen_ids[ident]))
        else:
            seen_ids[ident] = ln

    for tcode, tier in spec.tiers.items():
        tl = ("tiers", tcode)
        keys: dict[str, FieldSpec] = {}
        for fi, fs in enumerate(tier.unit_fields):
            unique(fs.key, tl + ("unit_fields", fi))
            keys[fs.key] = fs
        for ci, crit in enumerate(tier.criteria):
            cl = tl + ("criteria", ci)
            unique(crit.id, cl + ("id",))
            if not re.match(_ID_PATTERNS["criterion"].format(t=re.escape(tcode)), crit.id):
                f, ln = at(*cl, "id")
                out.append(finding("CDHT-C009", file=f, line=ln, id=crit.id, expected=f"{tcode}.<số>"))
            for ii, ind in enumerate(crit.indicators):
                il = cl + ("indicators", ii)
                unique(ind.id, il + ("id",))
                if not (re.match(_ID_PATTERNS["indicator"].format(t=re.escape(tcode)), ind.id)
                        and ind.id.startswith(crit.id + ".")):
                    f, ln = at(*il, "id")
                    out.append(finding("CDHT-C009", file=f, line=ln, id=ind.id, expected=f"{crit.id}.<số>"))
                for fi, fs in enumerate(ind.fields):
                    unique(fs.key, il + ("fields", fi))
                    if not _KEY_RE.match(fs.key):
                        f, ln = at(*il, "fields", fi)
                        out.append(finding("CDHT-C009", file=f, line=ln, id=fs.key, expected="chữ thường, số, '_'"))
                    keys[fs.key] = fs
                    if fs.type == "level" and (fs.max is None or (fs.min or 0) > fs.max):
                        f, ln = at(*il, "fields", fi)
                        out.append(finding("CDHT-C007", file=f, line=ln, value=fs.max, indicator=ind.id,
                                           range="min ≤ max"))
        # rules reference declared fields of the right type, thresholds in range
        for ci, crit in enumerate(tier.criteria):
            for ii, ind in enumerate(crit.indicators):
                il = tl + ("criteria", ci, "indicators", ii)
                for lvl in ("level1", "level2"):
                    out += _check_rule(getattr(ind, lvl), keys, ind.id, lines, il + (lvl,))
                for k, chk in enumerate(ind.checks):
                    for key in (chk.not_above.num, chk.not_above.den):
                        if key not in keys:
                            f, ln = at(*il, "checks", k)
                            out.append(finding("CDHT-C006", file=f, line=ln, indicator=ind.id, key=key))
                out += _check_monotone(ind, keys, lines, il)
                if ind.from_children is not None:
                    fc = ind.from_children
                    if fc.tier not in spec.hierarchy.tiers:
                        f, ln = at(*il, "from_children")
                        out.append(finding("CDHT-C008", file=f, line=ln, tier=fc.tier))
                    for key in (fc.total, fc.level1, fc.level2):
                        if key not in keys:
                            f, ln = at(*il, "from_children")
                            out.append(finding("CDHT-C006", file=f, line=ln, indicator=ind.id, key=key))
    all_ids = {i.id for t in spec.tiers.values() for c in t.criteria for i in c.indicators}
    for k, con in enumerate(spec.contributors):
        for ind_id in con.indicators:
            if ind_id not in all_ids:
                f, ln = at("contributors", k)
                out.append(finding("CDHT-C013", file=f, line=ln, indicator=ind_id))
    return out


def _check_rule(rs: RuleSpec, keys, ind_id, lines, loc) -> list[Finding]:
    out = []
    f, ln = _line_of(lines, loc)

    def need(key, slot):
        if key not in keys:
            out.append(finding("CDHT-C006", file=f, line=ln, indicator=ind_id, key=key))
        elif keys[key].type not in _RULE_FIELD_TYPES[slot]:
            out.append(finding("CDHT-C014", file=f, line=ln, indicator=ind_id, type=keys[key].type,
                               rule=slot.split(".")[0], expected=" / ".join(_RULE_FIELD_TYPES[slot])))

    if rs.all is not None:
        for k, sub in enumerate(rs.all):
            out += _check_rule(sub, keys, ind_id, lines, loc + ("all", k))
    elif rs.verdict is not None:
        need(rs.verdict, "verdict")
    elif rs.answer_yes is not None:
        need(rs.answer_yes.field, "answer_yes")
    elif rs.min_level is not None:
        need(rs.min_level.field, "min_level")
        fs = keys.get(rs.min_level.field)
        if fs is not None and fs.type == "level" and not ((fs.min or 0) <= rs.min_level.value <= (fs.max or 0)):
            out.append(finding("CDHT-C007", file=f, line=ln, value=rs.min_level.value, indicator=ind_id,
                               range=f"{fs.min or 0}–{fs.max}"))
    elif rs.min_count is not None:
        need(rs.min_count.field, "min_count")
        if rs.min_count.value < 0:
            out.append(finding("CDHT-C007", file=f, line=ln, value=rs.min_count.value, indicator=ind_id, range="≥ 0"))
    elif rs.ratio is not None:
        r = rs.ratio
        need(r.num, "ratio.num")
        need(r.den, "ratio.den")
        if r.hardship_field:
            need(r.hardship_field, "ratio.hardship_field")
        for v in (r.min_percent, r.hardship_percent):
            if v is not None and not (0 < v <= 100):
                out.append(finding("CDHT-C007", file=f, line=ln, value=v, indicator=ind_id, range="(0; 100]"))
    elif rs.change is not None:
        need(rs.change.current, "change.current")
        need(rs.change.previous, "change.previous")
    return out


def _bar(rs: RuleSpec) -> dict:
    """Comparable thresholds of a rule, keyed by what they constrain."""
    if rs.all is not None:
        d = {}
        for s in rs.all:
            d.update(_bar(s))
        return d
    if rs.ratio is not None:
        r = rs.ratio
        return {("ratio", r.num): (r.min_percent, r.hardship_percent)}
    if rs.min_level is not None:
        return {("level", rs.min_level.field): (rs.min_level.value,)}
    if rs.min_count is not None:
        return {("count", rs.min_count.field): (rs.min_count.value,)}
    return {}


def _check_monotone(ind: IndicatorSpec, keys, lines, loc) -> list[Finding]:
    b1, b2 = _bar(ind.level1), _bar(ind.level2)
    for k, v1 in b1.items():
        v2 = b2.get(k)
        if v2 is not None and any(a is not None and b is not None and b < a for a, b in zip(v1, v2)):
            f, ln = _line_of(lines, loc + ("level2",))
            return [finding("CDHT-C011", file=f, line=ln, indicator=ind.id)]
    return []


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def check_edition(path: str | Path | None = None) -> tuple[Edition | None, list[Finding]]:
    """Every problem of an edition file; the edition itself only when there are none."""
    path = Path(path) if path else DEFAULT_EDITION
    findings: list[Finding] = []
    data, lines = _resolve(path, findings)
    if data is None:
        return None, findings
    try:
        spec = EditionSpec.model_validate(data)
    except ValidationError as e:
        return None, findings + _pydantic_findings(e, lines)
    findings += _semantics(spec, lines)
    if findings:
        return None, findings
    return Edition(spec, path), []


_CACHE: dict[Path, Edition] = {}


def load_edition(path: str | Path | None = None) -> Edition:
    """The checked edition (cached per file); raises :class:`CatalogueError` listing every problem."""
    p = Path(path).resolve() if path else DEFAULT_EDITION.resolve()
    if p in _CACHE:
        return _CACHE[p]
    edition, findings = check_edition(p)
    if edition is None:
        raise CatalogueError(findings)
    _CACHE[p] = edition
    return edition


def shipped_editions() -> list[Path]:
    return sorted(CATALOGUE_DIR.glob("*.yaml"))


def find_edition(edition_id: str) -> Edition | None:
    """A shipped edition by its id (as stored in a workbook's metadata)."""
    for p in shipped_editions():
        try:
            e = load_edition(p)
        except CatalogueError:
            continue
        if e.id == edition_id:
            return e
    return None
