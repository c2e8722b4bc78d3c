"""One-button upward merge: child workbooks (xã → huyện → tỉnh) into their parent workbook.

Every source is read and judged before anything is written; bad sources are quarantined with
coded reasons and never stop the others; sources are never modified; the parent is written once,
atomically, with a backup — or not at all with ``dry_run``. Merging the same files twice gives the
same content (a row keeps its "merged at" while its file's SHA-256 is unchanged).

:func:`merge` runs named steps, each in its own module and usable alone:

1. collect (:mod:`.collect`) — the source workbooks named or found in folders;
2. judge (:mod:`.judge`) — read and assess each source, the parent read alongside;
3. place (:mod:`.place`) — refuse what does not belong under the parent;
4. resolve duplicates (:func:`.place.resolve_duplicates`, a :class:`DuplicatePolicy`);
5. register (:func:`.derive.register`) — the recognition decisions in force;
6. derive (:func:`.derive.derived_figures`) — the 4.1 figures and the parent's level;
7. write — one list of sheet updates (:func:`.updates.sheet_updates`) written into the file
   (:func:`.write.write_updates`) or, by the add-in, into the open book.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cdht import contract as L
from cdht.evaluate import evaluate
from cdht.messages import ERROR, finding

from cdht.ops.merge.capacity import overflow
from cdht.ops.merge.children import children_table, existing_rows, expected_units
from cdht.ops.merge.collect import WORKBOOK_SUFFIXES, collect_sources
from cdht.ops.merge.derive import (derive, derived_figures, previous_book, register, registry_units, standings,
                                   unit_standings)
from cdht.ops.merge.judge import FORK_MIN_FILES, SPAWN_MIN_FILES, _judge_path, assess_source
from cdht.ops.merge.judge import judge_all as _judge_all
from cdht.ops.merge.model import (TAMPER_CODES, UNREADABLE_CODES, DuplicatePolicy, MergeResult, ParentInfo,
                                  SourceResult)
from cdht.ops.merge.place import deadline, mark_received, place, resolve_duplicates, split_copies
from cdht.ops.merge.receipts import logged_refusals, read_ledger
from cdht.ops.merge.updates import (SUMMARY_CELL, Placement, SheetUpdate, child_rows, completeness_text, log_rows, put,
                                    returns_rows, sheet_updates)
from cdht.ops.merge.write import write_updates
from cdht.read.submission import Submission, read_workbook_raw
from cdht.xlsx.book import gc_paused
from cdht.xlsx.save import WriterLock, clean_once, load_for_write, read_only_finding, real_path, save_safely

__all__ = ["merge", "MergeResult", "SourceResult", "ParentInfo", "DuplicatePolicy", "SheetUpdate", "Placement",
           "collect_sources", "judge_all", "assess_source", "place", "resolve_duplicates", "mark_received",
           "deadline", "register", "standings", "derived_figures", "sheet_updates", "write_updates",
           "SUMMARY_CELL", "child_rows", "completeness_text", "returns_rows", "log_rows", "put", "existing_rows",
           "expected_units", "children_table", "TAMPER_CODES", "UNREADABLE_CODES", "WORKBOOK_SUFFIXES",
           "FORK_MIN_FILES", "SPAWN_MIN_FILES", "split_copies", "registry_units", "unit_standings", "read_ledger"]


def judge_all(files: list[Path], edition_path: str | None = None, progress=None, workers: int | None = None,
              meanwhile: Callable[[], object] | None = None, abort: Callable[[object], bool] | None = None,
              start_method: str | None = None, profile=None):
    """:func:`cdht.ops.merge.judge.judge_all` with this package's ``_judge_path`` as the per-file
    job (looked up at each call, so a test can stand in for it). ``profile``: each source's
    registry facts and signature are checked against it."""
    return _judge_all(files, edition_path, progress, workers, meanwhile, abort, start_method, job=_judge_path,
                      profile=profile)


@dataclass
class _Parent:
    """The parent as read alongside the judging: its reading, raw cells, and (unless a dry run)
    the workbook opened for writing."""

    sub: Submission | None = None
    raw: object = None
    wb: object = None

    @property
    def usable(self) -> bool:
        return self.sub is not None and self.sub.readable and bool(self.sub.tier.children)


def _judge(files, parent_path: Path, dry_run: bool, progress, workers, profile) -> tuple[list[SourceResult], _Parent]:
    """Step 2: judge the sources while the parent is read (and opened for writing)."""
    parent = _Parent()

    def read_parent():
        parent.sub, parent.raw = read_workbook_raw(parent_path, tool_sheets=True)  # + rows merged before, register
        if parent.usable and not dry_run:
            with gc_paused():
                parent.wb = load_for_write(parent_path)

    judged, _ = judge_all(files, None, progress, workers, meanwhile=read_parent, abort=lambda _: not parent.usable,
                          profile=profile)
    return judged, parent


def merge(parent_path: str | Path, sources: list[str | Path], *, dry_run: bool = False,
          on_duplicate: DuplicatePolicy | str = DuplicatePolicy.NEWEST, register_from: str | Path | None = None,
          now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None,
          workers: int | None = None, prefer: str = "workbook", profile=None, previous=()) -> MergeResult:
    """Merge the child workbooks ``sources`` (files or folders) into the parent workbook.

    ``on_duplicate``: a :class:`DuplicatePolicy` (or its value). ``register_from``: last year's
    parent book, whose recognition decisions are carried over. ``now``: the merge's time stamp
    (and the receipt day of a content the ledger has not seen). ``progress(k, n)``: called per
    source judged. ``workers``: worker processes (default: by batch size). ``prefer``: for a
    province, "workbook" or "file" wins when a department's form differs
    (:func:`cdht.ops.contributions.apply_contributions`). ``profile``: the province profile
    (:mod:`cdht.profile`; a ``--units`` list is a registry-only one) — the registry behind the
    90 % rule, the deadlines and the readings of "trước ngày" and of validity. With ``dry_run``
    nothing is written. ``previous``: earlier years' merged parents of the same unit, for the
    trends of "Tổng quan" (:mod:`.trends`; none given: the years an earlier merge showed stay).
    Never raises for bad input: every problem is a coded finding in the :class:`MergeResult`.

    One writer at a time: unless a dry run, the parent is locked (:class:`~cdht.xlsx.save.WriterLock`)
    from its reading to its writing; a second merge into it waits briefly, then is refused (W030)."""
    parent_path = Path(parent_path)
    result = MergeResult(parent_path, profile=profile.name if profile is not None else None)
    kw = dict(dry_run=dry_run, on_duplicate=on_duplicate, register_from=register_from, now=now, progress=progress,
              workers=workers, prefer=prefer, profile=profile, previous=previous)
    if register_from:  # a wrong --register-from stops the merge before anything is read or written
        kw["register_book"], problems = previous_book(register_from)
        if kw["register_book"] is None:
            result.findings += problems
            return result
    if not dry_run:  # a read-only parent is refused before the clerk waits for the reading
        problem = read_only_finding(parent_path)
        if problem is not None:
            result.findings.append(problem)
            return result
    if dry_run:  # writes nothing, but a killed run's temporary files beside the parent go (issue 18)
        clean_once(real_path(parent_path).parent)
        return _merge(result, sources, **kw)
    with WriterLock(parent_path) as lock:
        busy = lock.acquire()
        if busy is not None:
            result.findings.append(busy)
            return result
        return _merge(result, sources, **kw)


def _merge(result: MergeResult, sources, *, dry_run, on_duplicate, register_from, now, progress, workers, prefer,
           profile, previous=(), register_book=None) -> MergeResult:
    """:func:`merge`'s steps, the parent locked unless a dry run."""
    parent_path = result.parent
    now = (now or dt.datetime.now()).replace(microsecond=0)
    files, result.notes = collect_sources(sources, parent_path)
    judged, parent = _judge(files, parent_path, dry_run, progress, workers, profile)
    if not parent.usable:
        cause = next((f for f in parent.sub.findings if f.severity == ERROR), None)
        result.findings.append(finding("CDHT-M009", file=parent_path.name,
                                       cause=cause.code if cause else "CDHT-A003"))
        result.findings += [cause] if cause else []
        return result
    missing = _missing_tool_sheets(parent.raw, parent_path.name)
    if missing:
        result.findings += missing
        return result
    sub = parent.sub
    child_tier = sub.edition.tier(sub.tier.children[0])
    result.parent_tier, result.child_tier, result.year = sub.tier.code, child_tier.code, sub.year
    result.labels = {sub.tier.code: sub.tier.name, child_tier.code: child_tier.name,
                     **{k: f.label for k, f in sub.tier.fields.items()}}
    result.findings += [f for f in sub.findings if f.code in TAMPER_CODES]
    table = children_table(parent.raw)
    existing = existing_rows(table)
    reg = registry_units(profile, sub.unit_code, child_tier.code, sub.year, sub.meta, parent_path.name)
    result.findings += [reg.problem] if reg.problem else []
    expected = reg.units if reg.units is not None else expected_units(table)

    info = ParentInfo(sub.edition.id, sub.tier.code, child_tier.code, sub.year,
                      sub.unit_code or parent_path.name, frozenset(expected))
    judged = [place(r, info) for r in judged]
    forms = [r.file for r in judged if r.form]  # told apart by their identity, in the same read
    children, result.duplicates = split_copies([r for r in judged if not r.form])
    result.receipts = read_ledger(parent.raw)
    result.logged = logged_refusals(parent.raw)
    accepted, result.refused = resolve_duplicates(children, existing, on_duplicate, result.receipts)
    result.deadline = _deadline(profile, child_tier, sub.year)
    mark_received(accepted, result.deadline, now, result.receipts, profile)
    _tally(result, accepted, expected, existing, reg.units is None)
    _missing_findings(result, parent_path.name)

    result.register, result.register_kept, reg_findings = register(parent.raw, parent_path.name, register_from, sub.year,
                                             sub.edition.settings, profile, child_tier.code, register_book)
    result.findings += reg_findings
    values = dict(sub.values)
    if forms or sub.tier.code == "tinh":
        values.update(_contribute(result, parent, parent_path, forms, prefer, now))
    result.derived, result.derived_from = derive(result, reg, sub.tier, child_tier, sub.values,
                                                 sub.edition.settings, sub.unit_code, parent_path.name)
    result.standings = unit_standings(result, existing)
    result.timeliness = timeliness(result, profile, child_tier.code)
    if child_tier.children:
        result.communes = communes_of(result, profile)
    _overview_history(result, parent, previous, profile)
    unverified = {} if result.derived else {k: None for k in _derived_names(sub.tier, child_tier)}
    result.parent_level = evaluate(sub.tier, {**values, **result.derived, **unverified}).level

    full = overflow(result, parent.raw, existing=existing)  # rows the next reading would not see: refused
    result.findings += full
    if not dry_run and not full:
        with gc_paused():  # (cdht.xlsx.book: the cells live until the save; no garbage to look for)
            write_updates(parent.wb, sheet_updates(result, child_tier, existing, now), parent.raw)
            problem = save_safely(parent.wb, parent_path)
        result.written = problem is None
        result.findings += [problem] if problem else []
        if result.written:  # the register was rewritten: its findings name the rows as they are now
            result.findings = _register_rows_now(result, parent.raw, parent_path.name)
    return result


