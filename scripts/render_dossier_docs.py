"""Render the README's pictures of the dossier: page 1 of a tờ trình and of a báo cáo tự đánh giá.

    python scripts/render_dossier_docs.py   # docs/dossier-to-trinh.png, docs/dossier-bao-cao.png

The sample commune (cdht/catalogue/don-vi-mau.csv, MAU-X0101) is issued, filled by defined name
(sample inputs reaching level 2, one evidence row per indicator, xa.5.1 with its level-1 and
level-2 evidence marked in the "Mức độ" column), its dossier made by the library behind
``cdht dossier`` with the sample three-tier profile (names of the bodies above it), LibreOffice
converts the two documents to PDF (one call) and ``pdftoppm -png -r 80 -f 1 -l 1`` makes the
pictures. Needs soffice (libreoffice-writer-nogui) and pdftoppm (poppler-utils). All data are samples.
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

from cdht import contract as L  # noqa: E402
from cdht.edition import load_edition  # noqa: E402
from cdht.fill import SAMPLE_INPUTS, evidence_for, fill  # noqa: E402
from cdht.ops.dossier import build_dossier  # noqa: E402
from cdht.profile import SAMPLE_THREE_TIER  # noqa: E402
from cdht.units import SAMPLE_UNITS, read_units  # noqa: E402
from cdht_generator.api import generate  # noqa: E402
from scripts.libreoffice import soffice_path  # noqa: E402
from scripts.render_docs import to_pdf  # noqa: E402

YEAR = 2026
DOCS = ROOT / "docs"
UNIT = "MAU-X0101"
PICTURES = {"to_trinh": "dossier-to-trinh", "bao_cao": "dossier-bao-cao"}  # document kind → picture name


def sample_commune(folder: Path) -> Path:
    """The sample commune's workbook, issued and filled (level 2, evidence per level on xa.5.1)."""
    edition = load_edition(None)
    units, findings = read_units(SAMPLE_UNITS)
    assert not findings, findings
    template = generate(edition, "xa", YEAR, folder / "issued", units=units, unit_code=UNIT)[0]
    tier = edition.tier("xa")
    rows = [row[:8] + [1 if row[1] == "xa.5.1" else None] for row in evidence_for(tier, dt.date(YEAR, 6, 1))]
    rows.append(["MC16", "xa.5.1", "Danh sách công dân đạt danh hiệu \"Công dân học tập\" (mức độ 2)", "52/DS-KH",
                 dt.date(YEAR, 11, 20), "Hội Khuyến học xã", None, None, 2])
    values = {**SAMPLE_INPUTS["xa"], L.N_PREPARER: "Nguyễn Văn An", L.N_PREPARED_ON: dt.date(YEAR + 1, 2, 10)}
    return fill(template, folder / "filled" / template.name, values, rows)


def render(out_dir: Path = DOCS) -> list[Path]:
    if soffice_path() is None or shutil.which("pdftoppm") is None:
        raise SystemExit("Cần LibreOffice (soffice) và pdftoppm: apt-get install -y libreoffice-writer-nogui poppler-utils")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="cdht-ho-so-") as tmp:
        tmp = Path(tmp)
        res = build_dossier(sample_commune(tmp), tmp / "ho-so", profile=SAMPLE_THREE_TIER)
        if not res.ok:
            raise SystemExit("\n".join(f.text() for f in res.findings))
        docs = {kind: res.documents[kind] for kind in PICTURES}
        pdfs = to_pdf(list(docs.values()), tmp / "pdf")
        for kind, doc in docs.items():
            target = out_dir / f"{PICTURES[kind]}.png"
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdfs[doc]),
                            str(target.with_suffix(""))], check=True, timeout=120)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Vẽ ảnh trang đầu của tờ trình và báo cáo tự đánh giá (mẫu) vào docs/.")
    ap.add_argument("--out", type=Path, default=DOCS)
    args = ap.parse_args(argv)
    for p in render(args.out):
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}  {p.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
