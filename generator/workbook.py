"""Build one template workbook (openpyxl) for a tier, a year and optionally a unit.

The sheets are written in this order by their modules in :mod:`cdht_generator.sheets` over the
builder core (:mod:`cdht_generator.builder`); the live formulas come from the catalogue's rules
(:mod:`cdht_generator.formulas`), so the workbook shows its level in Excel or LibreOffice with no
add-in. Everything writes by building names first and formulas over those names; readers find
cells through the same names.
"""
from __future__ import annotations

from openpyxl import Workbook

from cdht import contract as L
from cdht.edition import Edition
from cdht.units import Unit, UnitList
from cdht_generator.builder import DEFAULT_PASSWORD, Book, file_name, template_id, writable_cell
from cdht_generator.formulas import criterion_formula, indicator_formula, level_text_formula
from cdht_generator.sheets import (appraisal, children, evidence, guide, lists, log, meta, overview, register,
                                   results, returns, self_assessment, summary, unit as unit_sheet)

__all__ = ["DEFAULT_PASSWORD", "build_workbook", "criterion_formula", "file_name", "indicator_formula",
           "level_text_formula", "template_id", "writable_cell"]


def build_workbook(edition: Edition, tier: str, year: int, unit: Unit | None = None,
                   units: UnitList | None = None, password: str | None = None, profile=None,
                   signing_key=None) -> tuple[Workbook, dict]:
    """The template workbook and its metadata (``template_id``, ``fingerprint``, …).

    ``profile``: the province profile (cdht.profile.Profile) whose bodies and deadlines the texts
    name; ``signing_key``: the Sở's loaded Ed25519 private key, to sign the identity, registry
    facts and layout digest into ``_meta`` (the key itself is written nowhere)."""
    book = Book(edition, edition.tier(tier), year, unit, units, password, profile, signing_key)
    lists_ws = lists.write(book)
    guide_ws = book.wb.create_sheet(L.SHEET_GUIDE, 0)
    unit_sheet.write(book)
    self_refs = self_assessment.write(book)
    evidence.write(book)
    verdicts = appraisal.write(book, self_refs)
    summary.write(book, self_refs, verdicts)
    if book.tier.children:
        overview.write(book)  # the dashboard first among the sheets a merge writes (issue 16)
        children.write(book)
        register.write(book)
        returns.write(book)
        log.write(book)
    results.write(book)
    guide.write(book, guide_ws)
    book.move_to_end(lists_ws)  # the hidden list sheet after every visible one, then the very hidden _meta
    values = meta.write(book)
    return book.lock(), values
