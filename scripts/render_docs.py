"""Render the README's pictures of the templates: a filled sample of every tier, through LibreOffice.

    python scripts/render_docs.py        # docs/template-<tier>.png, docs/template-<tier>-ban-tong-hop.png,
                                         # docs/merged-huyen.png (a district after `cdht demo`'s merge),
                                         # docs/tong-quan-tinh.png, docs/tong-quan-tinh-xu-huong.png,
                                         # docs/bao-cao-bo.png (issue 16)
    python scripts/render_docs.py --only reports   # just the last three

For each tier the sample unit's workbook (cdht/catalogue/don-vi-mau.csv) is filled by defined
name, every picture gets a temporary copy in which only its sheet is visible and fits one page,
LibreOffice recalculates them (one call) and prints them to PDF (one call), and pdftoppm turns the
first page into a PNG. Needs soffice (libreoffice-calc-nogui) and pdftoppm (poppler-utils).
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from cdht import contract as L  # noqa: E402
from cdht_generator.api import generate  # noqa: E402
from cdht.edition import load_edition  # noqa: E402
from cdht.units import SAMPLE_UNITS, read_units  # noqa: E402
from cdht.fill import cell_of, write_evidence, write_values  # noqa: E402
from scripts.libreoffice import recalc, soffice_path  # noqa: E402

YEAR = 2026
DOCS = ROOT / "docs"
UNIT_OF = {"xa": "MAU-X0101", "huyen": "MAU-H01", "tinh": "MAU-T01"}
SHEETS = {L.SHEET_SELF: "", L.SHEET_SUMMARY: "-ban-tong-hop"}  # sheet → file name suffix
DAT, KHONG_DAT = "Đạt", "Không đạt"

# A plausible filled unit per tier (level 1 for the commune and the district, level 2 for the
# province), with one indicator left without evidence to show the orange warning.
SAMPLE = {
    "xa": {"tong_so_cong_dan": 6240, "vung_kho_khan": "Không", "xa_4_2": 3, "xa_4_3": 2, "xa_4_4": 2,
           "xa_5_1_so_cong_dan_hoc_tap": 4180, "xa_5_2_so_duoc_dao_tao": 3312, "xa_5_2_so_dai_hoc": 811},
    "huyen": {"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 6, "huyen_4_1_so_xa_muc_do_2": 2,
              "huyen_4_2_nam_nay": 58.4, "huyen_4_2_nam_truoc": 54.9,
              "huyen_4_3_nam_nay": 91.2, "huyen_4_3_nam_truoc": 90.6},
    "tinh": {"tinh_3_4_so_chuong_trinh": 5, "tinh_3_5_so_chuong_trinh": 6, "tinh_3_5_hoc_lieu_mo": "Có",
             "tinh_4_1_tong_so_huyen": 2, "tinh_4_1_so_huyen_muc_do_1": 2, "tinh_4_1_so_huyen_muc_do_2": 2,
             "tinh_4_2_nam_nay": 2.1, "tinh_4_2_nam_truoc": 2.8,
             "tinh_4_3_nam_nay": 148350, "tinh_4_3_nam_truoc": 139120},
}
TARGET = {"xa": 1, "huyen": 1, "tinh": 2}


def fill_sample(wb, tier) -> None:
    """Fill inputs, evidence and the council's appraisal of ``tier`` by defined name."""
    values = dict(SAMPLE[tier.code])
    for f in tier.fields.values():
        values.setdefault(f.key, DAT)
    values[L.N_PREPARER] = "Nguyễn Văn An"
    values[L.N_PREPARED_ON] = dt.date(YEAR + 1, 1, 20)
    write_values(wb, values)
    write_evidence(wb, [[f"MC{k:02d}", ind.id, (ind.evidence or [f"Văn bản minh chứng {ind.id}"])[0],
                         f"{k}/KH-UBND", dt.date(YEAR, 3, 1), "Ủy ban nhân dân"]
                        for k, ind in enumerate(tier.indicators[:-1], start=1)])  # the last one: no evidence yet
    write_values(wb, {L.appraisal_name(ind.id): DAT for ind in tier.indicators})
    cell_of(wb, L.N_APPRAISAL_TARGET).value = TARGET[tier.code]


def only_sheet(src: Path, sheet: str, dst: Path) -> Path:
    """A copy of ``src`` printing just ``sheet``, on one page."""
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        if ws.title != sheet and ws.sheet_state == "visible":
            ws.sheet_state = "hidden"
    ws = wb[sheet]
    wb.active = wb.worksheets.index(ws)
    ws.page_setup.fitToHeight = 1
    wb.save(dst)
    return dst


