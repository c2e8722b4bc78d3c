"""The province profile (hồ sơ cấu hình tỉnh): what is local and yearly, kept apart from the
national catalogue (which keeps the Circular: criteria, indicators, thresholds).

A profile, edited by the Sở without code (YAML), holds:

- the official unit registry: code, name, tier, parent code, disadvantaged-area status
  ("vùng khó khăn"), first and last year of existence, predecessor codes (the 2025 mergers);
- ``periods``: which tiers exist in which assessment years, and per tier the procedure — who
  self-assesses, where the dossier goes, who appraises and decides, and the deadlines
  (dossier, decision, the report to the tier above: "báo cáo trước 15/5");
- ``readings`` of the Circular's open wording:
  ``truoc_ngay`` — "trước ngày X": ``before`` (default, literal: X itself is late) or
  ``on_or_before``; ``validity`` — "Kết quả công nhận được bảo lưu trong thời hạn 3 năm (36 tháng)
  tiếp theo năm được công nhận" (khoản 4 Điều 5, 10, 15): ``assessment_years`` (default: a
  recognition of assessment year N is in force for assessment years N..N+3) or
  ``decision_months`` (decision date + 36 months, civil-code arithmetic, cdht.dates);
- an optional Ed25519 ``public_key`` (``cdht profile keygen``) to verify what the Sở signs.

Every problem is a coded finding (CDHT-P0xx) naming the file and the line.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from cdht.dates import BEFORE, ON_OR_BEFORE, month_day, on_time
from cdht.messages import Finding, finding, has_errors, nfc, os_reason
from cdht.plain import Record

if TYPE_CHECKING:  # pydantic and YAML (cdht.profile_schema) are imported only to read a profile file
    from pydantic import ValidationError

    from cdht.profile_schema import Period, ProfileSpec, Readings, TierProcedure, UnitEntry

PROFILES_DIR = Path(__file__).parent / "catalogue" / "profiles"
SAMPLE_THREE_TIER = PROFILES_DIR / "kien-giang-2024-mau.yaml"
SAMPLE_TWO_TIER = PROFILES_DIR / "tinh-hai-cap-2026-mau.yaml"

TIER_CODES = ("xa", "huyen", "tinh")
TIER_NAMES = {"xa": "cấp xã", "huyen": "cấp huyện", "tinh": "cấp tỉnh"}
VALIDITY_YEARS = "assessment_years"
VALIDITY_MONTHS = "decision_months"
READINGS = {"truoc_ngay": (BEFORE, ON_OR_BEFORE), "validity": (VALIDITY_YEARS, VALIDITY_MONTHS)}


_SCHEMA_NAMES = ("Readings", "TierProcedure", "Period", "UnitEntry", "ProfileSpec")


def __getattr__(name: str):
    """The schema's models by their old names here (``from cdht.profile import ProfileSpec``):
    they live in :mod:`cdht.profile_schema` (pydantic), imported only to validate a profile."""
    if name in _SCHEMA_NAMES:
        from cdht import profile_schema
        return getattr(profile_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def exists_in(unit, year: int) -> bool:
    """A registry unit (``UnitEntry``) exists in assessment year ``year``."""
    return (unit.first_year is None or unit.first_year <= year) and (unit.last_year is None or year <= unit.last_year)


def covers(period, year: int) -> bool:
    """A ``Period`` of the profile covers assessment year ``year``."""
    return period.first_year <= year and (period.last_year is None or year <= period.last_year)


@dataclass
class Profile:
    """A checked profile. ``periods`` empty = a registry-only profile (from a ``--units`` CSV):
    tiers and procedure then come from the catalogue (the Circular as issued)."""

    spec: ProfileSpec
    path: Path | None = None
    lines: dict[str, int] = field(default_factory=dict)  # unit code → line in the file
    edition_path: Path | None = None  # registry-only: the catalogue giving tiers and procedure

    @property
    def name(self) -> str:
        return self.spec.profile

    @property
    def readings(self) -> Readings:
        return self.spec.readings

    @property
    def units(self) -> list[UnitEntry]:
        return self.spec.units

    # --- the registry --------------------------------------------------------------------------
    def unit(self, code: str, year: int | None = None) -> UnitEntry | None:
        for u in self.spec.units:
            if u.code == code and (year is None or exists_in(u, year)):
                return u
        return None

    def units_in(self, year: int, tier: str | None = None) -> list[UnitEntry]:
        return [u for u in self.spec.units if exists_in(u, year) and (tier is None or u.tier == tier)]

    def children(self, code: str, year: int) -> list[UnitEntry]:
        """The registry's lower units of ``code`` in ``year`` (the 90 % rule's denominator)."""
        return [u for u in self.units_in(year) if u.parent == code]

    # --- tiers and procedure -------------------------------------------------------------------
    def period(self, year: int) -> Period | None:
        return next((p for p in self.spec.periods if covers(p, year)), None)

    def tiers_in(self, year: int) -> dict[str, str | None]:
        """tier → its parent tier, for the tiers that exist in ``year``."""
        p = self.period(year)
        if p is not None:
            return {t: tp.parent for t, tp in p.tiers.items()}
        if self.spec.periods:
            return {}
        from cdht.edition import load_edition
        return dict(load_edition(self.edition_path).spec.hierarchy.parent)

    def procedure(self, tier: str, year: int) -> TierProcedure | None:
        p = self.period(year)
        if p is not None:
            return p.tiers.get(tier)
        if self.spec.periods:
            return None
        from cdht.edition import load_edition
        e = load_edition(self.edition_path)
        if tier not in e.tiers:
            return None
        return _catalogue_procedure(e.spec.hierarchy.parent.get(tier), e.tiers[tier].procedure)

    def _deadline(self, tier: str, year: int, key: str) -> dt.date | None:
        """Deadline ``key`` of ``tier`` for assessment year ``year`` (a day in year + 1)."""
        proc = self.procedure(tier, year)
        mmdd = getattr(proc, key, None) if proc else None
        return month_day(mmdd, year + 1) if mmdd else None

    def dossier_deadline(self, tier: str, year: int) -> dt.date | None:
        return self._deadline(tier, year, "submit_by")

    def decision_deadline(self, tier: str, year: int) -> dt.date | None:
        return self._deadline(tier, year, "decide_by")

    def report_deadline(self, tier: str, year: int) -> dt.date | None:
        return self._deadline(tier, year, "report_to_parent_by")

    def in_time(self, received: dt.date | dt.datetime, deadline: dt.date | None) -> bool:
        """Received in time for "trước ngày ``deadline``" under this profile's reading (no
        deadline: always in time)."""
        return deadline is None or on_time(received, deadline, self.readings.truoc_ngay)


# -------------------------------------------------------------------------------------------------
# Loading with line numbers
# -------------------------------------------------------------------------------------------------

_EXPECTED = {
    "string_type": "chữ", "int_type": "số nguyên", "int_parsing": "số nguyên", "int_from_float": "số nguyên",
    "bool_type": "có/không (true/false)", "bool_parsing": "có/không (true/false)", "list_type": "danh sách",
    "dict_type": "bảng 'khóa: giá trị'", "model_type": "bảng 'khóa: giá trị'",
    "greater_than_equal": "số không nhỏ hơn {ge}", "less_than_equal": "số không lớn hơn {le}",
}


def _line_at(raw: Any, loc: tuple) -> int | None:
    line, cur = getattr(raw, "line", None), raw
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(cur, "line", line)
    return line


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def _pydantic_findings(err: ValidationError, raw: Any, file: str) -> list[Finding]:  # noqa: F821 (TYPE_CHECKING)
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        line = _line_at(raw, loc)
        if e["type"] == "extra_forbidden":
            out.append(finding("CDHT-P002", file=file, line=line, key=_key(loc)))
        elif e["type"] == "missing":
            out.append(finding("CDHT-P021", file=file, line=line, key=_key(loc)))
        else:
            expected = _EXPECTED.get(e["type"], "giá trị đúng kiểu").format(**(e.get("ctx") or {}))
            out.append(finding("CDHT-P022", file=file, line=line, key=_key(loc), expected=expected,
                               value=e.get("input")))
    return out


def load_profile(path: str | Path) -> tuple[Profile | None, list[Finding]]:
    """Read and check a profile. Returns (profile, findings); the profile is None when any
    finding is an error. Never raises on bad input."""
    import yaml
    from pydantic import ValidationError

    from cdht.profile_schema import ProfileSpec, _Loader

    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        reason = os_reason(e) if isinstance(e, OSError) else "không phải văn bản UTF-8"
        return None, [finding("CDHT-P001", path=file, reason=reason)]
    try:
        raw = yaml.load(nfc(text), Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        return None, [finding("CDHT-P020", file=file, line=mark.line + 1 if mark else None, problem=problem)]
    if not isinstance(raw, dict):
        return None, [finding("CDHT-P022", file=file, line=1, key="(toàn tệp)",
                              expected="bảng 'khóa: giá trị'", value=type(raw).__name__ if raw is not None else "")]
    try:
        spec = ProfileSpec.model_validate(raw)
    except ValidationError as e:
        return None, _pydantic_findings(e, raw, file)
    lines = {"units": [getattr(u, "line", None) for u in raw.get("units") or []],
             "periods": [getattr(p, "line", None) for p in raw.get("periods") or []],
             "readings": getattr(raw.get("readings"), "line", None), "public_key": _key_line(text, "public_key"),
             "signing_key": _key_line(text, "signing_key")}
    findings = check_profile(spec, file=file, lines=lines)
    if has_errors(findings):
        return None, findings
    return Profile(spec, path, {u.code: ln for u, ln in zip(spec.units, lines["units"])}), findings


def _key_line(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith(key + ":"):
            return n
    return None


def check_profile(spec: ProfileSpec, *, file: str | None = None, lines: dict | None = None) -> list[Finding]:
    """The checks a schema cannot make: readings, deadlines, periods, the registry (duplicates,
    tiers, parents per year, cycles, predecessors) and the public key."""
    lines = lines or {}
    out: list[Finding] = []
    if spec.sample:
        out.append(finding("CDHT-P013", file=file, line=1, profile=spec.profile))
    out += _check_readings(spec, file, lines)
    out += _check_periods(spec, file, lines.get("periods") or [])
    out += _check_registry(spec, file, lines.get("units") or [])
    return out


def _check_readings(spec: ProfileSpec, file, lines: dict) -> list[Finding]:
    out = []
    for key, allowed in READINGS.items():
        value = getattr(spec.readings, key)
        if value not in allowed:
            out.append(finding("CDHT-P012", file=file, line=lines.get("readings"), key=f"readings.{key}",
                               value=value, allowed=", ".join(allowed)))
    if spec.signing_key and ("PRIVATE KEY" in spec.signing_key or "\n" in spec.signing_key.strip()):
        out.append(finding("CDHT-P033", file=file, line=lines.get("signing_key")))
    if spec.public_key:
        from cdht.signing import load_public_key
        try:
            load_public_key(spec.public_key)
        except ValueError:
            out.append(finding("CDHT-P011", file=file, line=lines.get("public_key"), value=spec.public_key[:24]))
    return out


def _nth(seq: list, k: int):
    return seq[k] if k < len(seq) else None


def _check_periods(spec: ProfileSpec, file, plines: list) -> list[Finding]:
    """Years in order, no year in two periods, one top tier, parents inside the period, real deadlines."""
    out: list[Finding] = []
    seen_years: set[int] = set()
    for k, p in enumerate(spec.periods):
        ln = _nth(plines, k)
        if p.last_year is not None and p.last_year < p.first_year:
            out.append(finding("CDHT-P023", file=file, line=ln, what=f"periods[{k}]",
                               first_year=p.first_year, last_year=p.last_year))
            continue
        later = [q.first_year for q in spec.periods if q.first_year > p.first_year]
        end = p.last_year if p.last_year is not None else max(later, default=p.first_year)
        clash = next((y for y in range(p.first_year, end + 1) if y in seen_years), None)
        if clash is not None:
            out.append(finding("CDHT-P009", file=file, line=ln, year=clash))
        seen_years.update(range(p.first_year, end + 1))
        out += _check_period_tiers(p, k, file, ln)
    return out


def _check_period_tiers(p: Period, k: int, file, ln) -> list[Finding]:
    out = []
    tops = [t for t, tp in p.tiers.items() if tp.parent is None]
    if len(tops) != 1:
        out.append(finding("CDHT-P024", file=file, line=ln, first_year=p.first_year, count=len(tops),
                           tiers=", ".join(tops) or "không có"))
    for t, tp in p.tiers.items():
        if t not in TIER_CODES:
            out.append(finding("CDHT-P004", file=file, line=ln, tier=t, what=f"periods[{k}]",
                               when="trong Thông tư 25/2023", tiers=", ".join(TIER_CODES)))
        if tp.parent is not None and (tp.parent not in p.tiers or tp.parent == t):
            out.append(finding("CDHT-P010", file=file, line=ln, first_year=p.first_year, tier=t,
                               parent=tp.parent))
        for key in ("submit_by", "decide_by", "report_to_parent_by"):
            v = getattr(tp, key)
            if v is not None and not _mmdd_ok(v):
                out.append(finding("CDHT-P007", file=file, line=ln, key=f"periods[{k}].tiers.{t}.{key}", value=v))
    return out


def _check_registry(spec: ProfileSpec, file, ulines: list) -> list[Finding]:
    out: list[Finding] = []
    first_line: dict[str, int | None] = {}
    by_code: dict[str, UnitEntry] = {}
    for k, u in enumerate(spec.units):
        ln = _nth(ulines, k)
        if u.code in first_line:
            out.append(finding("CDHT-P003", file=file, line=ln, unit=u.code, other_line=first_line[u.code]))
            continue
        first_line[u.code] = ln
        by_code[u.code] = u
        if u.first_year is not None and u.last_year is not None and u.last_year < u.first_year:
            out.append(finding("CDHT-P023", file=file, line=ln, what=u.code,
                               first_year=u.first_year, last_year=u.last_year))
    for k, u in enumerate(spec.units):
        if by_code.get(u.code) is u:
            out += _check_unit(spec, u, by_code, file, _nth(ulines, k))
    out += _cycles(spec.units, by_code, first_line, file)
    return out


def _check_unit(spec: ProfileSpec, u: UnitEntry, by_code: dict[str, UnitEntry], file, ln) -> list[Finding]:
    """Predecessors known; tier and parent right in every year the unit exists (first problem only)."""
    out = [finding("CDHT-P008", file=file, line=ln, unit=u.code, predecessor=code)
           for code in u.predecessors if code not in by_code]
    if not spec.periods:  # registry only: no years; any tier above in the Circular's hierarchy
        return out + _check_registry_parent(u, by_code, file, ln)
    for y in _years(spec):
        period = spec_period(spec, y)
        if period is None or not exists_in(u, y):
            continue
        problems = _check_parent(u, y, {t: tp.parent for t, tp in period.tiers.items()}, by_code, file, ln)
        if problems:
            return out + problems
    return out


def spec_period(spec: ProfileSpec, year: int) -> Period | None:
    return next((p for p in spec.periods if covers(p, year)), None)


def _mmdd_ok(v: str) -> bool:
    try:
        month_day(v, 2024)  # a leap year: "02-29" is a day
        return len(v) == 5 and v[2] == "-"
    except (ValueError, TypeError):
        return False


def _years(spec: ProfileSpec) -> list[int]:
    """The assessment years a profile speaks about (finite: open ends stop at the last year named)."""
    named = [p.first_year for p in spec.periods] + [p.last_year for p in spec.periods if p.last_year]
    named += [y for u in spec.units for y in (u.first_year, u.last_year) if y]
    if not spec.periods:
        return []
    return list(range(min(p.first_year for p in spec.periods), max(named) + 1))


_ABOVE = {"xa": ("huyen", "tinh"), "huyen": ("tinh",), "tinh": ()}


def _check_registry_parent(u: UnitEntry, by_code: dict[str, UnitEntry], file, ln) -> list[Finding]:
    """A registry without periods (a ``--units`` CSV): the parent is any unit of a tier above, so
    a two-tier list (communes directly under the province) and a three-tier one both pass."""
    if u.tier not in _ABOVE:
        return [finding("CDHT-P004", file=file, line=ln, tier=u.tier, what=f"đơn vị '{u.code}'",
                        when="trong Thông tư 25/2023", tiers=", ".join(TIER_CODES))]
    above = _ABOVE[u.tier]
    if not above:
        return [finding("CDHT-P025", file=file, line=ln, unit=u.code, when="trong danh sách",
                        parent=u.parent)] if u.parent else []
    parent = by_code.get(u.parent) if u.parent else None
    if parent is None or parent.tier not in above:
        return [finding("CDHT-P005", file=file, line=ln, unit=u.code, parent=u.parent or "(trống)",
                        expected=" hoặc ".join(TIER_NAMES[t] for t in above), when="trong danh sách")]
    return []


def _check_parent(u: UnitEntry, year: int, tiers: dict[str, str | None],
                  by_code: dict[str, UnitEntry], file, ln) -> list[Finding]:
    when = f"năm {year}"
    if u.tier not in tiers:
        return [finding("CDHT-P004", file=file, line=ln, tier=u.tier, what=f"đơn vị '{u.code}'", when=when,
                        tiers=", ".join(tiers))]
    expected = tiers[u.tier]
    if expected is None:
        if u.parent:
            return [finding("CDHT-P025", file=file, line=ln, unit=u.code, when=f"năm {year}", parent=u.parent)]
        return []
    parent = by_code.get(u.parent) if u.parent else None
    if parent is None or parent.tier != expected or (year is not None and not exists_in(parent, year)):
        return [finding("CDHT-P005", file=file, line=ln, unit=u.code, parent=u.parent or "(trống)",
                        expected=TIER_NAMES.get(expected, expected), when=f"năm {year}")]
    return []


def _cycles(units: list[UnitEntry], by_code: dict[str, UnitEntry], first_line, file) -> list[Finding]:
    out, reported = [], set()
    for u in units:
        chain, cur = [u.code], u.parent
        while cur and cur in by_code and cur not in chain:
            chain.append(cur)
            cur = by_code[cur].parent
        if cur and cur in chain:
            loop = chain[chain.index(cur):]
            key = frozenset(loop)
            if key not in reported:
                reported.add(key)
                out.append(finding("CDHT-P006", file=file, line=first_line.get(loop[0]),
                                   chain=" → ".join(loop + [cur])))
    return out


def signing_key_path(profile: Profile) -> Path | None:
    """The private key file a profile points at (``signing_key``, relative to the profile's own
    folder), or None. Only a path: the key never goes into a profile."""
    value = profile.spec.signing_key
    if not value:
        return None
    p = Path(value).expanduser()
    return p if p.is_absolute() or profile.path is None else Path(profile.path).parent / p


def profile_from_units(unit_list, *, name: str | None = None, edition: str | Path | None = None) -> Profile:
    """A registry-only profile from the existing ``--units`` CSV (cdht.units.UnitList): default
    readings, tiers and procedure from the catalogue (``edition``, default the Circular as
    issued), no key. Plain records, as :func:`default_profile` (the list was checked by
    :mod:`cdht.units`): what ``ProfileSpec(…, units=[UnitEntry(…)…])`` validates to."""
    units = [Record("UnitEntry", {"code": _strip(u.code), "name": _strip(u.name), "tier": _strip(u.tier),
                                  "parent": _strip(u.parent), "disadvantaged": bool(u.hardship),
                                  "first_year": None, "last_year": None, "predecessors": []})
             for u in unit_list.units]
    path = getattr(unit_list, "path", None)
    spec = _default_spec(profile=name or (Path(path).stem if path else "danh-sach-don-vi"),
                         province=next((u.name for u in unit_list.units if u.tier == "tinh"), ""), units=units)
    return Profile(spec, Path(path) if path else None, edition_path=Path(edition) if edition else None)


def _strip(v):
    """Text as the profile's schema takes it (``str_strip_whitespace``)."""
    return v.strip() if isinstance(v, str) else v