def _register_rows_now(result: MergeResult, raw, parent_name: str) -> list:
    from cdht import contract as L
    from cdht.fingerprint import parse_ref
    from cdht.ops.register import relocated

    ref = parse_ref(raw.names.get(L.N_REGISTER, ""))
    if ref is None:
        return result.findings
    return relocated(result.findings, result.register, result.register_kept, parent_name, ref[0], ref[1])


def _overview_history(result: MergeResult, parent: _Parent, previous, profile) -> None:
    """What "Tổng quan" shows beside this year: the earlier years of its trends and the size of
    its per-district block (:mod:`.trends`)."""
    from cdht import contract as L
    from cdht.ops.merge.trends import block_rows, history

    sub = parent.sub
    result.trends, problems = history(parent.raw, previous, sub.unit_code, sub.tier.code, result.child_tier,
                                      sub.year, profile)
    result.findings += problems
    result.district_rows = block_rows(parent.raw, L.N_OV_DISTRICTS)
    if result.district_rows:
        from cdht.xlsx.fastread import named_rows
        _, _, rows = named_rows(parent.raw, L.N_OV_DISTRICTS)
        result.district_before = {str(row[0]): row[2:] for row in rows if row and row[0] not in (None, "")}


# the parent's sheets a merge writes into (by their names); "Tổng quan" is optional (older parents)
_WRITTEN_SHEETS = ((L.N_CHILDREN, L.SHEET_CHILDREN), (L.N_REGISTER, L.SHEET_REGISTER),
                   (L.N_RETURNS, L.SHEET_RETURNS), (L.N_LOG, L.SHEET_LOG))


