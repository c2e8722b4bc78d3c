"""Saving a workbook without ever leaving a half-written file: the one home of the atomic save.

* :func:`write_atomic` — write through a temporary file in the target's folder, then rename over
  the target (``os.replace``); the temporary file never survives a failure.
* :func:`save_atomic` — an openpyxl workbook (or anything with ``save(path)``) through
  :func:`write_atomic`; used for files the tool creates (templates, department forms).
* :func:`load_for_write` / :func:`save_safely` — a user's workbook: refused while Excel / LibreOffice holds it open (W022),
  the previous file kept as ``<name>.bak``, then the atomic write; failures come back as coded
  findings (W023), never as exceptions.
* :class:`WriterLock` — one writer at a time: a lock file beside the workbook, created
  exclusively, holding the writer's pid, host and start time; a second writer waits briefly, then
  is refused (W030); a lock left by a crashed run on this machine is cleared.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import tempfile
import time
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


LOCK_WAIT = 10.0           # seconds a second writer waits for the first before it is refused
STALE_AFTER = 6 * 3600     # a lock whose writer cannot be checked (another machine) is stale after this


def lock_path(path: Path) -> Path:
    """The writer lock of ``path`` (named like a temporary file, so merges never read it)."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}.lock")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine still runs (True when it cannot be told)."""
    if pid <= 0:
        return False
    if os.name != "posix":  # no signal 0 there: only the age of the lock tells
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


class WriterLock:
    """A lock file beside ``path``: ``acquire()`` returns None when held, else the refusal (W030);
    ``release()`` removes it (only if it is still this writer's). Also a context manager."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.file = lock_path(self.path)
        self.held = False
        self.stamp = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started": dt.datetime.now().isoformat(timespec="seconds")}).encode()

    def acquire(self, wait: float | None = None) -> Finding | None:
        deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
        while True:
            try:
                fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is None or self._clear_stale(holder):
                    continue
                if time.monotonic() >= deadline:
                    return self._refusal(holder)
                time.sleep(0.2)
                continue
            except OSError as e:
                return finding("CDHT-W023", file=self.file.name, reason=os_reason(e))
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.stamp)
            self.held = True
            return None

    def _holder(self) -> dict | None:
        """The lock's content; None when it vanished meanwhile. A lock being written (empty for a
        moment) or unreadable counts as held by an unknown writer."""
        try:
            raw = self.file.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            raw = b""
        try:
            info = json.loads(raw)
        except ValueError:
            info = None
        return info if isinstance(info, dict) else {"raw": raw}

    def _stale(self, holder: dict) -> bool:
        try:
            age = time.time() - self.file.stat().st_mtime
        except OSError:
            return False
        if "pid" not in holder:  # being written right now, or garbage: stale only when old
            return age > 60
        if holder.get("host") == socket.gethostname() and os.name == "posix":
            return not _alive(int(holder.get("pid") or 0))
        return age > STALE_AFTER

    def _clear_stale(self, holder: dict) -> bool:
        """Remove a stale lock safely: moved aside under a name of our own (only one writer can),
        removed if it is still the stale one, else put back. True when the caller may retry."""
        if not self._stale(holder):
            return False
        aside = self.file.with_name(f"{self.file.name}.{os.getpid()}.stale")
        try:
            os.replace(self.file, aside)
        except OSError:
            return True  # someone else moved it first: try again
        try:
            if json.loads(aside.read_bytes() or b"null") != holder and "raw" not in holder:
                os.link(aside, self.file)  # a fresh lock taken meanwhile: give it back
        except (OSError, ValueError):
            pass
        finally:
            try:
                os.unlink(aside)
            except OSError:
                pass
        return True

    def _refusal(self, holder: dict) -> Finding:
        return finding("CDHT-W030", file=self.path.name, lock=self.file.name, pid=holder.get("pid", "?"),
                       host=holder.get("host", "?"), started=str(holder.get("started", "?")).replace("T", " "))

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            if self.file.read_bytes() == self.stamp:
                os.unlink(self.file)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
