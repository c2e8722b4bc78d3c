"""Saving a workbook without ever leaving a half-written file: the one home of the atomic save.

* :func:`write_atomic` — write through a temporary file in the target's folder, then rename over
  the target (``os.replace``); the temporary file never survives a failure.
* :func:`save_atomic` — an openpyxl workbook (or anything with ``save(path)``) through
  :func:`write_atomic`; used for files the tool creates (templates, department forms).
* :func:`load_for_write` / :func:`save_safely` — a user's workbook: refused while Excel / LibreOffice holds it open (W022),
  the previous file kept as ``<name>.bak``, then the atomic write; failures come back as coded
  findings (W023), never as exceptions.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Callable

from cdht.messages import Finding, finding, os_reason

TEMP_PREFIX = ".~cdht-"  # merges skip files named like this (a save in progress)


def lock_file(path: Path) -> Path | None:
    """The Excel / LibreOffice lock file of ``path`` if the workbook is open somewhere."""
    name = path.name
    for cand in (f"~${name}", f"~${name[2:]}", f".~lock.{name}#"):
        p = path.with_name(cand)
        if p.exists():
            return p
    return None


def load_for_write(path: Path):
    """Open a user's workbook with openpyxl for a later :func:`save_safely` (warnings silenced)."""
    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def backup_path(path: Path) -> Path:
    """Where :func:`save_safely` keeps the previous version of ``path``."""
    return path.with_name(path.name + ".bak")


def write_atomic(path: Path, write: Callable[[str], object], *, shared: bool = False,
                 before_replace: Callable[[], object] | None = None) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    ``shared``: give the new file the usual permissions (``0o666`` less the umask) instead of
    mkstemp's owner-only ones — for files meant to be handed out. ``before_replace`` runs after
    the write succeeded and before the rename (e.g. a backup). Raises ``OSError``; the temporary
    file is removed whatever happens."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if shared:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        write(tmp)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_atomic(wb, path: Path, *, shared: bool = True) -> None:
    """Save ``wb`` (``wb.save(filename)``) to ``path`` atomically, creating the folder; raises
    ``OSError``. ``shared`` as in :func:`write_atomic` (default on: a file the tool issues)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, wb.save, shared=shared)


def save_safely(wb, path: Path) -> Finding | None:
    """Save ``wb`` over a user's ``path``: refuse if open (W022), keep ``<name>.bak``, write
    atomically; an ``OSError`` becomes W023. Returns None on success."""
    path = Path(path)
    lock = lock_file(path)
    if lock is not None:
        return finding("CDHT-W022", file=path.name, lock=lock.name)

    def backup():
        if path.exists():
            shutil.copy2(path, backup_path(path))

    try:
        write_atomic(path, wb.save, before_replace=backup)
    except OSError as e:
        return finding("CDHT-W023", file=path.name, reason=os_reason(e))
    return None
