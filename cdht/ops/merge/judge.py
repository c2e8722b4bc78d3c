"""Step 2, judge: read and assess every source (in worker processes for large batches).

Judging needs nothing of the parent, so the parent is read alongside (``meanwhile``); what the
parent decides about a judged source is :mod:`cdht.ops.merge.place`.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Callable

from cdht import contract as L
from cdht.messages import ERROR, finding

from cdht.ops.assess import check_evidence, compute_submission
from cdht.ops.merge.model import TAMPER_CODES, UNREADABLE_CODES, SourceResult
from cdht.read.identity import YEAR_RELABELLED
from cdht.read.submission import Submission, read_workbook

FORK_MIN_FILES = 60    # from this many sources, two forked workers (Linux: a fork is cheap)
SPAWN_MIN_FILES = 500  # where workers are spawned (Windows, macOS) each starts a fresh Python first (~0.5 s)

# registry facts that differ from the profile, a unit not in it, a missing or failing signature
IDENTITY_CODES = {"CDHT-P019", "CDHT-P029", "CDHT-P030", "CDHT-P031"}

_EDITIONS: dict = {}  # edition path → Edition, per (worker) process


STEP_READ, STEP_ASSESS, STEP_JUDGE = "đọc", "đánh giá", "kiểm tra"  # M022's {step}, a closed vocabulary


def failed_source(path: Path, step: str) -> SourceResult:
    """The coded refusal (M022) of a source whose ``step`` raised: it is returned to its unit, the
    traceback goes to the log (:mod:`cdht.log`), the other sources merge."""
    import logging
    import traceback

    from cdht.log import log
    path = Path(path)
    log(logging.ERROR, f"merge: {step} {path}\n{traceback.format_exc()}")
    f = finding("CDHT-M022", file=path.name, step=step)
    return SourceResult(path, status=L.Status.RETURNED.value, code=f.code, message=f.message, reason=f.message,
                        findings=[f])


def _guarded(job: Callable, args) -> SourceResult:
    """``job(args)``, any exception of it made that one source's refusal (M022)."""
    try:
        return job(args)
    except Exception:  # one source's failure is that source's refusal, never the whole merge's
        return failed_source(args[0], STEP_JUDGE)
    except BaseException as e:  # a native reader's panic (pyo3's PanicException is no Exception)
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return failed_source(args[0], STEP_JUDGE)


def _judge_path(args) -> SourceResult:
    """The per-file job: ``(path, edition_path[, profile])`` → :func:`assess_source` of its
    reading (with a profile: registry facts and the Sở's signature checked too). Any exception of
    the reading or the assessment is that source's refusal (M022)."""
    path, edition_path, *rest = args
    profile = rest[0] if rest else None
    edition = _EDITIONS.get(edition_path)
    if edition is None:
        from cdht.edition import load_edition
        edition = _EDITIONS[edition_path] = load_edition(edition_path)
    try:
        sub = read_workbook(path, edition, profile=profile) if profile is not None else read_workbook(path, edition)
    except Exception:
        return failed_source(path, STEP_READ)
    try:
        return assess_source(sub)
    except Exception:
        return failed_source(path, STEP_ASSESS)


def _preload_editions() -> None:
    """Load every shipped edition once here, so forked workers inherit them."""
    from cdht.edition import load_edition, shipped_editions
    for p in shipped_editions():
        try:
            load_edition(p)
        except Exception:
            pass


def _plan(n_files: int, workers: int | None, start_method: str | None) -> tuple[str, int]:
    """The start method and the number of worker processes for ``n_files`` sources."""
    if workers is None and n_files < min(FORK_MIN_FILES, SPAWN_MIN_FILES):
        return start_method or "", 1  # too few for workers anywhere (multiprocessing not even imported)
    import multiprocessing as mp
    try:
        method = start_method or mp.get_start_method()
    except Exception:  # an interpreter without processes (Pyodide): everything in this one
        return "spawn", 1
    if workers is None:
        enough = FORK_MIN_FILES if method == "fork" else SPAWN_MIN_FILES
        workers = min(2, os.cpu_count() or 1) if n_files >= enough else 1
    return method, workers


