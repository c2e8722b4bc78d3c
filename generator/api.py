"""Issue templates: the library call behind ``cdht generate`` (never prints; reports progress via a callback)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from cdht.edition import Edition
from cdht.messages import Finding, finding
from cdht.units import Unit, UnitList
from cdht.xlsx.save import save_atomic  # the one atomic save (a shared, issued file)
from cdht_generator.lint import lint
from cdht_generator.workbook import build_workbook, file_name


class GenerateError(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.text() for f in findings))


def refuse_lint_problems(problems: list[str]) -> None:
    """Raise :class:`GenerateError` (CDHT-T003, the first 10 problems) when the lint found any."""
    if problems:
        raise GenerateError([finding("CDHT-T003", count=len(problems), problems="; ".join(problems[:10]))])


def generate_one(edition: Edition, tier: str, year: int, out_dir: Path, unit: Unit | None = None,
                 units: UnitList | None = None, password: str | None = None) -> Path:
    """Build, lint and save one template into ``out_dir``; raises GenerateError."""
    wb, _ = build_workbook(edition, tier, year, unit, units, password)
    refuse_lint_problems(lint(wb))
    path = Path(out_dir) / file_name(edition, tier, year, unit)
    save_atomic(wb, path)
    return path


def generate(edition: Edition, tier: str, year: int, out_dir: str | Path, units: UnitList | None = None,
             unit_code: str | None = None, password: str | None = None,
             progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """A blank template, or one pre-filled workbook per unit of ``tier`` (or just ``unit_code``)."""
    problems = []
    if tier not in edition.tiers:
        problems.append(finding("CDHT-T005", edition=edition.id, tier=tier, tiers=", ".join(edition.tiers)))
    if not edition.applies_to(year):
        y = edition.spec.years
        problems.append(finding("CDHT-T004", year=year, edition=edition.id,
                                years=f"{y.first}–{y.last or 'nay'}"))
    if problems:
        raise GenerateError(problems)
    out_dir = Path(out_dir)
    if units is None:
        return [generate_one(edition, tier, year, out_dir, password=password)]
    chosen = units.of_tier(tier)
    if unit_code:
        u = units.get(unit_code, tier)
        if u is None:
            raise GenerateError([finding("CDHT-T002", unit=unit_code, tier=tier)])
        chosen = [u]
    paths = []
    for k, u in enumerate(chosen, start=1):
        paths.append(generate_one(edition, tier, year, out_dir, u, units, password))
        if progress:
            progress(k, len(chosen))
    return paths
