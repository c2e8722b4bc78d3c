"""One-button upward merge: child workbooks (xã → huyện → tỉnh) into their parent workbook.

Every source is read and judged before anything is written; bad sources are quarantined with
coded reasons and never stop the others; sources are never modified; the parent is written once,
atomically, with a backup — or not at all with ``dry_run``. Merging the same files twice gives the
same content (a row keeps its "merged at" while its file's SHA-256 is unchanged).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from cdht import contract as L
from cdht_generator.contributor import META_CONTRIBUTOR
from cdht.evaluate import evaluate, level_label
from cdht.messages import ERROR, Finding, finding

from cdht.ops.assess import check_evidence, compute_submission
from cdht.read.submission import Submission, read_workbook, read_workbook_raw
from cdht.ops.register import Decision, read_register, standing
from cdht.xlsx.fastread import named_rows, read_raw
from cdht.ops.results_sheet import load_for_write, save_safely

if TYPE_CHECKING:
    from cdht.ops.contributions import ContribResult

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
TAMPER_CODES = {"CDHT-W018", "CDHT-W019", "CDHT-W020", "CDHT-W021", "CDHT-W026"}
UNREADABLE_CODES = {"CDHT-W001", "CDHT-W002", "CDHT-W003", "CDHT-W004", "CDHT-W006", "CDHT-W007", "CDHT-W024"}


@dataclass
class SourceResult:
    file: Path
    unit_code: str | None = None
    unit_name: str | None = None
    level: int | None = None
    appraised_level: int | None = None
    received: dt.date | None = None
    on_time: bool | None = None
    status: str = L.STATUS_RECEIVED
    reason: str = ""
    code: str | None = None
    message: str = ""
    findings: list[Finding] = field(default_factory=list)
    evidence_errors: int = 0
    indicators: dict = field(default_factory=dict)
    sha256: str = ""
    template_version: str = ""
    mtime: float = 0.0
    form: bool = False  # a department's data form (routed to cdht.ops.contributions, not a child unit)
    tier: str | None = None        # what the source says it is (None: unreadable)
    year: int | None = None
    edition_id: str | None = None
    tamper: str | None = None      # the first tamper finding's message
    read_findings: int = 0         # findings of the reading itself (kept when refused)


@dataclass
class MergeResult:
    parent: Path
    parent_tier: str | None = None
    child_tier: str | None = None
    year: int | None = None
    merged: list[SourceResult] = field(default_factory=list)
    refused: list[SourceResult] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)
    carried: dict[str, bool] = field(default_factory=dict)  # merged earlier, kept: unit → on time
    deadline: dt.date | None = None
    parent_level: int | None = None
    derived: dict[str, int] = field(default_factory=dict)
    register: list[Decision] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # about the parent / register
    written: bool = False
    contributions: "ContribResult | None" = None  # departments' forms (tỉnh only)

    def as_dict(self) -> dict:
        def src(s: SourceResult) -> dict:
            return {"file": str(s.file), "unit_code": s.unit_code, "level": s.level,
                    "appraised_level": s.appraised_level, "status": s.status,
                    "received": s.received.isoformat() if s.received else None, "on_time": s.on_time,
                    "evidence_errors": s.evidence_errors, "reason": s.reason}
        on_time = [s for s in self.merged if s.on_time] + [u for u, ok in self.carried.items() if ok]
        received = len(self.merged) + len(self.carried)
        return {
            "parent": str(self.parent), "tier": self.parent_tier, "child_tier": self.child_tier,
            "year": self.year,
            "merged": [src(s) for s in self.merged],
            "refused": [{"file": str(s.file), "unit_code": s.unit_code, "code": s.code, "message": s.message}
                        for s in self.refused],
            "skipped": [f.as_dict() for f in self.notes],
            "missing_units": self.missing_units, "carried": sorted(self.carried),
            "completeness": {"expected": len(self.expected), "received": received,
                             "on_time": len(on_time), "late": received - len(on_time),
                             "missing": len(self.missing_units)},
            "derived": self.derived, "parent_level": self.parent_level,
            "register": [d.as_dict() for d in self.register],
            "findings": [f.as_dict() for f in self.findings], "written": self.written,
            "contributions": self.contributions.as_dict() if self.contributions else None,
        }


def collect_sources(sources: list[str | Path], parent: Path) -> tuple[list[Path], list[Finding]]:
    """Workbooks named or found (recursively) in folders; lock files and others noted, not read."""
    files, notes, seen = [], [], set()
    parent_r = parent.resolve()

    def consider(p: Path, rp: Path | None = None):
        rp = rp or p.resolve()
        if rp == parent_r or rp in seen:
            return
        seen.add(rp)
        if p.name.startswith("~$") or p.name.startswith(".~lock."):
            notes.append(finding("CDHT-W005", file=p.name))
        elif p.suffix.lower() in WORKBOOK_SUFFIXES:
            if not p.name.endswith(".bak"):
                files.append(p)
        else:
            notes.append(finding("CDHT-M010", file=p.name))

    for s in sources:
        p = Path(s)
        if p.is_dir():
            root, found = p.resolve(), []
            for dirpath, _dirs, names in os.walk(p):  # one directory listing each, no stat per file
                rel = Path(dirpath).relative_to(p)
                found += [(Path(dirpath, n), root / rel / n) for n in names if not n.startswith(".~cdht-")]
            for q, rq in sorted(found):
                consider(q, rq)
        elif p.exists():
            consider(p)
        else:
            notes.append(finding("CDHT-W001", file=p.name, detail="không tìm thấy"))
    return files, notes


def deadline(tier, year: int) -> dt.date | None:
    """The child tier's filing deadline for assessment year ``year`` (in year + 1)."""
    if not tier.procedure.submit_by:
        return None
    m, d = (int(x) for x in tier.procedure.submit_by.split("-"))
    return dt.date(year + 1, m, d)


