#!/usr/bin/env python
"""Benchmark of issue 16's reports on a province of 3,321 communes (every commune of the country
as one province: the stress case). Target: dashboard data + the Ministry report + the Parquet
export in under 10 s on a 2-core machine.

    python scripts/bench_report.py                 # 3,321 communes
    python scripts/bench_report.py --communes 200  # smaller

The input is a generated merged parent, not a synthetic long table, so the timing includes the
read people wait for (python-calamine, by defined names): the two-tier edition's province
template (xã → tỉnh) is generated for the unit list, then its "Đơn vị cấp dưới" list and "Sổ công
nhận" are written by defined name (openpyxl) with what a merge writes — statuses, dates, levels,
one verdict per indicator, file and SHA-256 columns — and the register with decisions. Merging
3,321 real commune files would take minutes and measure the merge (scripts/bench.py does that),
not the reports. Building the input is not timed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 10.0
YEAR = 2026
EDITION = ROOT / "cdht" / "catalogue" / "tt25-2023-hai-cap.yaml"
VERDICTS = ["MĐ2", "MĐ2", "MĐ2", "MĐ1", "Không đạt"]


def _units_csv(path: Path, n: int) -> Path:
    lines = ["ma,ten,cap,ma_cap_tren,vung_kho_khan", "BENCH-T,Tỉnh thử tải,tinh,,Không"]
    lines += [f"BENCH-X{k:05d},Xã thử tải {k},xa,BENCH-T,{'Có' if k % 10 == 0 else 'Không'}" for k in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _child_row(k: int, code: str, name: str, indicators: list[str]) -> list:
    """What a merge writes for one commune: mostly received, some late, returned or missing."""
    if k % 20 == 19:
        return [code, name, "Chưa nộp"]
    status = "Trả lại" if k % 20 == 17 else "Đã nộp"
    level = [2, 1, 1, 0, 2, 1][k % 6]
    verdicts = ["MĐ2" if level == 2 else VERDICTS[(k + j) % len(VERDICTS)] if level == 0 else
                ("MĐ1" if (k + j) % 3 == 0 else "MĐ2") for j in range(len(indicators))]
    return [code, name, status, dt.date(YEAR + 1, 2, 1 + k % 28),
            "Không" if k % 13 == 0 else "Có", ["Chưa đạt", "Mức độ 1", "Mức độ 2"][level],
            level if level and status == "Đã nộp" else None, 0 if status == "Đã nộp" else 2, *verdicts,
            f"CDHT_{YEAR}_xa_{code}.xlsx", f"{k:012x}", "0.1.0", f"{YEAR + 1}-03-01 08:00:00", None]


def build_parent(workdir: Path, n: int) -> Path:
    """A two-tier province workbook as a merge leaves it, for ``n`` communes."""
    import openpyxl

    from cdht import contract as L
    from cdht.edition import load_edition
    from cdht.units import read_units
    from cdht.xlsx.names import named_bounds, put
    from cdht_generator.api import generate

    edition = load_edition(EDITION)
    units, problems = read_units(_units_csv(workdir / "units.csv", n))
    assert not problems, problems
    path = generate(edition, "tinh", YEAR, workdir, units=units)[0]
    wb = openpyxl.load_workbook(path)
    ws, r1, c1, _, _ = named_bounds(wb, L.N_CHILDREN)
    header = [ws.cell(r1, c1 + j).value for j in range(ws.max_column)]
    indicators = [h for h in header if h and str(h).startswith("xa.")]
    communes = [u for u in units.of_tier("xa")]
    for k, u in enumerate(communes, start=1):
        for j, v in enumerate(_child_row(k, u.code, u.name, indicators)):
            put(ws.cell(r1 + k, c1 + j), v)
    ws, g1, gc, g2, _ = named_bounds(wb, L.N_REGISTER)
    recognised = [(k, u) for k, u in enumerate(communes, start=1) if k % 6 in (0, 1, 2, 4) and k % 20 not in (17, 19)]
    for row, (k, u) in zip(range(g1, g2 + 1), recognised):
        level = 2 if k % 6 in (0, 4) else 1
        year = YEAR - k % 4  # decisions of this round and the three before: some expire next year
        for j, v in enumerate([u.code, u.name, level, f"{k}/QĐ-UBND", dt.date(year + 1, 3, 20), "Ủy ban nhân dân tỉnh"]):
            put(ws.cell(row, gc + j), v)
    wb.save(path)
    return path


def bench(n: int, workdir: Path) -> dict:
    from cdht.ops import report as R

    t0 = time.perf_counter()
    parent = build_parent(workdir, n)
    build_s = time.perf_counter() - t0
    times = {}
    t = time.perf_counter()
    df = R.long_table(parent)
    times["read_long_table_s"] = time.perf_counter() - t
    t = time.perf_counter()
    dash = R.dashboard_data(df)
    times["dashboard_s"] = time.perf_counter() - t
    t = time.perf_counter()
    R.ministry_report(df, workdir / "bao-cao-bo.xlsx")
    times["ministry_report_s"] = time.perf_counter() - t
    parquet = None
    t = time.perf_counter()
    try:
        R.export_table(df, workdir / "bang.parquet", "parquet")
        parquet = True
    except R.ReportError:  # pyarrow not installed (the `report` extra): timed as CSV instead
        R.export_table(df, workdir / "bang.csv", "csv")
        parquet = False
    times["export_s"] = time.perf_counter() - t
    total = sum(times.values())
    out = {"communes": n, "rows": len(df), "build_s": build_s, **times, "total_s": total,
           "parquet": parquet, "received": int(dash.completeness.loc[0, "count"]),
           "target_met": total < TARGET_S}
    print(f"report: communes={n} rows={len(df)} (input built in {build_s:.1f} s, not timed)")
    for k, v in times.items():
        print(f"  {k:<20} {v:7.2f}")
    print(f"  {'total_s':<20} {total:7.2f}   target < {TARGET_S:.0f} s: {'met' if out['target_met'] else 'NOT met'}"
          + ("" if parquet else "   (pyarrow missing: CSV export timed)"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--communes", type=int, default=3321)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        out = bench(args.communes, Path(d))
    return 0 if out["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
