#!/usr/bin/env python
"""Benchmarks of cdht on generated, filled workbooks; prints one table.

    python scripts/bench.py                            # every section
    python scripts/bench.py --section compute          # one section
    python scripts/bench.py --runs 50
    python scripts/bench.py --section merge --n 150 --n 3321 --repeat 3

Each section is a function ``bench_<name>(workdir, runs) -> list[Row]`` registered in
:data:`SECTIONS`; it builds its own inputs in ``workdir`` (a temporary folder). ``compute`` times
library calls. ``merge`` times the whole ``cdht merge`` command as a user runs it (a new process,
interpreter start included) on commune workbooks re-saved by LibreOffice, as a user's office suite
writes them, against a bare python-calamine read of every sheet of the same files in the same run.
The re-saved workbooks are built once into a cache folder (``$CDHT_BENCH_CACHE``, default
``<tmp>/cdht-bench-cache``; about 10 minutes for 150 files on a busy 2-core machine): 150 distinct
files, copied under other unit identities for larger runs (:func:`replicate`), since re-saving
3,321 files one by one would take hours. Add a section by writing such a function and adding it
to :data:`SECTIONS`.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `from scripts.libreoffice import …` when run as `python scripts/bench.py`

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
# merge: the whole `cdht merge` command, as a user runs it, on workbooks re-saved by LibreOffice
# -------------------------------------------------------------------------------------------------

MERGE_SIZES = [150, 3321]  # files per merge run; --n replaces them (3,321: every commune of the country)
MERGE_RATIO_TARGET = 2.0                      # whole command ÷ bare calamine read of the same files
MERGE_SECONDS_TARGET = {3321: 10.0}           # seconds, on a 2-core machine
MERGE_YEAR = 2026
DISTINCT = 150  # workbooks re-saved by LibreOffice; larger runs copy them under other unit identities
CACHE = Path(os.environ.get("CDHT_BENCH_CACHE") or Path(tempfile.gettempdir()) / "cdht-bench-cache")


def _code(k: int) -> str:
    return f"BEN-X{k:05d}"


def _name(k: int) -> str:
    return f"Xã thử {k:05d}"  # one length for all: a swapped identity keeps the package's shape


def merge_corpus(n: int, folder: Path) -> tuple[Path, Path]:
    """(parent, inbox): a blank huyện parent and ``n`` commune workbooks as openpyxl writes them,
    one unit-less blank xã template filled once and saved ``n`` times with different unit codes."""
    import datetime as dt

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
    for k in range(1, n + 1):
        cell_of(wb, L.N_UNIT_CODE).value = _code(k)
        cell_of(wb, L.N_UNIT_NAME).value = _name(k)
        wb.save(inbox / f"CDHT_{MERGE_YEAR}_xa_{_code(k)}.xlsx")
    return parent, inbox


def _corpus_key() -> str:
    """What a cached corpus depends on: this version of cdht, the template's layout, and the bytes
    of its sheets and styles (a format change — e.g. cells of their own in a register — changes
    what every reader parses, so it needs a new corpus too)."""
    import hashlib
    import io
    import zipfile

    from cdht import __version__
    from cdht.edition import load_edition
    from cdht_generator.workbook import build_workbook
    wb, meta = build_workbook(load_edition(), "xa", MERGE_YEAR)
    buf = io.BytesIO()
    wb.save(buf)
    h = hashlib.sha256(f"{__version__}|{meta['fingerprint']}".encode())
    with zipfile.ZipFile(buf) as z:
        for name in sorted(z.namelist()):
            if name.startswith("xl/worksheets/") or name == "xl/styles.xml":
                h.update(name.encode() + z.read(name))
    return h.hexdigest()[:12]


def resaved_corpus(cache: Path = CACHE, distinct: int = DISTINCT) -> tuple[Path, Path]:
    """(blank huyện parent, folder of ``distinct`` filled commune workbooks re-saved by LibreOffice),
    built once into ``cache`` (one soffice run over every file: about 4 s a file on a busy 2-core
    machine) and reused while the version and the template's layout stay the same."""
    from scripts.libreoffice import recalc

    folder = cache / f"{_corpus_key()}-{distinct}"
    done = folder / "done"
    if not done.exists():
        import shutil
        shutil.rmtree(folder, ignore_errors=True)
        parent, plain = merge_corpus(distinct, folder / "openpyxl")
        print(f"re-saving {distinct} workbooks with LibreOffice into {folder} (once) …", file=sys.stderr)
        recalc(sorted(plain.glob("*.xlsx")), folder / "libreoffice", timeout=60 + 30 * distinct)
        shutil.copyfile(parent, folder / "parent.xlsx")
        done.write_text("ok\n")
    return folder / "parent.xlsx", folder / "libreoffice"


