"""Build the committed blank templates: one per tier of the default edition, for a reporting year.

    python scripts/build_templates.py              # workbook_templates/2026/ (assessment year 2026, filed 2027)
    python scripts/build_templates.py --year 2027  # another year

The files are what ``cdht generate --tier T --year N --out workbook_templates/N`` writes, with the
zip entry times and the "modified" document date pinned to the template's own date (01/01/N+1),
so that rebuilding unchanged templates gives byte-identical files and no spurious git change.
``tests/test_templates_fresh.py`` fails when the committed files no longer match the generator.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cdht_generator.api import generate  # noqa: E402
from cdht.edition import load_edition  # noqa: E402

CURRENT_YEAR = 2026  # the reporting year the committed templates are for
OUT_DIR = ROOT / "workbook_templates"
COMMAND = "python scripts/build_templates.py"

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")


def pin_dates(path: Path, year: int) -> None:
    """Rewrite ``path`` with fixed zip entry times and dcterms:modified = dcterms:created."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    fd, tmp = tempfile.mkstemp(prefix=".~cdht-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in entries:
                if info.filename == "docProps/core.xml":
                    created = _CREATED.search(data)
                    if created:
                        data = _MODIFIED.sub(lambda m: m.group(1) + created.group(1) + m.group(2), data)
                pinned = zipfile.ZipInfo(info.filename, date_time=(year + 1, 1, 1, 0, 0, 0))
                pinned.compress_type = zipfile.ZIP_DEFLATED
                pinned.external_attr = 0o644 << 16
                out.writestr(pinned, data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build(year: int = CURRENT_YEAR, out_dir: Path = OUT_DIR) -> list[Path]:
    """The blank template of every tier of the default edition, in ``out_dir/<year>/``."""
    edition = load_edition(None)
    target = Path(out_dir) / str(year)
    paths = []
    for tier in edition.tiers:
        for path in generate(edition, tier, year, target):
            pin_dates(path, year)
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Tạo lại các biểu mẫu trống trong workbook_templates/<năm>/.")
    ap.add_argument("--year", type=int, default=CURRENT_YEAR, help=f"năm đánh giá N (mặc định {CURRENT_YEAR})")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="thư mục gốc (mặc định workbook_templates/)")
    args = ap.parse_args(argv)
    try:
        paths = build(args.year, args.out)
    except Exception as e:  # GenerateError carries coded findings
        print(e, file=sys.stderr)
        return 1
    for p in paths:
        print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