def _missing_tool_sheets(rb, file: str) -> list:
    """M041 for each sheet the merge writes into that the parent no longer has (deleted or
    renamed, its name left pointing at ``#REF!``): refused before anything is read into it."""
    from cdht.fingerprint import parse_ref

    out = []
    for name, sheet in _WRITTEN_SHEETS:
        ref = parse_ref(rb.names.get(name, "")) if rb is not None else None
        if ref is None or ref[0] not in rb.sheets:
            out.append(finding("CDHT-M041", file=file, tool_sheet=sheet, name=name))
    return out


def _derived_names(parent_tier, child_tier) -> list[str]:
    from cdht.ops.merge.derive import derived_names
    return derived_names(parent_tier, child_tier)


def _deadline(profile, child_tier, year: int) -> dt.date | None:
    """The child tier's dossier deadline: the profile's for that year, else the catalogue's."""
    if profile is not None and profile.spec.periods:
        return profile.dossier_deadline(child_tier.code, year)
    return deadline(child_tier, year)


def _tally(result: MergeResult, accepted: dict[str, SourceResult], expected: list[str],
           existing: dict[str, dict], open_list: bool = True) -> None:
    """Merged, expected, missing and carried units. ``open_list`` (no registry list): units merged
    from outside the list are added to it."""
    result.merged = sorted(accepted.values(), key=lambda r: r.unit_code or "")
    known = set(expected)
    result.expected = list(expected) + (sorted(u for u in accepted if u not in known) if open_list else [])
    refused = {r.unit_code for r in result.refused}
    result.missing_units = [u for u in result.expected
                            if u not in accepted and not existing.get(u, {}).get("sha") and u not in refused]
    listed = set(result.expected)
    result.carried = {u: row.get("on_time") == "Có" for u, row in existing.items()
                      if u not in accepted and row.get("sha") and u in listed}