def _verdict_short(r) -> str:
    if r.level2:
        return "MĐ2"
    if r.level1:
        return "MĐ1"
    if r.level1 is False:
        return "Không đạt"
    return "Chưa đủ"


@dataclass(frozen=True)
class ParentInfo:
    """What :func:`place` needs of the parent to accept or refuse an assessed source."""

    edition_id: str
    tier: str
    child_tier: str
    year: int
    label: str
    expected: frozenset


_EDITIONS: dict = {}  # edition path → Edition, per (worker) process


def _judge_path(args) -> SourceResult:
    path, edition_path = args
    edition = _EDITIONS.get(edition_path)
    if edition is None:
        from cdht.edition import load_edition
        edition = _EDITIONS[edition_path] = load_edition(edition_path)
    return assess_source(read_workbook(path, edition))


FORK_MIN_FILES = 60    # from this many sources, two forked workers (Linux: a fork is cheap)
SPAWN_MIN_FILES = 500  # where workers are spawned (Windows, macOS) each starts a fresh Python first (~0.5 s)


def judge_all(files: list[Path], edition_path: str | None = None, progress=None, workers: int | None = None,
              meanwhile: Callable[[], object] | None = None,
              abort: Callable[[object], bool] | None = None,
              start_method: str | None = None) -> tuple[list[SourceResult], object]:
    """Read and assess every source (:func:`assess_source`), and run ``meanwhile()`` alongside —
    the parent's own reading, which the assessment does not need. When ``abort(meanwhile())`` is
    true (an unusable parent) the rest is cancelled and no result is returned.

    Large batches use two worker processes (forked on Linux from :data:`FORK_MIN_FILES` sources,
    spawned elsewhere from :data:`SPAWN_MIN_FILES`); if the workers cannot start or die, the rest
    is read in this process. ``edition_path``: the edition to read with (a source naming another
    edition is read with that one); default the shipped one. ``start_method``: multiprocessing's,
    default the platform's."""
    import multiprocessing as mp
    from concurrent.futures.process import BrokenProcessPool
    from cdht.edition import DEFAULT_EDITION, shipped_editions, load_edition
    for p in shipped_editions():  # loaded once here, inherited by forked workers
        try:
            load_edition(p)
        except Exception:
            pass
    edition_path = str(edition_path or DEFAULT_EDITION)
    try:
        method = start_method or mp.get_start_method()
    except Exception:  # an interpreter without processes (Pyodide): everything in this one
        method, workers = "spawn", 1
    if workers is None:
        enough = FORK_MIN_FILES if method == "fork" else SPAWN_MIN_FILES
        workers = min(2, os.cpu_count() or 1) if len(files) >= enough else 1
    jobs = [(f, edition_path) for f in files]
    out: list[SourceResult] = []
    state = {"side": None, "ran": False}

    def side_once() -> bool:
        """Run ``meanwhile`` once; True when the caller must stop (unusable parent)."""
        if not state["ran"]:
            state["ran"] = True
            state["side"] = meanwhile() if meanwhile else None
        return abort is not None and abort(state["side"])

    def in_process() -> tuple[list[SourceResult], object]:
        if side_once():
            return [], state["side"]
        for job in jobs[len(out):]:
            out.append(_judge_path(job))
            if progress:
                progress(len(out), len(files))
        return out, state["side"]

    if workers <= 1:
        return in_process()
    from concurrent.futures import ProcessPoolExecutor
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method))
    except Exception:  # no worker processes here (sandbox, embedded interpreter): one process
        return in_process()
    with pool:
        try:
            # small chunks: the workers finish together (a big last chunk would leave one core idle)
            results = pool.map(_judge_path, jobs, chunksize=max(1, min(24, len(jobs) // (workers * 8))))
            if side_once():  # while the workers read the sources
                pool.shutdown(wait=True, cancel_futures=True)
                return [], state["side"]
            for r in results:
                out.append(r)
                if progress:
                    progress(len(out), len(files))
        except (BrokenProcessPool, OSError):  # a worker could not start or died: go on here
            pool.shutdown(wait=False, cancel_futures=True)
            return in_process()
    return out, state["side"]


def assess_source(sub: Submission) -> SourceResult:
    """Everything about one source that does not depend on the parent: identity, tamper, level,
    evidence. :func:`place` then decides, against the parent, whether it is accepted."""
    res = SourceResult(sub.path, sub.unit_code, sub.unit_name, sha256=sub.sha256,
                       template_version=sub.meta.get("generator_version", ""))
    try:
        res.mtime = sub.path.stat().st_mtime
    except OSError:
        pass
    res.findings = list(sub.findings)
    if not sub.readable:
        first = next((f for f in sub.findings if f.code in UNREADABLE_CODES), sub.findings[0] if sub.findings else None)
        res.status, res.code = L.STATUS_RETURNED, first.code if first else "CDHT-W006"
        res.message = res.reason = first.message if first else ""
        return res
    if sub.meta.get(META_CONTRIBUTOR):  # routed by merge() to the department forms
        res.form = True
        return res
    res.tier, res.year, res.edition_id = sub.tier.code, sub.year, sub.edition.id
    res.read_findings = len(res.findings)
    tamper = [f for f in sub.findings if f.code in TAMPER_CODES]
    if tamper:
        res.tamper = tamper[0].message
        return res
    rep = compute_submission(sub)
    ev = check_evidence(sub, rep.assessment)
    res.findings += ev
    res.level = rep.level
    res.appraised_level = rep.appraised_level
    res.indicators = {k: _verdict_short(v) for k, v in rep.assessment.indicators.items()}
    res.evidence_errors = sum(1 for f in ev if f.severity == ERROR)
    if rep.level is None:
        f = finding("CDHT-M014", file=sub.path.name, missing=", ".join(rep.assessment.missing[:8]))
        res.findings.append(f)
        res.status, res.reason = L.STATUS_RETURNED, f.message
    elif res.evidence_errors:
        f = finding("CDHT-M015", file=sub.path.name, unit=sub.unit_code, count=res.evidence_errors)
        res.findings.append(f)
        res.status, res.reason = L.STATUS_RETURNED, f.message
    return res


def place(res: SourceResult, parent: ParentInfo) -> SourceResult:
    """Refuse an assessed source that does not belong under ``parent`` (wrong tier, year, edition,
    unit) or was tampered with; a refused source keeps only the findings of its reading."""
    if res.code or res.form or res.tier is None:
        return res

    def refuse(code, **facts):
        f = finding(code, file=res.file.name, **facts)
        res.findings = res.findings[:res.read_findings] + [f]
        res.level = res.appraised_level = None
        res.indicators, res.evidence_errors = {}, 0
        res.status, res.code, res.message = L.STATUS_RETURNED, code, f.message
        res.reason = f.message
        return res

    if res.tier != parent.child_tier:
        return refuse("CDHT-M001", found=res.tier, expected=parent.child_tier, parent=parent.tier)
    if res.year != parent.year:
        return refuse("CDHT-M002", found=res.year, expected=parent.year)
    if res.edition_id != parent.edition_id:
        return refuse("CDHT-M003", found=res.edition_id, expected=parent.edition_id)
    if parent.expected and res.unit_code not in parent.expected:
        return refuse("CDHT-M004", unit=res.unit_code, parent=parent.label)
    if res.tamper is not None:
        return refuse("CDHT-M008", detail=res.tamper)
    return res


def merge(parent_path: str | Path, sources: list[str | Path], *, dry_run: bool = False,
          on_duplicate: str = "newest", register_from: str | Path | None = None,
          now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None,
          workers: int | None = None, prefer: str = "workbook") -> MergeResult:
    parent_path = Path(parent_path)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    result = MergeResult(parent_path)
    files, result.notes = collect_sources(sources, parent_path)
    loaded: dict = {}

    def read_parent():  # while the workers read the sources: the parent's reading, loading for write
        loaded["sub"], loaded["raw"] = read_workbook_raw(parent_path, tool_sheets=True)  # + rows merged before, register
        p = loaded["sub"]
        if p.readable and p.tier.children and not dry_run:
            return load_for_write(parent_path)
        return None

    def unusable(_wb) -> bool:
        p = loaded["sub"]
        return not p.readable or not p.tier.children

    judged, wb = judge_all(files, None, progress, workers, meanwhile=read_parent, abort=unusable)
    parent, parent_raw = loaded["sub"], loaded["raw"]
    if unusable(None):
        detail = parent.findings[0].message if parent.findings else "không phải sổ cấp huyện hoặc cấp tỉnh"
        result.findings.append(finding("CDHT-M009", file=parent_path.name, detail=detail))
        return result
    edition = parent.edition
    child_tier = edition.tier(parent.tier.children[0])
    result.parent_tier, result.child_tier, result.year = parent.tier.code, child_tier.code, parent.year
    result.findings += [f for f in parent.findings if f.code in TAMPER_CODES]

    expected = expected_units(parent_raw)
    expected_set = set(expected)
    from cdht.ops.contributions import apply_contributions
    info = ParentInfo(edition.id, parent.tier.code, child_tier.code, parent.year,
                      parent.unit_code or parent_path.name, frozenset(expected_set))
    judged = [place(r, info) for r in judged]
    forms = [r.file for r in judged if r.form]  # told apart by their identity, in the same read
    judged = [r for r in judged if not r.form]
    existing = _existing_rows(parent_raw)

    result.deadline = deadline(child_tier, parent.year)
    accepted: dict[str, SourceResult] = {}
    by_unit: dict[str, list[SourceResult]] = {}
    for r in judged:
        if r.code:
            result.refused.append(r)
        else:
            by_unit.setdefault(r.unit_code, []).append(r)
    for unit, cands in by_unit.items():
        cands.sort(key=lambda r: (r.mtime, r.file.name), reverse=True)
        prior = existing.get(unit, {})
        if len(cands) > 1 and on_duplicate == "error":
            for r in cands:
                _refuse(r, finding("CDHT-M006", file=r.file.name, unit=unit,
                                   files=", ".join(c.file.name for c in cands)))
                result.refused.append(r)
            continue
        if on_duplicate == "keep" and prior.get("sha"):
            for r in cands:
                if r.sha256[:12] != prior.get("sha"):
                    _refuse(r, finding("CDHT-M007", file=r.file.name, unit=unit, merged_at=prior.get("merged_at")))
                    result.refused.append(r)
                else:
                    accepted[unit] = r
            continue
        chosen, rest = cands[0], cands[1:]
        if on_duplicate == "keep":
            chosen, rest = cands[-1], cands[:-1]
        for r in rest:
            _refuse(r, finding("CDHT-M005", file=r.file.name, unit=unit, kept=chosen.file.name))
            result.refused.append(r)
        prior_received = prior.get("received_ts")
        if prior.get("sha") and chosen.sha256[:12] != prior.get("sha") and prior_received \
                and chosen.mtime < prior_received:
            _refuse(chosen, finding("CDHT-M007", file=chosen.file.name, unit=unit, merged_at=prior.get("merged_at")))
            result.refused.append(chosen)
            continue
        accepted[unit] = chosen
    for r in accepted.values():
        r.received = dt.datetime.fromtimestamp(r.mtime).date() if r.mtime else now.date()
        r.on_time = bool(result.deadline is None or r.received <= result.deadline)
        if not r.on_time:
            r.findings.append(finding("CDHT-M012", file=r.file.name, unit=r.unit_code,
                                      received=r.received.strftime("%d/%m/%Y"),
                                      deadline=result.deadline.strftime("%d/%m/%Y")))
    result.merged = sorted(accepted.values(), key=lambda r: r.unit_code or "")
    all_units = expected + sorted(u for u in accepted if u not in expected_set)
    result.expected = all_units
    result.missing_units = [u for u in all_units if u not in accepted and not existing.get(u, {}).get("sha")]
    result.carried = {u: row.get("on_time") == "Có" for u, row in existing.items()
                      if u not in accepted and row.get("sha")}

    # register and derived indicators
    decisions, reg_findings = read_register(parent_raw, parent_path.name)
    if register_from:
        prev, prev_findings = read_register(read_raw(Path(register_from)), Path(register_from).name)
        keys = {(d.unit, d.level, d.number) for d in decisions}
        decisions += [d for d in prev if (d.unit, d.level, d.number) not in keys]
        reg_findings += prev_findings
    result.findings += reg_findings
    ref_date = dt.date(parent.year, 12, 31)
    for d in decisions:
        d.evaluate(ref_date, edition.settings)
    result.register = decisions
    appraised = {r.unit_code: r.appraised_level for r in result.merged if r.appraised_level}
    for unit, row in existing.items():  # appraisals merged earlier and not replaced now
        if unit not in accepted and row.get("appraised") in (1, 2):
            appraised[unit] = row["appraised"]
    levels = {u: standing(u, decisions, appraised.get(u)) for u in all_units}
    counts_l2_as_l1 = edition.settings.level2_counts_toward_level1
    n1 = sum(1 for lv in levels.values() if (lv >= 1 if counts_l2_as_l1 else lv == 1))
    n2 = sum(1 for lv in levels.values() if lv >= 2)
    values = dict(parent.values)
    if forms or parent.tier.code == "tinh":
        if wb is None:  # a dry run: the forms are still applied, to an in-memory copy
            wb = load_for_write(parent_path)
        result.contributions = apply_contributions(wb, parent, forms, prefer=prefer)
        result.findings += result.contributions.findings
        values.update(result.contributions.values)
    for ind in parent.tier.indicators:
        fc = ind.from_children
        if fc is not None and fc.tier == child_tier.code:
            result.derived = {fc.total: len(all_units), fc.level1: n1, fc.level2: n2}
            values.update(result.derived)
    result.parent_level = evaluate(parent.tier, values).level

    if dry_run:
        return result
    _write_parent(wb, result, child_tier, existing, now, parent_raw)
    problem = save_safely(wb, parent_path)
    if problem is not None:
        result.findings.append(problem)
    else:
        result.written = True
    return result


def _refuse(r: SourceResult, f: Finding) -> None:
    r.findings.append(f)
    r.status, r.code, r.message, r.reason = L.STATUS_RETURNED, f.code, f.message, f.message


# ----------------------------------------------------------------------------------------------
# Parent workbook I/O (by defined names)
# ----------------------------------------------------------------------------------------------

def _range_of(wb, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet], ref.replace("$", "")


def expected_units(rb) -> list[str]:
    """The unit codes listed in column A of the parent's "Đơn vị cấp dưới", in order."""
    codes = []
    for row in named_rows(rb, L.N_CHILDREN)[2][1:]:  # after the header row
        if row and row[0] not in (None, ""):
            code = str(row[0]).strip()
            if code not in codes:
                codes.append(code)
    return codes


def _existing_rows(rb) -> dict[str, dict]:
    """Rows of "Đơn vị cấp dưới" by unit code (expected units and what was merged before)."""
    _, _, rows = named_rows(rb, L.N_CHILDREN)
    if not rows:
        return {}
    header = rows[0]
    col = {h: i for i, h in enumerate(header) if h}
    out: dict[str, dict] = {}
    for row in rows[1:]:
        while row and row[-1] is None:
            row = row[:-1]
        if not row:
            continue
        code = row[0]
        if code in (None, ""):
            continue
        code = str(code).strip()

        def get(h):
            i = col.get(h)
            return row[i] if i is not None and i < len(row) else None

        received = get("Ngày nhận")
        rec = {"row": list(row), "sha": get("SHA-256"), "merged_at": get("Thời điểm tổng hợp"),
               "name": get("Tên đơn vị"), "appraised": get("Mức độ thẩm định"), "on_time": get("Đúng hạn")}
        if isinstance(received, (dt.date, dt.datetime)):
            rec["received_ts"] = dt.datetime.combine(received if isinstance(received, dt.date) and not
                                                     isinstance(received, dt.datetime) else received.date(),
                                                     dt.time()).timestamp()
        out[code] = rec
    return out


def put(cell, value) -> None:
    """Write a value as data: text stays text even when it starts with '=' (never a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def child_rows(result: MergeResult, child_tier, existing: dict[str, dict], stamp: str) -> list[list]:
    """The rows of "Đơn vị cấp dưới", one per expected unit ("" for an empty cell).

    A row keeps its "merged at" while its file's SHA-256 is unchanged (idempotent merges); a unit
    merged earlier and not resubmitted keeps its row as it was."""
    cols = L.child_columns(child_tier)
    merged = {r.unit_code: r for r in result.merged}
    refused_by_unit: dict[str, SourceResult] = {}
    for r in result.refused:
        if r.unit_code:
            refused_by_unit.setdefault(r.unit_code, r)
    rows = []
    for unit in result.expected:
        r, prior = merged.get(unit), existing.get(unit)
        if r is not None:
            keep_stamp = prior and prior.get("sha") == r.sha256[:12] and prior.get("merged_at")
            values = [unit, r.unit_name or (prior or {}).get("name") or "", r.status, r.received,
                      "Có" if r.on_time else "Không", level_label(r.level) if r.level is not None else "",
                      r.appraised_level if r.appraised_level is not None else "", r.evidence_errors]
            values += [r.indicators.get(i.id, "") for i in child_tier.indicators]
            values += [r.file.name, r.sha256[:12], r.template_version, keep_stamp or stamp, r.reason]
        elif prior and prior.get("sha"):
            values = list(prior["row"])[:len(cols)]
            values += [""] * (len(cols) - len(values))
        else:
            ref = refused_by_unit.get(unit)
            values = [unit, (prior or {}).get("name") or (ref.unit_name if ref else "") or "",
                      L.STATUS_RETURNED if ref else L.STATUS_MISSING] + [""] * (len(cols) - 3)
            if ref:
                values[-5], values[-1] = ref.file.name, ref.message
        rows.append(["" if v is None else v for v in values])
    return rows


def completeness_text(result: MergeResult, rows: list[list]) -> str:
    """The one-line completeness and timeliness summary shown above the children's rows."""
    on_time = sum(1 for r in result.merged if r.on_time) + sum(result.carried.values())
    received = len(result.merged) + len(result.carried)
    n_exp = len(result.expected)
    pct = f"{100 * received / n_exp:.0f}" if n_exp else "0"
    stamps = [str(row[-2]) for row in rows if row and row[-2] not in (None, "")]
    d = result.deadline
    return (f"Đầy đủ: đã nhận {received}/{n_exp} ({pct} %); đúng hạn {on_time}, muộn {received - on_time} "
            f"(hạn {d.strftime('%d/%m/%Y') if d else '—'}); chưa có hồ sơ hợp lệ: {', '.join(result.missing_units) or 'không'}; "
            f"trả lại: {len(result.refused)}." + (f" Cập nhật {max(stamps)}." if stamps else ""))


def returns_rows(result: MergeResult) -> list[list]:
    """The return list: every error of every returned or refused source, per unit."""
    rows = []
    for r in sorted(list(result.merged) + list(result.refused), key=lambda x: (x.unit_code or "~", x.file.name)):
        problems = [f for f in r.findings if f.severity == ERROR]
        if r.status != L.STATUS_RETURNED and not problems:
            continue
        for f in problems or [finding("CDHT-M014", file=r.file.name, missing="?")]:
            rows.append([r.unit_code or "", r.unit_name or "", r.file.name, f.code, f.sheet or "",
                         f.cell or (f"dòng {f.row}" if f.row else ""), f.message, f.fix])
    return rows


def log_rows(result: MergeResult, stamp: str) -> list[list]:
    """Rows appended to the merge log for this run."""
    rows = [[stamp, "Gộp", r.file.name, r.unit_code, r.status, "", r.reason] for r in result.merged]
    rows += [[stamp, "Từ chối", r.file.name, r.unit_code or "", L.STATUS_RETURNED, r.code, r.message]
             for r in result.refused]
    rows += [[stamp, "Bỏ qua", f.file, "", "", f.code, f.message] for f in result.notes]
    if result.contributions is not None:
        from cdht.ops.contributions import log_rows as contrib_log_rows
        rows += contrib_log_rows(result.contributions, stamp)
    return rows


def _put_rows(ws, first_row: int, rows: list[list]) -> None:
    """Write rows into cells that are empty (new rows, or cleared): "" leaves a cell untouched."""
    for i, values in enumerate(rows):
        for c, v in enumerate(values, start=1):
            if v != "" and v is not None:
                put(ws.cell(first_row + i, c), v)


def _write_parent(wb, result: MergeResult, child_tier, existing, now, raw=None) -> None:
    """Everything a merge writes into the parent ``wb`` (openpyxl); ``raw``: the parent's raw read,
    which says which register cells hold something (only those are cleared)."""
    from openpyxl.styles import PatternFill

    from cdht.ops.register import register_rows

    stamp = now.isoformat(sep=" ")
    ws, _ = _range_of(wb, L.N_CHILDREN)
    if ws.max_row > L.HEADER_ROW:
        ws.delete_rows(L.HEADER_ROW + 1, ws.max_row - L.HEADER_ROW)
    rows = child_rows(result, child_tier, existing, stamp)
    _put_rows(ws, L.HEADER_ROW + 1, rows)
    # one fill object per colour: openpyxl finds a reused object in its style table by identity
    fills = {k: PatternFill("solid", fgColor=c) for k, c in
             ((L.STATUS_RECEIVED, "C6EFCE"), (L.STATUS_MISSING, "FFEB9C"), (L.STATUS_RETURNED, "F8CBAD"), ("", "FFFFFF"))}
    for i, values in enumerate(rows):
        ws.cell(L.HEADER_ROW + 1 + i, 4).number_format = "dd/mm/yyyy"
        ws.cell(L.HEADER_ROW + 1 + i, 3).fill = fills.get(values[2], fills[""])
    put(ws["A2"], completeness_text(result, rows))
    for name, v in result.derived.items():  # the parent's indicators derived from its children
        s, ref = _range_of(wb, name)
        s[ref].value = v
    rs, ref = _range_of(wb, L.N_REGISTER)
    reg_first = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
    if raw is not None:  # clear what the register holds (touching all 5,000 cells would create them)
        _, r1, rows = named_rows(raw, L.N_REGISTER)
        c1 = rs[ref.split(":")[0]].column
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is not None:
                    rs.cell(r1 + i, c1 + j).value = None
    else:
        for row in rs[ref]:
            for c in row:
                c.value = None
    _put_rows(rs, reg_first, register_rows(result.register))
    for i in range(len(result.register)):
        for col in (5, 7, 9):
            rs.cell(reg_first + i, col).number_format = "dd/mm/yyyy"
    rws, _ = _range_of(wb, L.N_RETURNS)
    if rws.max_row > L.HEADER_ROW:
        rws.delete_rows(L.HEADER_ROW + 1, rws.max_row - L.HEADER_ROW)
    _put_rows(rws, L.HEADER_ROW + 1, returns_rows(result))
    lws, _ = _range_of(wb, L.N_LOG)  # append only
    _put_rows(lws, max(lws.max_row, L.HEADER_ROW) + 1, log_rows(result, stamp))
