"""Step 1, collect: the source workbooks named, or found in the folders named."""
from __future__ import annotations

import errno
import os
from pathlib import Path

from cdht.messages import Finding, finding, os_reason
from cdht.xlsx.save import TEMP_PREFIX

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def collect_sources(sources: list[str | Path], parent: Path) -> tuple[list[Path], list[Finding]]:
    """Workbooks named or found (recursively) in folders; lock files and others noted, not read.

    The parent itself, the same file reached twice and the tool's own temporary files are skipped
    silently; anything else that is not a workbook (``*.bak`` backups too) is noted (M010)."""
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
            for q, rq in _walk(p):
                consider(q, rq)
        elif p.exists():
            consider(p)
        else:
            notes.append(finding("CDHT-W001", file=p.name, reason=os_reason(FileNotFoundError(errno.ENOENT, ""))))
    return files, notes


def _walk(folder: Path) -> list[tuple[Path, Path]]:
    """Every file under ``folder`` (as found, resolved), sorted; one directory listing each, no
    stat per file."""
    root, found = folder.resolve(), []
    for dirpath, _dirs, names in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        found += [(Path(dirpath, n), root / rel / n) for n in names if not n.startswith(TEMP_PREFIX)]
    return sorted(found)
