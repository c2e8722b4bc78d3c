"""Load and check a criteria catalogue edition (bộ tiêu chí) — the single source of truth.

``load_edition(path)`` returns an :class:`Edition` or raises :class:`CatalogueError` carrying every
problem found (coded Vietnamese findings with file and line), so a bad edition never loads.
Structure is validated by pydantic models (``extra="forbid"``; a level's rule is the union of the
rule kinds registered in :mod:`cdht.rules`); meaning (duplicate ids, rules that name missing fields,
thresholds out of range, tiers missing from the hierarchy) by :func:`_semantics`, which asks each
rule kind about its own fields and thresholds.

The pydantic models live in :mod:`cdht.schema`, imported only to check a file; the edition in use
is plain records (:mod:`cdht.plain`). A shipped edition is read from its JSON snapshot
(``scripts/build_snapshots.py``) while the file, its bases and this checking code are unchanged,
so a merge or a check pays neither pydantic nor YAML (issue 18, "Cost"); any change and the file
is checked in full, every problem found with its line.
"""
from __future__ import annotations

import copy
import hashlib
import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdht import plain as P
from cdht import rules as R
from cdht.messages import Finding, finding, nfc, os_reason

if TYPE_CHECKING:  # pydantic (cdht.schema) and YAML are imported only to validate an edition file
    from pydantic import ValidationError

    from cdht.schema import Contributor, CriterionSpec, EditionSpec, FieldSpec, IndicatorSpec, TierSpec

CATALOGUE_DIR = Path(__file__).parent / "catalogue"
DEFAULT_EDITION = CATALOGUE_DIR / "tt25-2023.yaml"


class CatalogueError(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.text() for f in findings))


# ---------------------------------------------------------------------------------------------
# Structure: the pydantic models of cdht.schema, imported only to validate
# ---------------------------------------------------------------------------------------------

_SCHEMA_NAMES = ("FieldSpec", "CheckSpec", "FromChildren", "IndicatorSpec", "CriterionSpec", "Procedure",
                 "Articles", "TierSpec", "Hierarchy", "Years", "Settings", "Contributor", "EditionSpec")


def __getattr__(name: str):
    """The schema's models by their old names here (``from cdht.edition import FieldSpec``)."""
    if name in _SCHEMA_NAMES:
        from cdht import schema
        return getattr(schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------
# Runtime objects
# ---------------------------------------------------------------------------------------------

class Indicator:
    def __init__(self, spec: IndicatorSpec, tier: "Tier", criterion: "Criterion"):
        self.spec = spec
        self.id = spec.id
        self.name = spec.id.replace(".", "_")  # its verdict's / appraisal's name stem
        self.text = spec.text
        self.tier = tier
        self.criterion = criterion
        self.fields = spec.fields
        self.rules = {1: R.build(spec.level1), 2: R.build(spec.level2)}
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
    import yaml

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


# pydantic's error types → the Vietnamese reason shown to the Sở (never pydantic's English text)
_PYDANTIC_REASONS = {
    "int_parsing": "phải là số nguyên", "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên", "float_parsing": "phải là số", "float_type": "phải là số",
    "bool_parsing": "phải là true hoặc false", "bool_type": "phải là true hoặc false",
    "string_type": "phải là chữ", "list_type": "phải là một danh sách", "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị", "model_attributes_type": "phải là một bảng khóa: giá trị",
    "greater_than": "phải lớn hơn {gt}", "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}", "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "literal_error": "phải là một trong: {expected}", "enum": "phải là một trong: {expected}",
    "string_pattern_mismatch": "không đúng dạng {pattern}", "too_short": "quá ít phần tử",
    "too_long": "quá nhiều phần tử", "date_parsing": "không phải ngày hợp lệ",
}


def _why_invalid(error: dict) -> str:
    """Vietnamese reason of one pydantic error: our own validators' texts are Vietnamese already
    (``value_error``); pydantic's own types come from :data:`_PYDANTIC_REASONS`."""
    ctx = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in ctx:
        return str(ctx["error"])
    reason = _PYDANTIC_REASONS.get(error["type"], "không đúng kiểu dữ liệu yêu cầu")
    try:
        return reason.format(**ctx)
    except (KeyError, IndexError):
        return reason


def _line_of(lines: _Lines, loc: tuple) -> tuple[str | None, int | None]:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get((), (None, None))


def _read_yaml(path: Path, findings: list[Finding]) -> tuple[Any, _Lines]:
    """The file's YAML and its line map, or ``None`` with the coded reason (C001, C015)."""
    import yaml

    try:
        return _load_yaml(path)
    except OSError as e:
        findings.append(finding("CDHT-C001", file=path.name, reason=os_reason(e)))
    except UnicodeDecodeError:
        findings.append(finding("CDHT-C001", file=path.name, reason="tệp không phải văn bản UTF-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        findings.append(finding("CDHT-C015", file=path.name, line=mark.line + 1 if mark else None,
                                column=mark.column + 1 if mark else "?"))
    return None, _Lines()


def _resolve(path: Path, findings: list[Finding], read: list[Path]) -> tuple[dict | None, _Lines]:
    """Read an edition file, following ``base:`` and applying ``overrides:`` by indicator id
    (``read``: every file read is appended)."""
    read.append(path)
    data, lines = _read_yaml(path, findings)
    if data is None:
        return None, lines
    if not isinstance(data, dict):
        findings.append(finding("CDHT-C016", file=path.name))
        return None, lines
    base_name = data.pop("base", None)
    overrides = data.pop("overrides", None) or {}
    if base_name is None:
        return data, lines
    base_path = path.parent / str(base_name)
    if not base_path.is_file():
        findings.append(finding("CDHT-C012", file=path.name, line=_line_of(lines, ("base",))[1], base=base_name))
        return None, lines
    base, base_lines = _resolve(base_path, findings, read)
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


def _pydantic_findings(err: ValidationError, lines: _Lines) -> list[Finding]:  # noqa: F821 (TYPE_CHECKING)
    out = []
    for e in err.errors():
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        # pydantic puts the failing union/model name in loc for nested models; keep data keys only
        loc = R.yaml_loc(loc) + ((e["ctx"]["at"],) if "at" in (e.get("ctx") or {}) else ())
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
                               value=repr(e.get("input"))[:80], reason=_why_invalid(e)))
    return out