def replicate(corpus: Path, n: int, inbox: Path) -> list[Path]:
    """``n`` workbooks in ``inbox``: the k-th is the corpus' (k mod size)-th with unit k's code and
    name swapped in (as UTF-8, or as character references where openpyxl wrote them), every other
    byte of the package as LibreOffice wrote it — a distinct unit and file content for each."""
    import shutil
    import zipfile

    sources = sorted(corpus.glob("*.xlsx"))
    inbox.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(1, n + 1):
        j = (k - 1) % len(sources) + 1
        src, dst = sources[j - 1], inbox / f"CDHT_{MERGE_YEAR}_xa_{_code(k)}.xlsx"
        out.append(dst)
        if j == k:
            shutil.copyfile(src, dst)
            continue
        swaps = [(_code(j).encode(), _code(k).encode()), (_name(j).encode(), _name(k).encode()),
                 (_name(j).encode("ascii", "xmlcharrefreplace"), _name(k).encode("ascii", "xmlcharrefreplace"))]
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                for a, b in swaps:
                    data = data.replace(a, b)
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out


def _cdht() -> list[str]:
    """The ``cdht`` command installed beside this Python (what a user types), else ``python -m``."""
    script = Path(sys.executable).with_name("cdht")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cdht.cli.main"]


_RECEIVED = re.compile(r"đã nhận (\d+)/(\d+).*trả lại (\d+)")


def _children_cpu() -> float:
    """CPU seconds (user + system) of the child processes waited for so far (and of theirs)."""
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_merge(args: list[str]) -> tuple[float, float, int]:
    """One whole ``cdht merge …`` process: (wall seconds, CPU seconds of it and its workers, units
    received with none returned — read from its output for people, -1 when some were returned)."""
    cpu, t = _children_cpu(), time.perf_counter()
    proc = subprocess.run([*_cdht(), "merge", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})
    took, cpu = time.perf_counter() - t, _children_cpu() - cpu
    m = _RECEIVED.search(proc.stdout)
    if proc.returncode != 0 or m is None:
        raise AssertionError(f"cdht merge {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n"
                             f"{proc.stderr[-2000:]}")
    return took, cpu, int(m.group(1)) if m.group(3) == "0" else -1


def _span(xs: list[float]) -> str:
    return f"{min(xs):.2f}" if len(xs) == 1 else f"{min(xs):.2f}–{max(xs):.2f}"


@dataclass
class _Samples:
    wall: list[float]
    cpu: list[float]

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)


def _round(parent: Path, inbox: Path, target: Path, n: int, s: dict[str, _Samples]) -> None:
    """One round: the floor, the dry run, the written merge (into a fresh copy of the parent)."""
    import shutil

    cpu, t = time.process_time(), time.perf_counter()
    for f in sorted(inbox.glob("*.xlsx")):
        calamine_read(f)
    s["bare"].add(time.perf_counter() - t, time.process_time() - cpu)
    wall, cpu, got = run_merge([str(parent), str(inbox), "--dry-run"])
    s["dry"].add(wall, cpu)
    target.parent.mkdir(parents=True)
    shutil.copyfile(parent, target)
    wall, cpu, got2 = run_merge([str(target), str(inbox)])
    s["merge"].add(wall, cpu)
    if got != n or got2 != n:
        raise AssertionError(f"benchmark files refused or not received ({n} expected, {got} / {got2})")


