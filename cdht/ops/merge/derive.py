"""Steps 5–6, register and derive: the recognition decisions in force, and the parent's
indicator 4.1 figures (how many child units, how many recognised at level 1 / 2)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from cdht.messages import Finding
from cdht.xlsx.fastread import read_raw

from cdht.ops.merge.model import MergeResult
from cdht.ops.register import Decision, read_register, standing


def register(parent_raw, parent_name: str, register_from: str | Path | None, year: int,
             settings) -> tuple[list[Decision], list[Finding]]:
    """The parent's register, plus the decisions of last year's book ``register_from`` that it
    lacks, each evaluated (in force, upgrade date) at 31/12 of ``year``."""
    decisions, findings = read_register(parent_raw, parent_name, settings)
    if register_from:
        prev, prev_findings = read_register(read_raw(Path(register_from)), Path(register_from).name, settings)
        keys = {(d.unit, d.level, d.number) for d in decisions}
        decisions += [d for d in prev if (d.unit, d.level, d.number) not in keys]
        findings += prev_findings
    ref_date = dt.date(year, 12, 31)
    for d in decisions:
        d.evaluate(ref_date, settings)
    return decisions, findings


def standings(result: MergeResult, existing: dict[str, dict]) -> dict[str, int]:
    """Each expected unit's recognised level: its best decision in force, or the appraisal merged
    now or earlier (and not replaced now)."""
    appraised = {r.unit_code: r.appraised_level for r in result.merged if r.appraised_level}
    merged_now = {r.unit_code for r in result.merged}
    for unit, row in existing.items():
        if unit not in merged_now and row.get("appraised") in (1, 2):
            appraised[unit] = row["appraised"]
    return {u: standing(u, result.register, appraised.get(u)) for u in result.expected}


def derived_figures(parent_tier, child_tier, levels: dict[str, int], settings) -> dict[str, int]:
    """The parent's indicators computed from its children (``from_children`` in the catalogue):
    total units, units at level 1 (counting level 2 when ``level2_counts_toward_level1``), level 2."""
    counts_l2_as_l1 = settings.level2_counts_toward_level1
    n1 = sum(1 for lv in levels.values() if (lv >= 1 if counts_l2_as_l1 else lv == 1))
    n2 = sum(1 for lv in levels.values() if lv >= 2)
    derived: dict[str, int] = {}
    for ind in parent_tier.indicators:
        fc = ind.from_children
        if fc is not None and fc.tier == child_tier.code:
            derived = {fc.total: len(levels), fc.level1: n1, fc.level2: n2}
    return derived
