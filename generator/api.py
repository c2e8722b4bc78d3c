"""Issue templates: the library call behind ``cdht generate`` (never prints; reports progress via a callback)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from cdht.edition import Edition
from cdht.messages import ERROR, Finding, finding, has_errors
from cdht.paths import display_name, outside, safe_name
from cdht.units import Unit, UnitList
from cdht.xlsx.save import save_atomic  # the one atomic save (a shared, issued file)
from cdht_generator.lint import lint
from cdht_generator.workbook import build_workbook, file_name


Prefill = Callable[[object, "Unit | None"], None]


class GenerateError(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.text() for f in findings))


LEGACY_PASSWORD_MAX = 15  # Excel's sheet / workbook protection (the legacy 16-bit hash) uses 15 characters


def password_warning(password: str | None) -> Finding | None:
    """T020 when a protection password is longer than Excel's legacy hash takes (15 characters):
    the hash written is then not the one Excel computes for what a person types."""
    if password is not None and len(password) > LEGACY_PASSWORD_MAX:
        return finding("CDHT-T020", length=len(password))
    return None


def refuse_lint_problems(problems: list[str]) -> None:
    """Raise :class:`GenerateError` (CDHT-T003, the first 10 problems) when the lint found any."""
    if problems:
        raise GenerateError([finding("CDHT-T003", count=len(problems), problems="; ".join(problems[:10]))])


def generate_one(edition: Edition, tier: str, year: int, out_dir: Path, unit: Unit | None = None,
                 units: UnitList | None = None, password: str | None = None, profile=None,
                 signing_key=None, prefill: Prefill | None = None) -> Path:
    """Build, lint and save one template into ``out_dir``; raises GenerateError. ``prefill(wb,
    unit)``: types values into the built workbook's inputs and tool sheets before it is saved
    (the year rollover, :mod:`cdht.ops.rollover`) — both outside the layout fingerprint."""
    path = Path(out_dir) / file_name(edition, tier, year, unit)
    escape = outside(out_dir, path)  # a link planted under that name, pointing elsewhere
    if escape is not None:
        raise GenerateError([escape])
    wb, _ = build_workbook(edition, tier, year, unit, units, password, profile, signing_key)
    if prefill is not None:
        prefill(wb, unit)
    refuse_lint_problems(lint(wb))
    save_atomic(wb, path)
    return path


def file_name_findings(edition: Edition, tier: str, year: int, units: list[Unit]) -> list[Finding]:
    """T025 (warning) for each unit whose code is not usable as it is in a file name, T026 (error)
    for two units whose codes give the same file name (compared as Windows does, ignoring case),
    T027 (error) for a code, name or parent holding a control character no cell can hold: found
    before anything is written."""
    out, taken = [], {}
    for u in units:
        for column, text in (("code", u.code), ("name", u.name), ("parent", u.parent or "")):
            bad = sorted({f"U+{ord(ch):04X}" for ch in text if ord(ch) < 32 and (column != "name" or ch not in "\t\n\r")})
            if bad:  # a unit of a profile: its code becomes a file name and a cell, its name a cell
                out.append(finding("CDHT-T027", unit=display_name(u.code), column=column, chars=", ".join(bad)))
        name = file_name(edition, tier, year, u)
        other = taken.setdefault(name.casefold(), u)
        if other is not u:
            out.append(finding("CDHT-T026", unit=u.code, other=other.code, name=name))
        elif safe_name(u.code) != u.code:
            out.append(finding("CDHT-T025", unit=u.code, name=name))
    return out


def registry_units(profile, year: int) -> UnitList:
    """The profile's registry of assessment year ``year`` as the generator's unit list."""
    return UnitList([Unit(u.code, u.name, u.tier, u.parent, u.disadvantaged) for u in profile.units_in(year)],
                    profile.path)


def profile_problems(edition: Edition, tier: str, year: int, profile) -> list[Finding]:
    """A profile with periods must have ``tier`` in ``year``, under the same parent tier as the
    edition's hierarchy (a two-tier year on a three-tier edition would send communes to an
    abolished district body)."""
    if profile is None or not profile.spec.periods or tier not in edition.tiers:
        return []
    tiers = profile.tiers_in(year)
    where = str(profile.path) if profile.path else profile.name
    if tier not in tiers:
        return [finding("CDHT-P026", file=where, profile=profile.name, tier=tier, year=year,
                        tiers=", ".join(tiers) or "không có")]
    ours = edition.spec.hierarchy.parent.get(tier)
    if tiers[tier] != ours:
        return [finding("CDHT-P027", file=where, profile=profile.name, tier=tier, year=year,
                        profile_parent=tiers[tier] or "không có", edition=edition.id,
                        edition_parent=ours or "không có")]
    return []


def signing_key_of(path, profile) -> object:
    """The Sở's private key at ``path``, loaded once; raises GenerateError (CDHT-P018 unreadable,
    CDHT-P028 not the pair of the profile's public key). The key is never written anywhere."""
    from cdht.signing import load_private_key, matches, private_key_finding
    problem = private_key_finding(path)
    if problem is not None:
        raise GenerateError([problem])
    key = load_private_key(path)
    if profile is not None and profile.spec.public_key and not matches(key, profile.spec.public_key):
        raise GenerateError([finding("CDHT-P028", path=str(path), profile=profile.name)])
    return key


def generate(edition: Edition, tier: str, year: int, out_dir: str | Path, units: UnitList | None = None,
             unit_code: str | None = None, password: str | None = None,
             progress: Callable[[int, int], None] | None = None, profile=None,
             signing_key: str | Path | None = None, prefill: Prefill | None = None,
             notes: list[Finding] | None = None) -> list[Path]:
    """A blank template, or one pre-filled workbook per unit of ``tier`` (or just ``unit_code``).

    ``profile`` (cdht.profile.Profile): the registry of ``year`` gives the units (unless ``units``
    is given) and the procedure gives the bodies and deadlines the texts name. ``signing_key``:
    the path of the Sở's Ed25519 private key; every workbook is then signed. ``prefill``: see
    :func:`generate_one`. ``notes``: receives the warnings (T025, a unit code changed to make its
    file name). Every problem is found before anything is written."""
    problems = []
    if tier not in edition.tiers:
        problems.append(finding("CDHT-T005", edition=edition.id, tier=tier, tiers=", ".join(edition.tiers)))
    if not edition.applies_to(year):
        y = edition.spec.years
        problems.append(finding("CDHT-T004", year=year, edition=edition.id,
                                years=f"{y.first}–{y.last or 'nay'}"))
    problems += profile_problems(edition, tier, year, profile)
    if problems:
        raise GenerateError(problems)
    key = signing_key_of(signing_key, profile) if signing_key is not None else None
    out_dir = Path(out_dir)
    if units is None and profile is not None and profile.units:
        units = registry_units(profile, year)
    if units is None:
        return [generate_one(edition, tier, year, out_dir, password=password, profile=profile, signing_key=key,
                             prefill=prefill)]
    chosen = units.of_tier(tier)
    if unit_code:
        u = units.get(unit_code, tier)
        if u is None:
            raise GenerateError([finding("CDHT-T002", unit=unit_code, tier=tier)])
        chosen = [u]
    named = file_name_findings(edition, tier, year, chosen)
    if has_errors(named):
        raise GenerateError([f for f in named if f.severity == ERROR])
    if notes is not None:
        notes += named
    paths = []
    for k, u in enumerate(chosen, start=1):
        paths.append(generate_one(edition, tier, year, out_dir, u, units, password, profile, key, prefill))
        if progress:
            progress(k, len(chosen))
    return paths