def _missing_findings(result: MergeResult, file: str) -> None:
    """CDHT-M011 for each expected unit with no file at all (a returned one is "Trả lại")."""
    due = result.deadline.strftime("%d/%m/%Y") if result.deadline else "theo kế hoạch của Sở"
    result.findings += [finding("CDHT-M011", file=file, unit=u, deadline=due) for u in result.missing_units]


def timeliness(result: MergeResult, profile, child_tier: str) -> dict:
    """Completeness and timeliness for each deadline of the procedure (issue 12): the dossiers
    (received before the dossier deadline), this round's decisions (dated by the decision
    deadline: later ones count for no year) and, where the profile sets one, the report to the
    tier above (e.g. a district's results to the Sở "trước 15/5") — each deadline with its count."""
    from cdht.ops.register import cutoff

    def day(d):
        return d.isoformat() if d else None

    received = [r.received for r in result.merged if r.received]
    prof = profile
    if prof is None:
        from cdht.profile import default_profile
        prof = default_profile()
    out = {"dossier": {"deadline": day(result.deadline), "on_time": sum(1 for r in result.merged if r.on_time),
                       "late": sum(1 for r in result.merged if r.on_time is False)}}
    limit = cutoff(result.year, child_tier, prof)
    mine = [d for d in result.register if d.recognised_year == result.year]
    out["decision"] = {"deadline": day(limit), "in_time": sum(1 for d in mine if d.date <= limit),
                       "late": sum(1 for d in mine if d.date > limit)}
    report = prof.report_deadline(child_tier, result.year) if prof.spec.periods else None
    if report is not None:
        ok = sum(1 for d in received if prof.in_time(d, report))
        out["report"] = {"deadline": day(report), "on_time": ok, "late": len(received) - ok}
    return out


def communes_of(result: MergeResult, profile=None) -> list[dict]:
    """"Xã trong tỉnh": each merged district's commune rows (its "Đơn vị cấp dưới" list and its
    register), so the Sở can count communes by level (issue 12, case 9)."""
    from cdht.ops.merge.districts import district_communes
    out: list[dict] = []
    for r in result.merged:
        out += district_communes(r, result.year, profile)
    return out


def _contribute(result: MergeResult, parent: _Parent, parent_path: Path, forms: list[Path], prefer: str,
                now: dt.datetime) -> dict:
    """A province's departments' forms, applied to the parent workbook (an in-memory copy in a
    dry run), each dated by the receipt ledger like the units' files; returns the values they put in."""
    from cdht.ops.contributions import apply_contributions

    if parent.wb is None:  # a dry run: the forms are still applied, to an in-memory copy
        parent.wb = load_for_write(parent_path)
    result.contributions = apply_contributions(parent.wb, parent.sub, forms, prefer=prefer,
                                               receipts=result.receipts, now=now)
    result.findings += result.contributions.findings
    return result.contributions.values