# ---------------------------------------------------------------------------------------------
# Meaning
# ---------------------------------------------------------------------------------------------

_ID_PATTERNS = {"criterion": r"^{t}\.\d+$", "indicator": r"^{t}\.\d+\.\d+$"}
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,60}$")


class _Checker:
    """Collects the meaning problems of one edition spec, each at its file and line."""

    def __init__(self, spec: EditionSpec, lines: _Lines):
        self.spec = spec
        self.lines = lines
        self.out: list[Finding] = []
        self.seen_ids: dict[str, int | None] = {}

    def add(self, code: str, loc: tuple, **facts) -> None:
        file, line = _line_of(self.lines, loc)
        self.out.append(finding(code, file=file, line=line, **facts))

    def unique(self, ident: str, loc: tuple) -> None:
        """C005 when ``ident`` (an id or field key) was declared before."""
        if ident in self.seen_ids:
            self.add("CDHT-C005", loc, id=ident, other_line=self.seen_ids[ident])
        else:
            self.seen_ids[ident] = _line_of(self.lines, loc)[1]


def _check_tiers_declared(ck: _Checker) -> None:
    h = ck.spec.hierarchy
    for t in h.tiers:
        if t not in ck.spec.tiers:
            ck.add("CDHT-C008", ("hierarchy", "tiers"), tier=t)
    for t in ck.spec.tiers:
        if t not in h.tiers:
            ck.add("CDHT-C008", ("tiers", t), tier=t)
    for child, parent in h.parent.items():
        for t in (child, parent):
            if t is not None and t not in h.tiers:
                ck.add("CDHT-C008", ("hierarchy", "parent", child), tier=t)


def _cycle_through(parent: dict, start: str) -> str | None:
    """The tier where following parents from ``start`` comes round again (None: it ends)."""
    seen, cur = set(), start
    while cur is not None and cur not in seen:
        seen.add(cur)
        cur = parent.get(cur)
    return cur


def _check_hierarchy(ck: _Checker) -> None:
    """Every tier declared once, one top tier, no cycle."""
    _check_tiers_declared(ck)
    h = ck.spec.hierarchy
    tops = [t for t in h.tiers if h.parent.get(t) is None]
    if len(tops) != 1:
        ck.add("CDHT-C010", ("hierarchy",), count=len(tops), tops=", ".join(tops) or "không có")
    cycle = next((c for c in (_cycle_through(h.parent, t) for t in h.tiers) if c is not None), None)
    if cycle is not None:
        ck.add("CDHT-C017", ("hierarchy", "parent"), tier=cycle)


def _check_field(ck: _Checker, fs: FieldSpec, ind_id: str, loc: tuple) -> None:
    """A field of an indicator: unique key, key spelling, a level's range."""
    ck.unique(fs.key, loc)
    if not _KEY_RE.match(fs.key):
        ck.add("CDHT-C009", loc, id=fs.key, expected="chữ thường, số, '_'")
    if fs.type == "level" and (fs.max is None or (fs.min or 0) > fs.max):
        ck.add("CDHT-C007", loc, value=fs.max, indicator=ind_id, range="min ≤ max")