def _default_spec(profile: str, province: str, units: list) -> Record:
    """``ProfileSpec(profile=…, province=…, units=…)`` with every other field at its default."""
    readings = Record("Readings", {"truoc_ngay": BEFORE, "validity": VALIDITY_YEARS, "valid_years": 3,
                                   "valid_months": 36})
    return Record("ProfileSpec", {
        "profile": _strip(profile), "province": _strip(province), "sample": False, "note": None,
        "readings": readings, "public_key": None, "signing_key": None, "periods": [], "units": units})


def default_profile() -> Profile:
    """No profile given: no registry, the catalogue's procedure, the default readings.

    Plain records, what ``ProfileSpec(profile="mac-dinh", province="")`` validates to (the test
    of this module compares them): a merge or a check without a profile imports no pydantic."""
    return Profile(_default_spec("mac-dinh", "", []))


_PROCEDURE_FIELDS = ("self_assessed_by", "dossier_to", "appraised_by", "decided_by", "submit_by", "decide_by",
                     "decide_note", "report_to_parent_by", "report_note")


def _catalogue_procedure(parent: str | None, cp) -> Record:
    """A tier's procedure as the catalogue states it, in the shape of a profile's
    ``TierProcedure`` (its fields in order, text stripped as the profile's schema strips it)."""
    return Record("TierProcedure", {"parent": _strip(parent),
                                    **{k: _strip(getattr(cp, k, None)) for k in _PROCEDURE_FIELDS}})


#: The 2025 reform: from 01/07/2025 there is no district tier (Vietnam's two-tier local government).
DISTRICTS_ABOLISHED = dt.date(2025, 7, 1)


def reform_warning(edition, year: int, profile=None):
    """CDHT-T012 when templates of assessment year ``year`` would be issued from an edition that
    has a district tier, with no profile to name the bodies: that year's dossiers are filed in
    year+1, after the district tier was abolished. None otherwise (a profile decides the bodies)."""
    from cdht.messages import finding

    filed = year + 1
    if profile is not None or dt.date(filed, 1, 1) < DISTRICTS_ABOLISHED:
        return None
    if "huyen" not in edition.spec.hierarchy.tiers:
        return None
    return finding("CDHT-T012", edition=edition.id, year=year, filed=filed)
