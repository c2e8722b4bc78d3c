"""Step 1, collect: the source workbooks named, or found in the folders named."""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from cdht.messages import Finding, finding, os_reason
from cdht.paths import display_name
from cdht.xlsx.save import TEMP_PREFIX

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def control_chars(name: str) -> list[str]:
    """The characters of a file name that cannot be written into a workbook (``U+000B``…): control
    characters, and the stand-ins Python uses for bytes that are not UTF-8 (``U+DCFF``, a name
    made on another system). None for a sound name."""
    if _CONTROL.search(name) is None:  # (the usual case, without a look at each character in Python)
        return []
    return sorted({f"U+{ord(ch):04X}" for ch in _CONTROL.findall(name)})


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def collect_sources(sources: list[str | Path], parent: Path) -> tuple[list[Path], list[Finding]]:
    """Workbooks named or found (recursively) in folders; lock files and others noted, not read.

    The parent itself, the same file reached twice and the tool's own temporary files are skipped
    silently; anything else that is not a workbook (``*.bak`` backups too) is noted (M010); a name
    with control characters is refused unread (M025); a sub-folder or link that cannot be opened is
    noted (M026) — its units are then missing for a reason the clerk can see."""
    files, notes, seen = [], [], set()
    parent_r = parent.resolve()

    def consider(p: Path, rp: Path | None = None):
        rp = rp or p.resolve()
        if rp == parent_r or rp in seen:
            return
        seen.add(rp)
        if control_chars(p.name):
            notes.append(finding("CDHT-M025", file=display_name(p.name), chars=", ".join(control_chars(p.name))))
        elif p.name.startswith("~$") or p.name.startswith(".~lock."):
            notes.append(finding("CDHT-W005", file=p.name))
        elif p.suffix.lower() in WORKBOOK_SUFFIXES:
            if not p.name.endswith(".bak"):
                files.append(p)
        else:
            notes.append(finding("CDHT-M010", file=p.name))

    for s in sources:
        p = Path(s)
        if p.is_dir():
            for q, rq in _walk(p, notes):
                consider(q, rq)
        elif p.exists():
            consider(p)
        else:
            notes.append(finding("CDHT-W001", file=p.name, reason=os_reason(FileNotFoundError(errno.ENOENT, ""))))
    return files, notes


def _walk(folder: Path, notes: list[Finding]) -> list[tuple[Path, Path]]:
    """Every file under ``folder`` (as found, resolved), sorted. Linked sub-folders are followed
    once each (a loop ends at a folder already seen); a sub-folder that cannot be listed, or a
    link to nothing that could be a folder (dangling, a loop of links), is noted (M026) with the
    system's reason instead of being skipped in silence."""
    root, found, visited = folder.resolve(), [], set()
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            st = os.stat(here)
            if (st.st_dev, st.st_ino) in visited:
                continue
            visited.add((st.st_dev, st.st_ino))
            with os.scandir(here) as it:
                entries = list(it)
        except OSError as e:
            notes.append(_unopened(folder, here, e))
            continue
        rel = Path(here).relative_to(folder)
        for e in entries:
            if e.name.startswith(TEMP_PREFIX):
                continue
            kind = _kind(e)
            if kind == "dir":
                stack.append(Path(e.path))
            elif isinstance(kind, OSError) and Path(e.name).suffix.lower() not in WORKBOOK_SUFFIXES:
                notes.append(_unopened(folder, Path(e.path), kind))
            else:  # a file (a link to a missing workbook is read, and refused, as that file)
                found.append((Path(e.path), root / rel / e.name))
    return sorted(found, key=lambda f: f[0])  # (by path: no two entries share one)


def _kind(entry: os.DirEntry):
    """"dir", "file", or the ``OSError`` of a link that leads nowhere (dangling, a loop)."""
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_symlink():
            os.stat(entry.path)  # raises for a dangling link or a loop: the system says why
    except OSError as e:
        return e
    return "file"


def _unopened(folder: Path, path: Path, error: OSError) -> Finding:
    where = Path(folder.name) / Path(path).relative_to(folder) if Path(path) != folder else Path(folder.name)
    return finding("CDHT-M026", file=display_name(where.as_posix()), folder=display_name(where.as_posix()),
                   reason=os_reason(error))