def _check_indicator_ids(ck: _Checker, crit: CriterionSpec, ind: IndicatorSpec, tcode: str, il: tuple) -> None:
    ck.unique(ind.id, il + ("id",))
    if not (re.match(_ID_PATTERNS["indicator"].format(t=re.escape(tcode)), ind.id)
            and ind.id.startswith(crit.id + ".")):
        ck.add("CDHT-C009", il + ("id",), id=ind.id, expected=f"{crit.id}.<số>")


def _check_declarations(ck: _Checker, tcode: str, tier: TierSpec) -> dict[str, FieldSpec]:
    """Ids and field keys of a tier (unique, well spelt); returns its fields by key."""
    tl = ("tiers", tcode)
    keys: dict[str, FieldSpec] = {}
    for fi, fs in enumerate(tier.unit_fields):
        ck.unique(fs.key, tl + ("unit_fields", fi))
        keys[fs.key] = fs
    for ci, crit in enumerate(tier.criteria):
        cl = tl + ("criteria", ci)
        ck.unique(crit.id, cl + ("id",))
        if not re.match(_ID_PATTERNS["criterion"].format(t=re.escape(tcode)), crit.id):
            ck.add("CDHT-C009", cl + ("id",), id=crit.id, expected=f"{tcode}.<số>")
        for ii, ind in enumerate(crit.indicators):
            il = cl + ("indicators", ii)
            _check_indicator_ids(ck, crit, ind, tcode, il)
            for fi, fs in enumerate(ind.fields):
                _check_field(ck, fs, ind.id, il + ("fields", fi))
                keys[fs.key] = fs
    return keys


def _check_rule(ck: _Checker, rule: R.Rule, keys: dict[str, FieldSpec], ind_id: str, loc: tuple) -> None:
    """Each simple rule names declared fields of the types its kind takes, thresholds in range
    (sub-rules reported at their own line)."""
    for sub, part in rule.parts():
        _check_rule(ck, part, keys, ind_id, loc + sub)
    for key, types in rule.field_uses():
        if key not in keys:
            ck.add("CDHT-C006", loc, indicator=ind_id, key=key)
        elif keys[key].type not in types:
            ck.add("CDHT-C014", loc, indicator=ind_id, type=keys[key].type, rule=rule.kind,
                   expected=" / ".join(types))
    for value, allowed in rule.threshold_problems(keys):
        ck.add("CDHT-C007", loc, value=value, indicator=ind_id, range=allowed)


def _check_monotone(ck: _Checker, ind_id: str, rules: dict[int, R.Rule], loc: tuple) -> None:
    """C011 when a bar of level 2 is below the same bar of level 1."""
    b1, b2 = rules[1].bars(), rules[2].bars()
    for k, v1 in b1.items():
        v2 = b2.get(k)
        if v2 is not None and any(a is not None and b is not None and b < a for a, b in zip(v1, v2)):
            ck.add("CDHT-C011", loc + ("level2",), indicator=ind_id)
            return


def _check_from_children(ck: _Checker, ind: IndicatorSpec, keys, loc: tuple) -> None:
    fc = ind.from_children
    if fc is None:
        return
    if fc.tier not in ck.spec.hierarchy.tiers:
        ck.add("CDHT-C008", loc + ("from_children",), tier=fc.tier)
    for key in (fc.total, fc.level1, fc.level2):
        if key not in keys:
            ck.add("CDHT-C006", loc + ("from_children",), indicator=ind.id, key=key)


def _check_indicator(ck: _Checker, ind: IndicatorSpec, keys: dict[str, FieldSpec], il: tuple) -> None:
    """Rules and checks of one indicator reference declared fields of the right type, thresholds
    in range, level 2 not below level 1, counts from a tier that exists."""
    rules = {1: R.build(ind.level1), 2: R.build(ind.level2)}
    for lvl in (1, 2):
        _check_rule(ck, rules[lvl], keys, ind.id, il + (f"level{lvl}",))
    for k, chk in enumerate(ind.checks):
        for key in R.NotAbove(chk.not_above).fields():
            if key not in keys:
                ck.add("CDHT-C006", il + ("checks", k), indicator=ind.id, key=key)
    _check_monotone(ck, ind.id, rules, il)
    _check_from_children(ck, ind, keys, il)


def _check_contributors(ck: _Checker) -> None:
    all_ids = {i.id for t in ck.spec.tiers.values() for c in t.criteria for i in c.indicators}
    for k, con in enumerate(ck.spec.contributors):
        for ind_id in con.indicators:
            if ind_id not in all_ids:
                ck.add("CDHT-C013", ("contributors", k), indicator=ind_id)


