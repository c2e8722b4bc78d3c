"""Steps 5–6, register and derive: the recognition decisions in force, and the parent's
indicator 4.1 figures (how many child units, how many recognised at level 1 / 2).

The 90 % rule's denominator is the official registry (issue 12, case 1): the province profile's
lower units of the parent in that year or, without a profile, the expected lower units locked in
the parent's metadata when the Sở issued it. Never the files received, never a typed number,
never the editable "Đơn vị cấp dưới" list: a parent with no registry list does not derive 4.1
(CDHT-M019), and a typed total that differs from the registry is a finding (CDHT-M020).
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cdht import contract as L
from cdht.messages import UNREADABLE_CONTENT, Finding, finding
from cdht.xlsx.fastread import read_raw

from cdht.ops.merge.model import MergeResult
from cdht.ops.register import (Decision, read_register, read_register_rows, register_findings, standing,
                               unit_standing)

SOURCE_PROFILE = "profile"  # the province profile's registry (--profile / --units)
SOURCE_ISSUED = "issued"    # the expected lower units locked in the parent's metadata at issue


@dataclass
class Registry:
    """The official list of the parent's lower units for one year, and where it comes from."""

    units: list[str] | None = None  # None: no registry list (4.1 is not derived)
    source: str | None = None
    profile: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    problem: Finding | None = None  # the issued list was unreadable (CDHT-M045): no list

    @property
    def label(self) -> str:
        """The source in words, for messages."""
        if self.source == SOURCE_PROFILE:
            return f"hồ sơ cấu hình '{self.profile}'"
        return "danh sách khóa trong sổ do Sở phát hành"


def registry_units(profile, parent_code: str | None, child_tier: str, year: int, meta: dict,
                   file: str | None = None) -> Registry:
    """The registry's lower units of ``parent_code`` in ``year`` (``child_tier`` only): from the
    profile when it has a registry, else from the parent's issued metadata, else none. An issued
    list that is not a list of codes (a hand-edited ``_meta``: ``{"a": 1}``, ``[1, [2]]``) is no
    list, with its finding (CDHT-M045, ``file``: the parent's name) in ``Registry.problem``."""
    if profile is not None and profile.units:
        if not parent_code or profile.unit(parent_code, year) is None:
            return Registry(profile=profile.name)  # the parent is not in the profile that year: no list
        units = [u for u in profile.children(parent_code, year) if u.tier == child_tier]
        return Registry([u.code for u in units], SOURCE_PROFILE, profile.name, {u.code: u.name for u in units})
    text = meta.get("children")
    if text in (None, ""):
        return Registry()
    codes = _issued_codes(text)
    if codes is None:
        from cdht.paths import display_name

        return Registry(problem=finding("CDHT-M045", file=file, sheet=L.SHEET_META,
                                        value=display_name(str(text), 80)))
    return Registry(codes, SOURCE_ISSUED) if codes else Registry()


def _issued_codes(text) -> list[str] | None:
    """The unit codes of ``_meta`` "children" (a JSON list of texts), or None when it is not one."""
    try:
        issued = json.loads(text)
    except (json.JSONDecodeError, TypeError, ValueError, RecursionError):
        return None
    if not isinstance(issued, list) or not all(isinstance(c, str) and c.strip() for c in issued):
        return None
    return [c.strip() for c in issued]


PREVIOUS_MAX_MB = 200  # last year's book: the same bound as any workbook read


