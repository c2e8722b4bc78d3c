"""Has a submitted workbook's layout been changed? One answer for every kind of form we issue.

The generator stores in ``_meta`` the layout fingerprint (:mod:`cdht.fingerprint`), one digest per
sheet, the fingerprint scheme and the sheets it protected. :func:`check_layout` recomputes them
from the submitted file and says what differs — sheets gone, protection removed, sheets or
defined names whose formulas / fixed texts changed — as facts, not messages: the reader of unit
workbooks (:mod:`cdht.read.submission`, codes W018–W021, W026) and the reader of department forms
(``cdht.ops.contributions``, code M008) word them each their own way.

A verdict of "tampered" never rests on the fast byte-pattern read alone: when it suspects
anything, the package is read again by a real XML parse (:func:`cdht.xlsx.fastread.confirm`) and
judged on that read. So a file saved by another program (attributes in another order, ``x:``
prefixes, shared instead of inline strings) passes when its layout is intact, while a changed
formula is still caught.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from cdht.fingerprint import FINGERPRINT_SCHEME, digest, openpyxl_items
from cdht.xlsx.fastread import RawBook, confirm, raw_layout

NAMES_KEY = "#names"  # the layout item group of the workbook's defined names


@dataclass
class LayoutCheck:
    """What :func:`check_layout` found. ``book`` is the read the verdict rests on (a strict
    re-read when the fast one was suspect): read the workbook's values from it."""

    book: RawBook
    unknown_scheme: str | None = None      # the stored scheme, when this version cannot check it
    sheet_problems: list[tuple[str, str]] = field(default_factory=list)  # ("missing" | "unprotected", sheet)
    fingerprint_ok: bool = True
    digests_stored: bool = True            # per-sheet digests present (they name what changed)
    changed: list[str] = field(default_factory=list)  # sheets (or NAMES_KEY) whose layout differs
    items: dict[str, list[str]] = field(default_factory=dict)
    # a name defined twice, or copied into a sheet's scope, pointing elsewhere (RawBook.name_clashes):
    # Excel / LibreOffice may then compute with another range than the one the product reads
    name_clashes: tuple = ()

    @property
    def tampered(self) -> bool:
        return bool(self.unknown_scheme or self.sheet_problems or not self.fingerprint_ok or self.name_clashes)

    @property
    def missing(self) -> list[str]:
        return [s for kind, s in self.sheet_problems if kind == "missing"]

    @property
    def unprotected(self) -> list[str]:
        return [s for kind, s in self.sheet_problems if kind == "unprotected"]


def _json(meta: dict, key: str, empty):
    """A JSON value of ``_meta`` of the shape of ``empty`` (a list or dict of texts); ``empty``
    when it is missing; None when it is not JSON or of another shape — not what the generator
    writes, so ``_meta`` was edited (or broken) by hand."""
    try:
        v = json.loads(meta.get(key) or json.dumps(empty))
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(v, type(empty)):
        return None
    texts = [*v.keys(), *v.values()] if isinstance(v, dict) else v
    return v if all(isinstance(x, str) for x in texts) else None


def fingerprint_tier(meta: dict, tier):
    """The tier (wrapper) a workbook was fingerprinted with: a department's form also has its
    signer cells as inputs."""
    if meta.get("contributor"):
        from cdht_generator.contributor import form_tier
        return form_tier(tier)
    return tier


def _judge(rb: RawBook, meta: dict, tier) -> LayoutCheck:
    out = LayoutCheck(rb, name_clashes=rb.name_clashes)
    scheme = meta.get("fingerprint_scheme") or "1"
    if scheme != FINGERPRINT_SCHEME:
        out.unknown_scheme = scheme
        return out
    protected = _json(meta, "protected_sheets", [])
    if protected is None:  # the list of protected sheets edited into something else: not intact
        out.fingerprint_ok, protected = False, []
    for s in protected:
        if s not in rb.sheets:
            out.sheet_problems.append(("missing", s))
        elif not rb.sheets[s].protected:
            out.sheet_problems.append(("unprotected", s))
    out.items, whole = raw_layout(rb, fingerprint_tier(meta, tier))
    items = out.items
    if whole == meta.get("fingerprint") and out.fingerprint_ok:
        return out
    out.fingerprint_ok = False
    stored = _json(meta, "sheet_digests", {}) or {}
    out.digests_stored = bool(stored)
    out.changed = [k for k in stored if k in items and digest({k: items[k]}) != stored[k]]
    out.changed += [k for k in items if k not in stored]
    return out


def check_layout(rb: RawBook, meta: dict, tier) -> LayoutCheck:
    """Protection still on, protected sheets present, layout fingerprint unchanged.

    ``meta``: the workbook's ``_meta`` values (``cdht.read.submission.read_meta``); ``tier``: the
    edition tier it was issued for. Suspicions of the fast read are confirmed by a strict one."""
    found = _judge(rb, meta, tier)
    if found.tampered and found.unknown_scheme is None:
        strict = confirm(rb)
        if strict is not rb:
            found = _judge(strict, meta, tier)
    return found


def first_changed_cell(edition, tier, year: int, sheet: str, now: list[str]) -> str | None:
    """Name the first changed formula or fixed text of ``sheet`` (its layout items ``now``) by
    diffing against a freshly generated blank template; None when that cannot be built."""
    try:
        from cdht_generator.workbook import build_workbook
        ref_wb, _ = build_workbook(edition, tier.code, year)
        ref_items = openpyxl_items(ref_wb, tier).get(sheet, [])
    except Exception:
        return None
    ref_f = {i.split("|")[1]: i for i in ref_items if i.startswith("F|")}
    now_f = {i.split("|")[1]: i for i in now if i.startswith("F|")}
    for coord in sorted(set(ref_f) | set(now_f), key=lambda c: (len(c), c)):
        if ref_f.get(coord) != now_f.get(coord):
            return coord
    ref_c = {i.split("|")[1]: i for i in ref_items if i.startswith("C|")}
    now_c = {i.split("|")[1]: i for i in now if i.startswith("C|")}
    # a locked text edited in place, then one cleared, then one added (a unit's own workbook also
    # has locked identity cells the blank reference lacks, so added cells come last)
    for group in ((c for c in set(ref_c) & set(now_c) if ref_c[c] != now_c[c]),
                  set(ref_c) - set(now_c), set(now_c) - set(ref_c)):
        first = min(group, key=lambda c: (len(c), c), default=None)  # A9 before A10
        if first is not None:
            return first
    return None
