#!/usr/bin/env python
"""Benchmarks of cdht's library calls on generated, filled workbooks; prints one table.

    python scripts/bench.py                      # every section
    python scripts/bench.py --section compute    # one section
    python scripts/bench.py --runs 50

Each section is a function ``bench_<name>(workdir, runs) -> list[Row]`` registered in
:data:`SECTIONS`; it builds its own inputs in ``workdir`` (a temporary folder) and times library
calls only. Add a section by writing such a function and adding it to :data:`SECTIONS`.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

TARGET_MS = 1000.0  # "well under a second" per workbook


@dataclass
class Row:
    section: str
    case: str
    runs: int
    median_ms: float
    min_ms: float
    note: str = ""
    per_workbook: bool = True  # held to TARGET_MS (False: informative, e.g. process start-up)


def timed(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """Wall-clock milliseconds of ``runs`` calls of ``fn`` (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def row(section: str, case: str, samples: list[float], note: str = "", per_workbook: bool = True) -> Row:
    return Row(section, case, len(samples), statistics.median(samples), min(samples), note, per_workbook)


# -------------------------------------------------------------------------------------------------
# compute: one commune workbook, recomputed from its inputs
# -------------------------------------------------------------------------------------------------

def commune_workbook(workdir: Path) -> Path:
    """A filled, level-2 commune workbook of the sample unit list, with one evidence row per indicator."""
    import datetime as dt

    from cdht.edition import load_edition
    from cdht.fill import SAMPLE_INPUTS, evidence_for, fill
    from cdht.units import SAMPLE_UNITS, read_units
    from cdht_generator.api import generate

    edition = load_edition()
    tpl = generate(edition, "xa", 2026, Path(workdir) / "mau", units=read_units(SAMPLE_UNITS)[0],
                   unit_code="MAU-X0101")[0]
    return fill(tpl, Path(workdir) / "CDHT_2026_xa_MAU-X0101_filled.xlsx", SAMPLE_INPUTS["xa"],
                evidence_for(edition.tier("xa"), dt.date(2026, 12, 15)))


def calamine_read(path: Path) -> int:
    """The floor: a bare python-calamine read of every sheet (no validation, no evaluation)."""
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in wb.sheet_names:
        cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
    return cells


def bench_compute(workdir: Path, runs: int) -> list[Row]:
    from cdht.ops.assess import check, compute

    path = commune_workbook(workdir)
    rep = compute(path)
    assert rep.level == 2 and not rep.findings, "benchmark workbook must be clean"
    floor = timed(lambda: calamine_read(path), runs)
    comp = timed(lambda: compute(path), runs)
    chk = timed(lambda: check(path), runs)
    base = statistics.median(floor)
    size_kb = path.stat().st_size / 1024
    rows = [
        row("compute", f"python-calamine read, all sheets ({size_kb:.0f} KB)", floor, "1.0× (floor)"),
        row("compute", "cdht.ops.assess.compute (read + validate + evaluate)", comp,
            f"{statistics.median(comp) / base:.1f}× calamine"),
        row("compute", "cdht.ops.assess.check (+ evidence)", chk, f"{statistics.median(chk) / base:.1f}× calamine"),
    ]
    proc_runs = max(3, runs // 4)
    cmd = [sys.executable, "-m", "cdht.cli.main", "compute", "--json", str(path)]
    proc = timed(lambda: subprocess.run(cmd, check=True, capture_output=True), proc_runs, warmup=1)
    rows.append(row("compute", "cdht compute --json (new process)", proc,
                    "interpreter start-up and imports dominate", per_workbook=False))
    return rows


# -------------------------------------------------------------------------------------------------
# merge: N commune workbooks into a blank district parent (every file accepted)
# -------------------------------------------------------------------------------------------------

MERGE_SIZES = [150]  # files per merge run; --n replaces them (--n 3321: every commune; ~2 min to build)
MERGE_RATIO_TARGET = 2.0                      # merge ÷ bare calamine read of the same files
MERGE_SECONDS_TARGET = {150: 1.5, 3321: 10.0}  # seconds, on a 2-core machine
MERGE_YEAR = 2026


def merge_corpus(n: int, folder: Path) -> tuple[Path, Path]:
    """(parent, inbox): a blank huyện parent and ``n`` commune workbooks, one unit-less blank xã
    template filled once and saved ``n`` times with different unit codes (received on time)."""
    import datetime as dt
    import os

    import openpyxl

    from cdht import contract as L
    from cdht.edition import load_edition
    from cdht.fill import SAMPLE_INPUTS, cell_of, evidence_for, write_evidence, write_values
    from cdht_generator.api import generate

    edition = load_edition()
    xa = edition.tier("xa")
    blank = generate(edition, "xa", MERGE_YEAR, folder / "mau")[0]
    parent = generate(edition, "huyen", MERGE_YEAR, folder / "tong-hop")[0]
    wb = openpyxl.load_workbook(blank)
    write_values(wb, {**SAMPLE_INPUTS["xa"], **{L.appraisal_name(ind.id): "Đạt" for ind in xa.indicators},
                      L.N_APPRAISAL_TARGET: 2})
    write_evidence(wb, evidence_for(xa, dt.date(MERGE_YEAR, 6, 1)))
    inbox = folder / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    received = dt.datetime(MERGE_YEAR + 1, 2, 10, 9).timestamp()
    for k in range(1, n + 1):
        code = f"BEN-X{k:05d}"
        cell_of(wb, L.N_UNIT_CODE).value = code
        cell_of(wb, L.N_UNIT_NAME).value = f"Xã thử {k}"
        out = inbox / f"CDHT_{MERGE_YEAR}_xa_{code}.xlsx"
        wb.save(out)
        os.utime(out, (received, received))
    return parent, inbox


def bench_merge(n: int, workdir: Path | None = None) -> dict:
    """One run each, same files: bare calamine read (floor), ``merge(dry_run=True)``, real merge.
    Prints files, seconds and ratios; returns them."""
    import shutil

    from cdht.ops.merge import merge

    with tempfile.TemporaryDirectory(prefix="cdht-bench-merge-") as tmp:
        folder = Path(workdir or tmp) / f"n{n}"
        parent, inbox = merge_corpus(n, folder)
        files = sorted(inbox.glob("*.xlsx"))
        t = time.perf_counter()
        for f in files:
            calamine_read(f)
        bare = time.perf_counter() - t
        t = time.perf_counter()
        dry = merge(parent, [inbox], dry_run=True)
        t_dry = time.perf_counter() - t
        real_parent = parent.with_name("that.xlsx")
        shutil.copyfile(parent, real_parent)
        t = time.perf_counter()
        real = merge(real_parent, [inbox])
        t_real = time.perf_counter() - t
    ok = len(dry.merged) == n and not dry.refused and len(real.merged) == n and real.written
    out = {"files": n, "bare_s": bare, "dry_run_s": t_dry, "merge_s": t_real,
           "dry_ratio": t_dry / bare, "merge_ratio": t_real / bare, "all_accepted": ok}
    limit = MERGE_SECONDS_TARGET.get(n)
    verdicts = [f"dry-run ≤ {MERGE_RATIO_TARGET:g}×: {'yes' if out['dry_ratio'] <= MERGE_RATIO_TARGET else 'NO'}",
                f"merge ≤ {MERGE_RATIO_TARGET:g}×: {'yes' if out['merge_ratio'] <= MERGE_RATIO_TARGET else 'NO'}"]
    if limit:
        verdicts.append(f"merge < {limit:g} s: {'yes' if t_real < limit else 'NO'}")
    out["targets_met"] = not any(v.endswith("NO") for v in verdicts)
    print(f"merge: files={n}  calamine {bare:.2f} s  dry-run {t_dry:.2f} s ({out['dry_ratio']:.1f}×)  "
          f"merge {t_real:.2f} s ({out['merge_ratio']:.1f}×)  {1000 * t_real / n:.1f} ms/file  "
          f"all accepted: {ok}  targets: {'; '.join(verdicts)}")
    if not ok:
        raise AssertionError(f"benchmark files refused: {[(r.file.name, r.code) for r in dry.refused][:5]}")
    return out


def bench_merge_section(workdir: Path, runs: int) -> list[Row]:
    rows = []
    for n in MERGE_SIZES:
        r = bench_merge(n, workdir)
        rows += [
            row("merge", f"python-calamine read of {n} files", [r["bare_s"] * 1000], "1.0× (floor)", False),
            row("merge", f"merge dry-run, {n} files", [r["dry_run_s"] * 1000],
                f"{r['dry_ratio']:.1f}× calamine; {r['dry_run_s'] * 1000 / n:.0f} ms/file", False),
            row("merge", f"merge (parent written), {n} files", [r["merge_s"] * 1000],
                f"{r['merge_ratio']:.1f}× calamine; {r['merge_s'] * 1000 / n:.0f} ms/file", False),
        ]
    return rows


SECTIONS: dict[str, Callable[[Path, int], list[Row]]] = {
    "compute": bench_compute,
    "merge": bench_merge_section,
}


def print_table(rows: list[Row]) -> None:
    head = ("section", "case", "runs", "median ms", "min ms", "vs target", "note")
    body = [(r.section, r.case, str(r.runs), f"{r.median_ms:.1f}", f"{r.min_ms:.1f}",
             ("ok" if r.median_ms < TARGET_MS else "SLOW") if r.per_workbook else "n/a", r.note)
            for r in rows]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]
    right = {2, 3, 4}

    def fmt(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    print(fmt(head))
    print("  ".join("-" * w for w in widths))
    for b in body:
        print(fmt(b))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--section", choices=[*SECTIONS, "all"], default="all", help="which benchmark to run")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per case (default 20)")
    ap.add_argument("--n", type=int, action="append", help="merge: files per run (default 150; repeatable)")
    args = ap.parse_args(argv)
    if args.n:
        MERGE_SIZES[:] = sorted(set(args.n))
    names = list(SECTIONS) if args.section == "all" else [args.section]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="cdht-bench-") as tmp:
        for name in names:
            workdir = Path(tmp) / name
            workdir.mkdir()
            rows += SECTIONS[name](workdir, args.runs)
    print(f"cdht benchmarks — target: median < {TARGET_MS:.0f} ms per workbook; Python {sys.version.split()[0]}")
    print_table(rows)
    return 0 if all(r.median_ms < TARGET_MS for r in rows if r.per_workbook) else 1


if __name__ == "__main__":
    sys.exit(main())