def previous_book(path: str | Path):
    """Last year's parent book (``--register-from``) read, or the refusal that stops the merge
    before anything is read or written: M023 when it cannot be opened (missing, a folder, a FIFO),
    M024 followed by the reason's own finding when it is not a readable .xlsx (a text file, an
    .xls, encrypted, damaged). Never raises."""
    from cdht.read.submission import open_regular, preflight, read_bounded
    path = Path(path)
    fh, refusal = open_regular(path)
    if refusal is not None:
        reason = refusal.facts.get("reason") or refusal.facts.get("kind")
        return None, [finding("CDHT-M023", file=path.name, reason=reason)]
    with fh:
        size = os.fstat(fh.fileno()).st_size
        data = read_bounded(fh, PREVIOUS_MAX_MB * 1024 * 1024)
    cause = (finding("CDHT-W024", file=path.name, size=size // (1024 * 1024), limit=PREVIOUS_MAX_MB)
             if data is None else preflight(path, PREVIOUS_MAX_MB, data=data))
    if cause is None:
        try:
            return read_raw(data), []
        except Exception:  # a damaged package: refused like any unreadable workbook
            cause = finding("CDHT-W002", file=path.name, reason=UNREADABLE_CONTENT)
    return None, [finding("CDHT-M024", file=path.name, cause=cause.code), cause]


def register(parent_raw, parent_name: str, register_from: str | Path | None, year: int,
             settings, profile=None, tier: str | None = None,
             previous=None) -> tuple[list[Decision], list[list], list[Finding]]:
    """The parent's register, plus the decisions of last year's book ``register_from`` that it
    lacks, each evaluated (in force, upgrade date) for assessment year ``year`` under the
    profile's decision deadline and validity reading (``tier``: the child tier, when the profile
    has no registry to say). ``previous``: that book already read (:func:`previous_book`).

    Also the parent's rows that are not decisions, as typed (a bad code, level or date, reported;
    :func:`cdht.ops.register.read_register_rows`): the merge writes them back after the decisions,
    so rewriting the register loses nothing. Last year's book's bad rows are reported with its
    name and not carried (that book is only read: they stay in it)."""
    decisions, kept, findings = read_register_rows(parent_raw, parent_name, settings)
    if register_from:
        if previous is None:
            previous, problems = previous_book(register_from)
            if previous is None:
                return decisions, kept, findings + problems
        prev, prev_findings = read_register(previous, Path(register_from).name, settings)
        keys = {(d.unit, d.level, d.number) for d in decisions}
        decisions += [d for d in prev if (d.unit, d.level, d.number) not in keys]
        findings += prev_findings
    ref_date = dt.date(year, 12, 31)
    for d in decisions:
        d.evaluate(ref_date, settings, profile, tier)
    findings += register_findings(decisions, year, profile, tier, parent_name)
    return decisions, kept, findings


def standings(result: MergeResult, existing: dict[str, dict]) -> dict[str, int]:
    """Each expected unit's recognised level: its best decision in force. An appraisal, merged now
    or earlier, is never a recognition (issue 12, case 3)."""
    return {u: standing(u, result.register) for u in result.expected}


def unit_standings(result: MergeResult, existing: dict[str, dict]) -> list:
    """One :class:`cdht.ops.register.Standing` per expected unit: the register first, then this
    round's appraisal ("Chờ quyết định"), then the receipt status."""
    S = L.Status
    merged = {r.unit_code: r for r in result.merged}
    refused = {r.unit_code for r in result.refused if r.unit_code}
    out = []
    for u in result.expected:
        r, row = merged.get(u), existing.get(u) or {}
        if r is not None:
            receipt, appraised = S(r.status), r.appraised_level
        elif u in result.carried:
            receipt = _carried_receipt(row)
            appraised = row.get("appraised") if row.get("appraised") in (1, 2) else None
        else:
            receipt, appraised = (S.RETURNED if u in refused else S.NOT_SUBMITTED), None
        out.append(unit_standing(u, result.register, appraised=appraised, receipt=receipt))
    return out


_LEGACY_RECEIVED = "Đã nộp"  # the receipt word of books merged before issue 12


def _carried_receipt(row: dict):
    S = L.Status
    status = (row.get("row") or [None] * 3)[2]
    if status == _LEGACY_RECEIVED:
        return S.LATE if row.get("on_time") == "Không" else S.RECEIVED
    try:
        return S(status)
    except ValueError:
        return S.RECEIVED if row.get("sha") else S.NOT_SUBMITTED


def derived_figures(parent_tier, child_tier, levels: dict[str, int], settings) -> dict[str, int]:
    """The parent's indicators computed from its children (``from_children`` in the catalogue):
    total units, units at level 1 (counting level 2 when ``level2_counts_toward_level1``), level 2.
    ``levels``: the registry's units (every one of them) → recognised level."""
    counts_l2_as_l1 = settings.level2_counts_toward_level1
    n1 = sum(1 for lv in levels.values() if (lv >= 1 if counts_l2_as_l1 else lv == 1))
    n2 = sum(1 for lv in levels.values() if lv >= 2)
    derived: dict[str, int] = {}
    for ind in parent_tier.indicators:
        fc = ind.from_children
        if fc is not None and fc.tier == child_tier.code:
            derived = {fc.total: len(levels), fc.level1: n1, fc.level2: n2}
    return derived


def derived_names(parent_tier, child_tier) -> list[str]:
    """The parent's named cells computed from the children (total, level 1, level 2)."""
    for ind in parent_tier.indicators:
        fc = ind.from_children
        if fc is not None and fc.tier == child_tier.code:
            return [fc.total, fc.level1, fc.level2]
    return []


def derive(result: MergeResult, reg: Registry, parent_tier, child_tier, values: dict, settings,
           unit: str | None, file: str) -> tuple[dict, dict]:
    """The derived figures (empty when there is no registry list) and their provenance (the
    CLI's ``derived_from``); findings go to ``result.findings``. ``values``: the parent's cells."""
    names = derived_names(parent_tier, child_tier)
    source = {"source": reg.source, "profile": reg.profile, "parent": unit, "year": result.year,
              "units": reg.units, "typed_total": values.get(names[0]) if names else None}
    if not names:
        return {}, source
    if reg.units is None:
        result.findings.append(finding("CDHT-M019", file=file, unit=unit or "", year=result.year,
                                       names=", ".join(f"'{parent_tier.fields[n].label}'" for n in names)))
        return {}, source
    typed = values.get(names[0])
    if typed not in (None, "") and typed != len(reg.units):
        result.findings.append(finding("CDHT-M020", file=file, name=parent_tier.fields[names[0]].label,
                                       typed=typed, source=reg.label,
                                       expected=len(reg.units), year=result.year))
    levels = {u: standing(u, result.register) for u in reg.units}
    return derived_figures(parent_tier, child_tier, levels, settings), source