def _semantics(spec: EditionSpec, lines: _Lines) -> list[Finding]:
    """Every meaning problem of a structurally valid edition, in file order per check."""
    ck = _Checker(spec, lines)
    _check_hierarchy(ck)
    for tcode, tier in spec.tiers.items():
        keys = _check_declarations(ck, tcode, tier)
        for ci, crit in enumerate(tier.criteria):
            for ii, ind in enumerate(crit.indicators):
                _check_indicator(ck, ind, keys, ("tiers", tcode, "criteria", ci, "indicators", ii))
    _check_contributors(ck)
    return ck.out


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------

def check_edition(path: str | Path | None = None) -> tuple[Edition | None, list[Finding]]:
    """Every problem of an edition file; the edition itself only when there are none. Always the
    full check (YAML, schema, meaning), never the snapshot."""
    edition, findings, _ = _check(Path(path) if path else DEFAULT_EDITION)
    return edition, findings


def _check(path: Path) -> tuple[Edition | None, list[Finding], list[Path]]:
    """:func:`check_edition`, and the files read (the edition, then its bases)."""
    from pydantic import ValidationError

    from cdht.schema import EditionSpec, plain

    findings: list[Finding] = []
    read: list[Path] = []
    data, lines = _resolve(path, findings, read)
    if data is None:
        return None, findings, read
    try:
        spec = EditionSpec.model_validate(data)
    except ValidationError as e:
        return None, findings + _pydantic_findings(e, lines), read
    findings += _semantics(spec, lines)
    if findings:
        return None, findings, read
    return Edition(plain(spec), path), [], read


# ---------------------------------------------------------------------------------------------
# Snapshots: a checked edition as JSON, used while its files and this code are unchanged
# ---------------------------------------------------------------------------------------------
# Checking an edition costs pydantic, YAML and the checks (about 0.3 s of CPU for the shipped two);
# every command that reads a workbook needs its edition. `python scripts/build_snapshots.py` writes,
# next to each shipped edition file, the records of the checked edition with the SHA-256 of every
# file it was read from and of the code that checks and builds it; `load_edition` uses a snapshot
# only when all of these still match, else checks the file in full (an edited copy: every problem
# found, with its line). JSON only: loading a snapshot runs no code of the file.

SNAPSHOT_FORMAT = 1
_SNAPSHOT_SUFFIX = ".snapshot.json"
_CODE = ("edition.py", "rules.py", "schema.py", "plain.py")  # what makes a checked edition


def snapshot_path(path: Path) -> Path:
    return path.with_name(path.stem + _SNAPSHOT_SUFFIX)


def _sha256(path: Path) -> str:
    """SHA-256 of a text file, line ends as LF (a checkout with CRLF reads the same YAML and code)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


_CODE_HASH: list[str] = []


def code_hash() -> str:
    """SHA-256 of the modules that check an edition and build it (a snapshot of other code is stale)."""
    if not _CODE_HASH:
        h = hashlib.sha256()
        for name in _CODE:
            h.update(f"{name}\0{_sha256(Path(__file__).parent / name)}\0".encode())
        _CODE_HASH.append(h.hexdigest())
    return _CODE_HASH[0]


def _sources(path: Path, read: list[Path]) -> dict[str, str]:
    return {os.path.relpath(f, path.parent).replace(os.sep, "/"): _sha256(f) for f in read}


def snapshot_text(path: str | Path) -> str:
    """The snapshot of a valid edition file (raises :class:`CatalogueError` if it is not)."""
    path = Path(path)
    edition, findings, read = _check(path)
    if edition is None:
        raise CatalogueError(findings)
    return P.dumps({"format": SNAPSHOT_FORMAT, "edition": edition.id, "code": code_hash(),
                    "sources": _sources(path, read), "spec": edition.spec})


def _from_snapshot(path: Path) -> Edition | None:
    """The edition from its snapshot, or None (no snapshot, or the file, a base or the code changed)."""
    snap = snapshot_path(path)
    try:
        data = P.loads(snap.read_text(encoding="utf-8"))
        fresh = (data["format"] == SNAPSHOT_FORMAT and data["code"] == code_hash()
                 and all(_sha256(path.parent / name) == sha for name, sha in data["sources"].items())
                 and path.name in data["sources"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Edition(data["spec"], path) if fresh else None


_CACHE: dict[Path, Edition] = {}


def load_edition(path: str | Path | None = None) -> Edition:
    """The checked edition (cached per file; from its snapshot while fresh); raises
    :class:`CatalogueError` listing every problem."""
    p = Path(path).resolve() if path else DEFAULT_EDITION.resolve()
    if p in _CACHE:
        return _CACHE[p]
    edition = _from_snapshot(p)
    if edition is None:
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