def to_pdf(paths: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Print already recalculated workbooks to PDF in one soffice call (cached values are kept)."""
    profile = Path(tempfile.mkdtemp(prefix="cdht-lo-pdf-"))
    try:
        subprocess.run([soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
                       check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return {p: out_dir / f"{p.stem}.pdf" for p in paths}


REPORT_DPI = 80  # the dashboard and the Ministry report: pdftoppm -png -r 80 -singlefile


def report_books(tmp: Path) -> dict[str, Path]:
    """The demo province of YEAR merged with YEAR - 1's as --previous: two copies printing only
    "Tổng quan" (sections 1–4; sections 5–6, trends and districts), each on one page, and its
    report to the Ministry (``cdht report`` with the districts' books as --children and last
    year's as --previous)."""
    from cdht.cli.demo import run_demo
    from cdht.ops import report as R
    from cdht.ops.merge import merge

    last, now = run_demo(tmp / "bao-cao" / str(YEAR - 1), YEAR - 1), run_demo(tmp / "bao-cao" / str(YEAR), YEAR)
    merge(now.province, [now.out / "nop-tinh"], previous=[last.province], now=dt.datetime(YEAR + 1, 5, 20, 9, 0))
    out = tmp / "filled"
    out.mkdir(parents=True, exist_ok=True)
    books = {}
    wb = openpyxl.load_workbook(now.province)
    trends = _bounds(wb, L.N_OV_TREND_LEVELS)[1] - 2              # sections 1–4 above, 5–6 from here
    bottom = _bounds(wb, L.N_OV_DISTRICTS)[3]
    for stem, rows in (("tong-quan-tinh", f"1:{trends - 1}"), ("tong-quan-tinh-xu-huong", f"{trends}:{bottom + 16}")):
        books[stem] = only_sheet(now.province, L.SHEET_OVERVIEW, out / f"{stem}.xlsx")
        wb = openpyxl.load_workbook(books[stem])
        r1, r2 = rows.split(":")
        wb[L.SHEET_OVERVIEW].print_area = f"A{r1}:R{r2}"
        wb.save(books[stem])
    df = R.long_table(now.province, children=[now.out / "nop-tinh"])
    books["bao-cao-bo"] = R.ministry_report(df, out / "bao-cao-bo.xlsx", [R.long_table(last.province)])
    return books


def _bounds(wb, name: str):
    from cdht.xlsx.names import named_bounds

    ws, r1, c1, r2, _ = named_bounds(wb, name)
    return ws, r1, c1, r2


def render_reports(out_dir: Path = DOCS) -> list[Path]:
    """The dashboard's and the Ministry report's pictures: soffice → PDF → pdftoppm (first page)."""
    _need_tools()
    written = []
    with tempfile.TemporaryDirectory(prefix="cdht-docs-") as tmp:
        books = report_books(Path(tmp))
        pdfs = to_pdf(list(books.values()), Path(tmp) / "pdf")
        for stem, src in books.items():
            target = out_dir / f"{stem}.png"
            subprocess.run(["pdftoppm", "-png", "-r", str(REPORT_DPI), "-singlefile", str(pdfs[src]),
                            str(target.with_suffix(""))], check=True, timeout=120)
            written.append(target)
    return written


def _need_tools() -> None:
    if soffice_path() is None or shutil.which("pdftoppm") is None:
        raise SystemExit("Cần LibreOffice (soffice) và pdftoppm: apt-get install -y libreoffice-calc-nogui poppler-utils")


def render(out_dir: Path = DOCS, width: int = 1000) -> list[Path]:
    _need_tools()
    edition = load_edition(None)
    units, findings = read_units(SAMPLE_UNITS)
    assert not findings, findings
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="cdht-docs-") as tmp:
        tmp = Path(tmp)
        copies = {}
        for code, tier in edition.tiers.items():
            path = generate(edition, code, YEAR, tmp / "issued", units=units, unit_code=UNIT_OF[code])[0]
            wb = openpyxl.load_workbook(path)
            fill_sample(wb, tier)
            filled = tmp / "filled" / path.name
            filled.parent.mkdir(exist_ok=True)
            wb.save(filled)
            for sheet, suffix in SHEETS.items():
                copies[f"template-{code}{suffix}"] = only_sheet(
                    filled, sheet, tmp / "filled" / f"template-{code}{suffix}.xlsx")
        # a merged district: the demo's MAU-H01 after its communes were merged
        from cdht.cli.demo import run_demo
        demo = run_demo(tmp / "demo", YEAR)
        merged = only_sheet(demo.districts["MAU-H02"], L.SHEET_CHILDREN, tmp / "filled" / "merged-huyen.xlsx")
        wb = openpyxl.load_workbook(merged)  # readable on one page: hide the per-indicator columns
        ws = wb[L.SHEET_CHILDREN]
        n_ind = len(edition.tier("xa").indicators)
        for col in range(len(L.CHILD_FIXED_COLUMNS) + 1, len(L.CHILD_FIXED_COLUMNS) + n_ind + 1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(col)].hidden = True
        ws.column_dimensions[openpyxl.utils.get_column_letter(len(L.CHILD_FIXED_COLUMNS) + n_ind + 5)].width = 60
        wb.save(merged)
        copies["merged-huyen"] = merged
        values = recalc(list(copies.values()), tmp / "recalculated")
        pdfs = to_pdf(list(values.values()), tmp / "pdf")
        for stem, src in copies.items():
            target = out_dir / f"{stem}.png"
            subprocess.run(["pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(width),
                            str(pdfs[values[src]]), str(target.with_suffix(""))], check=True, timeout=120)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Vẽ ảnh các biểu mẫu (đã điền mẫu) vào docs/.")
    ap.add_argument("--out", type=Path, default=DOCS)
    ap.add_argument("--width", type=int, default=1000, help="cạnh dài của ảnh, điểm ảnh (≈ 150 KB ở 1000)")
    ap.add_argument("--only", choices=["templates", "reports"],
                    help="chỉ vẽ ảnh biểu mẫu (templates) hoặc chỉ ảnh Tổng quan và báo cáo gửi Bộ (reports)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    pictures = [] if args.only == "reports" else render(args.out, args.width)
    pictures += [] if args.only == "templates" else render_reports(args.out)
    for p in pictures:
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}  {p.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