def bench_merge(n: int, workdir: Path, repeat: int = 3, corpus: tuple[Path, Path] | None = None) -> dict:
    """``repeat`` rounds on the same ``n`` files (re-saved by LibreOffice: :func:`resaved_corpus`,
    or ``corpus``), each timing in turn the bare calamine read of every sheet of every file (the
    floor, in this process) and the whole ``cdht merge --dry-run`` and ``cdht merge`` commands
    (new processes, interpreter start included). Wall time is what a user waits; CPU time (the
    command's and its workers') is what the work costs, and barely moves when other jobs share
    the machine. Prints one line; returns medians, ranges and the ratios of the medians."""
    parent, lo = corpus or resaved_corpus()
    folder = Path(workdir) / f"n{n}"
    replicate(lo, n, folder / "inbox")
    s = {k: _Samples([], []) for k in ("bare", "dry", "merge")}
    for i in range(repeat):
        _round(parent, folder / "inbox", folder / f"run{i}" / "tong-hop.xlsx", n, s)
    med = statistics.median
    out = {"files": n, "runs": repeat, "all_accepted": True,
           "bare_s": med(s["bare"].wall), "dry_run_s": med(s["dry"].wall), "merge_s": med(s["merge"].wall),
           "cpu": {k: med(v.cpu) for k, v in s.items()},
           "ranges": {k: _span(v.wall) for k, v in s.items()}}
    out["dry_ratio"], out["merge_ratio"] = out["dry_run_s"] / out["bare_s"], out["merge_s"] / out["bare_s"]
    out["cpu_ratios"] = {k: out["cpu"][k] / out["cpu"]["bare"] for k in ("dry", "merge")}
    verdicts = [f"dry-run ≤ {MERGE_RATIO_TARGET:g}×: {'yes' if out['dry_ratio'] <= MERGE_RATIO_TARGET else 'NO'}",
                f"merge ≤ {MERGE_RATIO_TARGET:g}×: {'yes' if out['merge_ratio'] <= MERGE_RATIO_TARGET else 'NO'}"]
    limit = MERGE_SECONDS_TARGET.get(n)
    if limit:
        verdicts.append(f"merge < {limit:g} s: {'yes' if out['merge_s'] < limit else 'NO'}")
    out["targets_met"] = not any(v.endswith("NO") for v in verdicts)
    c = out["cpu"]
    print(f"merge: files={n} (re-saved by LibreOffice), {repeat} rounds, wall median (range):  "
          f"calamine {out['bare_s']:.2f} s ({out['ranges']['bare']})  "
          f"cdht merge --dry-run {out['dry_run_s']:.2f} s ({out['ranges']['dry']}) = {out['dry_ratio']:.1f}×  "
          f"cdht merge {out['merge_s']:.2f} s ({out['ranges']['merge']}) = {out['merge_ratio']:.1f}×  |  "
          f"CPU: calamine {c['bare']:.2f} s, dry-run {c['dry']:.2f} s = {out['cpu_ratios']['dry']:.1f}×, "
          f"merge {c['merge']:.2f} s = {out['cpu_ratios']['merge']:.1f}×  |  targets: {'; '.join(verdicts)}")
    return out


def compile_packages() -> list[str]:
    """Byte-compile the installed cdht packages, as ``pip install .`` does at install time: a user's
    command never compiles our modules, so neither does the timed one. (An editable checkout run
    with ``PYTHONDONTWRITEBYTECODE=1``, as on the build machine, would otherwise recompile every
    module in every process and every spawned worker: about 0.15 s each.)"""
    import compileall
    import importlib.util

    done = []
    for name in ("cdht", "cdht_generator"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                if compileall.compile_dir(folder, quiet=1):
                    done.append(folder)
    return done


def bench_merge_section(workdir: Path, runs: int) -> list[Row]:
    rows = []
    corpus = resaved_corpus()
    compile_packages()
    for n in MERGE_SIZES:
        r = bench_merge(n, workdir, MERGE_REPEAT[0], corpus)
        sec = "merge (whole process)"
        rows += [
            row(sec, f"python-calamine read of {n} files (in process)", [r["bare_s"] * 1000], "1.0× (floor)", False),
            row(sec, f"cdht merge --dry-run, {n} files", [r["dry_run_s"] * 1000],
                f"{r['dry_ratio']:.1f}× calamine; range {r['ranges']['dry']} s; CPU {r['cpu_ratios']['dry']:.1f}×",
                False),
            row(sec, f"cdht merge (parent written), {n} files", [r["merge_s"] * 1000],
                f"{r['merge_ratio']:.1f}× calamine; range {r['ranges']['merge']} s; CPU {r['cpu_ratios']['merge']:.1f}×",
                False),
        ]
    return rows


MERGE_REPEAT = [3]


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
    ap.add_argument("--n", type=int, action="append", help="merge: files per run (default 150 and 3321; repeatable)")
    ap.add_argument("--repeat", type=int, default=3, help="merge: rounds per size (default 3; the figures are medians)")
    args = ap.parse_args(argv)
    if args.n:
        MERGE_SIZES[:] = sorted(set(args.n))
    MERGE_REPEAT[0] = args.repeat
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
