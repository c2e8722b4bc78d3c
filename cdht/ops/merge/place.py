"""Steps 3–4, place and resolve: which judged sources the parent accepts, one per unit.

* :func:`place` refuses a source that does not belong under the parent (tier, year, edition,
  unit list) or was tampered with.
* :func:`resolve_duplicates` keeps one file per unit under a :class:`DuplicatePolicy` and never
  lets an older file replace what an earlier merge accepted.
* :func:`mark_received` dates the accepted files and flags the late ones against :func:`deadline`.
"""
from __future__ import annotations

import datetime as dt

from cdht import contract as L
from cdht.messages import TAMPER_REASONS, Finding, finding

from cdht.ops.assess import filing_deadline
from cdht.ops.merge.model import DuplicatePolicy, ParentInfo, SourceResult


def deadline(tier, year: int) -> dt.date | None:
    """The child tier's filing deadline for assessment year ``year`` (in year + 1):
    :func:`cdht.ops.assess.filing_deadline`."""
    return filing_deadline(tier, year)


def place(res: SourceResult, parent: ParentInfo) -> SourceResult:
    """Refuse an assessed source that does not belong under ``parent`` (wrong tier, year, edition,
    unit) or was tampered with; a refused source keeps only the findings of its reading."""
    if res.code or res.form or res.tier is None:
        return res
    problem = _misplaced(res, parent)
    if problem is None:
        return res
    code, facts = problem
    f = finding(code, file=res.file.name, **facts)
    res.findings = res.findings[:res.read_findings] + [f]
    res.level = res.appraised_level = None
    res.indicators, res.evidence_errors = {}, 0
    res.status, res.code, res.message = L.Status.RETURNED.value, code, f.message
    res.reason = f.message
    return res


def _misplaced(res: SourceResult, parent: ParentInfo) -> tuple[str, dict] | None:
    """The first reason (code, facts) why ``res`` does not belong under ``parent``, else None."""
    if res.tier != parent.child_tier:
        return "CDHT-M001", dict(found=res.tier, expected=parent.child_tier, parent=parent.tier)
    if res.year != parent.year:
        return "CDHT-M002", dict(found=res.year, expected=parent.year)
    if res.edition_id != parent.edition_id:
        return "CDHT-M003", dict(found=res.edition_id, expected=parent.edition_id)
    if parent.expected and res.unit_code not in parent.expected:
        return "CDHT-M004", dict(unit=res.unit_code, parent=parent.label)
    if res.tamper is not None:
        return "CDHT-M008", dict(reason=TAMPER_REASONS.get(res.tamper_code, res.tamper), cause=res.tamper_code)
    return None


def refuse(r: SourceResult, f: Finding) -> SourceResult:
    """Return ``r`` to its unit with the coded reason ``f``."""
    r.findings.append(f)
    r.status, r.code, r.message, r.reason = L.Status.RETURNED.value, f.code, f.message, f.message
    return r


def resolve_duplicates(placed: list[SourceResult], existing: dict[str, dict],
                       policy: DuplicatePolicy | str = DuplicatePolicy.NEWEST, ledger: dict | None = None
                       ) -> tuple[dict[str, SourceResult], list[SourceResult]]:
    """One accepted file per unit, and every refused file (already refused ones first).

    ``existing``: the parent's rows merged before (:func:`~cdht.ops.merge.children.existing_rows`),
    whose SHA-256 decides KEEP. ``ledger``: the receipt ledger (:mod:`.receipts`): a content
    received before the one merged now never replaces it (M007)."""
    policy = DuplicatePolicy(policy)
    refused = [r for r in placed if r.code]
    by_unit: dict[str, list[SourceResult]] = {}
    for r in placed:
        if not r.code:
            by_unit.setdefault(r.unit_code, []).append(r)
    accepted: dict[str, SourceResult] = {}
    for unit, cands in by_unit.items():
        cands.sort(key=lambda r: (r.mtime, r.file.name), reverse=True)
        chosen = _choose(unit, cands, existing.get(unit, {}), policy, refused, ledger or {})
        if chosen is not None:
            accepted[unit] = chosen
    return accepted, refused