PARENT_POLL = 0.5  # seconds between a worker's looks at its parent


def _exit_with_parent() -> None:
    """Pool initializer: a worker exits as soon as the merge that started it is gone (killed with
    ``kill -9``, Excel closed mid-merge), instead of waiting on its job queue for ever.

    A daemon thread waits on multiprocessing's parent sentinel (a pipe or process handle that is
    signalled when the parent dies: every platform, fork or spawn); on POSIX it also notices the
    worker being re-parented (``os.getppid()`` changes), since a sibling worker forked later may
    hold the first one's sentinel open."""
    import multiprocessing as mp
    import threading
    from multiprocessing.connection import wait

    parent = mp.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    ppid = os.getppid()

    def watch():
        while True:
            if sentinel is not None:
                try:
                    if wait([sentinel], timeout=PARENT_POLL):
                        os._exit(1)
                except OSError:
                    os._exit(1)
            else:
                threading.Event().wait(PARENT_POLL)
            if os.name == "posix" and os.getppid() != ppid:
                os._exit(1)

    threading.Thread(target=watch, name="cdht-parent-watch", daemon=True).start()


class _Batch:
    """One judging run: the jobs, the results so far, and the side task run once alongside."""

    def __init__(self, jobs: list, job: Callable, progress, meanwhile, abort):
        self.jobs, self.job, self.progress = jobs, functools.partial(_guarded, job), progress
        self.meanwhile, self.abort = meanwhile, abort
        self.out: list[SourceResult] = []
        self.side, self.ran = None, False

    def side_once(self) -> bool:
        """Run ``meanwhile`` once; True when the caller must stop (unusable parent)."""
        if not self.ran:
            self.ran = True
            self.side = self.meanwhile() if self.meanwhile else None
        return self.abort is not None and self.abort(self.side)

    def take(self, result: SourceResult) -> None:
        self.out.append(result)
        if self.progress:
            self.progress(len(self.out), len(self.jobs))

    def in_process(self) -> tuple[list[SourceResult], object]:
        """Judge what is left in this process."""
        if self.side_once():
            return [], self.side
        for job in self.jobs[len(self.out):]:
            self.take(self.job(job))
        return self.out, self.side

    def in_pool(self, workers: int, method: str) -> tuple[list[SourceResult], object]:
        """Judge in ``workers`` processes; the rest in this one if they cannot start or die."""
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        try:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method),
                                       initializer=_exit_with_parent)
        except Exception:  # no worker processes here (sandbox, embedded interpreter): one process
            return self.in_process()
        with pool:
            try:
                # small chunks: the workers finish together (a big last chunk would leave one core idle)
                chunk = max(1, min(24, len(self.jobs) // (workers * 8)))
                results = pool.map(self.job, self.jobs, chunksize=chunk)
                if self.side_once():  # while the workers read the sources
                    pool.shutdown(wait=True, cancel_futures=True)
                    return [], self.side
                for r in results:
                    self.take(r)
            except (BrokenProcessPool, OSError):  # a worker could not start or died: go on here
                pool.shutdown(wait=False, cancel_futures=True)
                return self.in_process()
        return self.out, self.side


def judge_all(files: list[Path], edition_path: str | None = None, progress=None, workers: int | None = None,
              meanwhile: Callable[[], object] | None = None,
              abort: Callable[[object], bool] | None = None,
              start_method: str | None = None, job: Callable | None = None,
              profile=None) -> tuple[list[SourceResult], object]:
    """Read and assess every source (:func:`assess_source`), and run ``meanwhile()`` alongside —
    the parent's own reading, which the assessment does not need. When ``abort(meanwhile())`` is
    true (an unusable parent) the rest is cancelled and no result is returned.

    Large batches use two worker processes (forked on Linux from :data:`FORK_MIN_FILES` sources,
    spawned elsewhere from :data:`SPAWN_MIN_FILES`); if the workers cannot start or die, the rest
    is read in this process. ``edition_path``: the edition to read with (a source naming another
    edition is read with that one); default the shipped one. ``start_method``: multiprocessing's,
    default the platform's. ``job``: the per-file function (default :func:`_judge_path`)."""
    from cdht.edition import DEFAULT_EDITION
    edition_path = str(edition_path or DEFAULT_EDITION)
    method, workers = _plan(len(files), workers, start_method)
    if workers > 1 and method == "fork":
        _preload_editions()  # (read here in one process, each edition loads when a source names it)
    jobs = [(f, edition_path) if profile is None else (f, edition_path, profile) for f in files]
    batch = _Batch(jobs, job or _judge_path, progress, meanwhile, abort)
    if workers <= 1:
        return batch.in_process()
    return batch.in_pool(workers, method)


def _verdict_short(r) -> str:
    if r.level2:
        return "MĐ2"
    if r.level1:
        return "MĐ1"
    if r.level1 is False:
        return "Không đạt"
    return "Chưa đủ"


def assess_source(sub: Submission) -> SourceResult:
    """Everything about one source that does not depend on the parent: identity, tamper, level,
    evidence. :func:`~cdht.ops.merge.place.place` then decides, against the parent, whether it
    is accepted."""
    res = SourceResult(sub.path, sub.unit_code, sub.unit_name, sha256=sub.sha256,
                       template_version=sub.meta.get("generator_version", ""))
    try:
        res.mtime = sub.path.stat().st_mtime
    except OSError:
        pass
    res.findings = list(sub.findings)
    if not sub.readable:
        first = next((f for f in sub.findings if f.code in UNREADABLE_CODES), sub.findings[0] if sub.findings else None)
        res.status, res.code = L.Status.RETURNED.value, first.code if first else "CDHT-W006"
        res.message = res.reason = first.message if first else ""
        return res
    if sub.meta.get(L.META_CONTRIBUTOR):  # routed by merge() to the department forms
        res.form = True
        return res
    res.tier, res.year, res.edition_id = sub.tier.code, sub.year, sub.edition.id
    res.read_findings = len(res.findings)
    identity = next((f for f in sub.findings if f.code in IDENTITY_CODES), None)
    if identity is None and sub.identity.get(YEAR_RELABELLED):
        # its _meta says another year than its locked year cell (and the layout fingerprint, which
        # covers that cell): e.g. a 2025 workbook relabelled 2026 — never merged as that year's
        identity = next(f for f in sub.findings if f.code == "CDHT-P032")
    if identity is not None:  # not the workbook the Sở issued for this unit and year: refused as it is
        res.status, res.code, res.message, res.reason = L.Status.RETURNED.value, identity.code, \
            identity.message, identity.message
        return res
    tamper = [f for f in sub.findings if f.code in TAMPER_CODES]
    if tamper:
        res.tamper, res.tamper_code = tamper[0].message, tamper[0].code
        return res
    _assess_level(res, sub)
    return res


def _assess_level(res: SourceResult, sub: Submission) -> None:
    """Level, appraisal, indicator verdicts and evidence of an intact source; returned (M014 /
    M015) when its level cannot be computed or its evidence has errors."""
    rep = compute_submission(sub)
    ev = check_evidence(sub, rep.assessment)
    res.findings += ev
    res.level = rep.level
    res.appraised_level = rep.appraised_level
    res.indicators = {k: _verdict_short(v) for k, v in rep.assessment.indicators.items()}
    res.evidence_errors = sum(1 for f in ev if f.severity == ERROR)
    if rep.level is None:
        f = finding("CDHT-M014", file=sub.path.name, missing=", ".join(rep.assessment.missing[:8]))
    elif res.evidence_errors:
        f = finding("CDHT-M015", file=sub.path.name, unit=sub.unit_code, count=res.evidence_errors)
    else:
        return
    res.findings.append(f)
    res.status, res.reason = L.Status.RETURNED.value, f.message