def _choose(unit: str, cands: list[SourceResult], prior: dict, policy: DuplicatePolicy,
            refused: list[SourceResult], ledger: dict) -> SourceResult | None:
    """The file kept for ``unit`` among ``cands`` (newest first); the others go to ``refused``."""
    if len(cands) > 1 and policy is DuplicatePolicy.ERROR:
        names = ", ".join(c.file.name for c in cands)
        refused += [refuse(r, finding("CDHT-M006", file=r.file.name, unit=unit, files=names)) for r in cands]
        return None
    if policy is DuplicatePolicy.KEEP and prior.get("sha"):
        return _keep_merged(unit, cands, prior, refused)
    chosen, rest = (cands[-1], cands[:-1]) if policy is DuplicatePolicy.KEEP else (cands[0], cands[1:])
    refused += [refuse(r, finding("CDHT-M005", file=r.file.name, unit=unit, kept=chosen.file.name)) for r in rest]
    if _received_before(chosen, prior, ledger):
        refused.append(refuse(chosen, finding("CDHT-M007", file=chosen.file.name, unit=unit,
                                              merged_at=prior.get("merged_at"))))
        return None
    return chosen


def _received_before(chosen: SourceResult, prior: dict, ledger: dict) -> bool:
    """Was ``chosen``'s content received (ledger day) before the content merged now?"""
    seen, prior_ts = ledger.get(chosen.sha256), prior.get("received_ts")
    if not prior.get("sha") or chosen.sha256[:12] == prior.get("sha") or seen is None or prior_ts is None:
        return False
    return seen["date"] < dt.datetime.fromtimestamp(prior_ts).date()


def _keep_merged(unit: str, cands: list[SourceResult], prior: dict,
                 refused: list[SourceResult]) -> SourceResult | None:
    """KEEP with a file merged before: only a file with that SHA-256 stays (the last such)."""
    kept = None
    for r in cands:
        if r.sha256[:12] != prior.get("sha"):
            refused.append(refuse(r, finding("CDHT-M007", file=r.file.name, unit=unit,
                                             merged_at=prior.get("merged_at"))))
        else:
            kept = r
    return kept


def split_copies(placed: list[SourceResult]) -> tuple[list[SourceResult], list[SourceResult]]:
    """Identical copies (same unit, same SHA-256, e.g. "x (1).xlsx") apart from the rest: one of
    them (the shortest name) goes on; each other is "Bản trùng" (CDHT-M021, information) — never
    a return: the unit did nothing wrong (issue 12, case 8)."""
    first: dict[tuple, SourceResult] = {}
    rest, copies = [], []
    for r in sorted(placed, key=lambda r: (len(r.file.name), r.file.name)):
        key = (r.unit_code, r.sha256)
        if r.code or not r.sha256 or key not in first:
            first.setdefault(key, r)
            rest.append(r)
            continue
        kept = first[key]
        f = finding("CDHT-M021", file=r.file.name, unit=r.unit_code, sha=r.sha256[:12], kept=kept.file.name)
        r.findings = r.findings[:r.read_findings] + [f]
        r.status, r.code, r.message, r.reason = L.Status.DUPLICATE.value, f.code, f.message, ""
        copies.append(r)
    order = {id(r): k for k, r in enumerate(placed)}
    return sorted(rest, key=lambda r: order[id(r)]), copies


def mark_received(accepted: dict[str, SourceResult], due: dt.date | None, now: dt.datetime,
                  ledger: dict[str, dict] | None = None, profile=None) -> None:
    """Date each accepted file from the receipt ledger (:mod:`.receipts`: the day its content
    was first seen, or the day staff typed; a content new to the ledger is received today —
    never the file's modification time) and flag the late ones (M012) under the profile's
    reading of "trước ngày" (strict by default)."""
    from cdht.dates import BEFORE, on_time
    from cdht.ops.merge.receipts import receive

    ledger = {} if ledger is None else ledger
    for r in accepted.values():
        known = r.sha256 in ledger
        r.received = receive(r.sha256, ledger, now, r.file.name, r.unit_code)
        r.received_source = "ledger" if known else "now"
        if profile is not None:
            r.on_time = profile.in_time(r.received, due)
        else:
            r.on_time = due is None or on_time(r.received, due, BEFORE)
        if not r.on_time:
            if r.status == L.Status.RECEIVED.value:
                r.status = L.Status.LATE.value
            r.findings.append(finding("CDHT-M012", file=r.file.name, unit=r.unit_code,
                                      received=r.received.strftime("%d/%m/%Y"),
                                      deadline=due.strftime("%d/%m/%Y")))
