"""Saving a workbook without ever leaving a half-written file: the one home of the atomic save.

* :func:`write_atomic` — write through a temporary file in the target's folder, flushed to disk,
  then renamed over the target (``os.replace``); the temporary file never survives a failure, and
  a later run removes those of killed runs (:func:`clean_stale_temps`). What was there is kept: a
  link stays a link (its target is written), mode and owner are kept, hard links are not broken.
* :func:`save_atomic` — an openpyxl workbook (or anything with ``save(path)``) through
  :func:`write_atomic`; used for files the tool creates (templates, department forms).
* :func:`load_for_write` / :func:`save_safely` — a user's workbook: refused while Excel / LibreOffice
  holds it open (W022) or while it is read-only (W050), the previous file kept as ``<name>.bak``
  (:func:`write_backup`: never left half-written, never blocked by an old one), then the atomic
  write; failures come back as coded findings (W023), never as exceptions.
* :class:`WriterLock` — one writer at a time: a lock file beside the workbook, created
  exclusively, holding the writer's pid, host and start time; a second writer waits briefly, then
  is refused (W030); a lock left by a crashed run on this machine is cleared.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import platform
import re
import stat
import time
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
    """Open a user's workbook with openpyxl for a later :func:`save_safely` (warnings silenced;
    openpyxl imported without numpy: :mod:`cdht.xlsx.book`)."""
    from cdht.xlsx.book import load_workbook
    return load_workbook(path)


def backup_path(path: Path) -> Path:
    """Where :func:`save_safely` keeps the previous version of ``path``."""
    return path.with_name(path.name + ".bak")


def _host_tag() -> str:
    """This machine, as 8 hex digits (temporary file names carry it, so a later run can tell its own)."""
    return hashlib.sha256(platform.node().encode("utf-8", "replace")).hexdigest()[:8]


def temp_prefix(prefix: str = "") -> str:
    """The prefix of this process's temporary files: ``.~cdht-<host>-<pid>-`` (``prefix``: another
    kind's, e.g. the dossier's temporary folders ``.cdht-ho-so-<host>-<pid>-``)."""
    return f"{prefix or TEMP_PREFIX}{_host_tag()}-{os.getpid()}-"


def _stale(name: str, st: os.stat_result, prefix: str) -> bool:
    """Whether the temporary entry ``name`` was left by a killed run: this machine's whose process
    no longer runs; another machine's (or an older version's, no pid in its name) when older than
    :data:`STALE_AFTER`."""
    m = re.match(rf"^{re.escape(prefix)}(?P<host>[0-9a-f]{{8}})-(?P<pid>\d+)-", name)
    if m and m["host"] == _host_tag():
        return int(m["pid"]) != os.getpid() and not _alive(int(m["pid"]))
    return time.time() - st.st_mtime > STALE_AFTER


def clean_stale_temps(folder: Path, prefix: str = TEMP_PREFIX, *, dirs: bool = False) -> list[Path]:
    """Remove the temporary files (``dirs``: folders, with what they hold) named ``prefix…`` that a
    killed run left in ``folder`` (:func:`_stale`: only dead processes of this machine, or old
    ones). Lock files and links are never touched, nor anything of the other kind. Returns what
    was removed."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    kind = stat.S_ISDIR if dirs else stat.S_ISREG
    for e in entries:
        if not e.name.startswith(prefix) or ".lock" in e.name:
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if kind(st.st_mode) and _stale(e.name, st, prefix):
            try:
                if dirs:
                    import shutil
                    shutil.rmtree(e.path)
                else:
                    os.unlink(e.path)
                removed.append(Path(e.path))
            except OSError:
                pass
    return removed


_CLEANED: dict[str, float] = {}  # folder → when this process last cleaned it
CLEAN_EVERY = 60.0  # seconds: issuing 3,000 workbooks into one folder lists it once, not 3,000 times


def clean_once(folder: Path) -> None:
    """:func:`clean_stale_temps` of ``folder``, at most once a minute per process: every write, and
    the runs that write nothing there (a dry-run merge, a dossier), so no temporary file of a
    killed run survives a later run."""
    key, now = str(folder), time.monotonic()
    if now - _CLEANED.get(key, -CLEAN_EVERY) >= CLEAN_EVERY:
        _CLEANED[key] = now
        clean_stale_temps(folder)


def real_path(path: Path) -> Path:
    """The file ``path`` names, every symbolic link followed: writes update the link's target and
    leave the link a link."""
    return Path(os.path.realpath(path))


def _fsync(path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; nothing to do elsewhere)."""
    if os.name != "posix":
        return
    try:
        _fsync(folder)
    except OSError:
        pass


def _keep_mode_and_owner(tmp: str, old: os.stat_result | None) -> None:
    """The new file gets the old one's permissions and owner; a new file the usual permissions
    (``0o666`` less the umask), never mkstemp's owner-only ones."""
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        mine = os.stat(tmp)
        if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
            for uid, gid in ((old.st_uid, old.st_gid), (-1, old.st_gid)):
                try:
                    os.chown(tmp, uid, gid)
                    break
                except OSError:  # not allowed to give the file away: keep at least the group if we can
                    continue


def _write_in_place(tmp: str, target: Path) -> None:
    """Copy the finished ``tmp`` over ``target``'s own bytes, so every hard link to it sees the new
    content. The old bytes are put back if the copy fails (they fit: the file already held them)."""
    import shutil

    old = target.read_bytes()
    with open(target, "r+b") as dst:
        try:
            with open(tmp, "rb") as src:
                shutil.copyfileobj(src, dst)
            dst.truncate()
            dst.flush()
            os.fsync(dst.fileno())
        except OSError:
            dst.seek(0)
            dst.write(old)
            dst.truncate(len(old))
            dst.flush()
            os.fsync(dst.fileno())
            raise


_LIBXML_IO = re.compile(r"\bIO_(E[A-Z]+)\b")


def _write_reporting_os_errors(write: Callable[[str], object], tmp: str) -> None:
    """``write(tmp)``; a write error the XML serializer (lxml, under openpyxl) reports as its own
    ``SerialisationError: IO_ENOSPC`` is raised as the ``OSError`` it is (disk full, file too
    large), so callers tell it like any other."""
    try:
        write(tmp)
    except OSError:
        raise
    except Exception as e:
        m = _LIBXML_IO.search(str(e))
        code = getattr(errno, m.group(1), None) if m else None
        if code is None:
            raise
        raise OSError(code, os.strerror(code), tmp) from e


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def write_atomic(path: Path, write: Callable[[str], object], *,
                 before_replace: Callable[[], object] | None = None) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, flush it to disk, then rename it over
    ``path``. What was there is kept: a symbolic link stays a link and its target is written; the
    file keeps its permissions and owner (a new one gets ``0o666`` less the umask); a file with
    other hard links is rewritten in place once the new content is complete on disk, so the links
    are not broken. ``before_replace`` runs after the write succeeded and before the rename (e.g. a backup).
    Stale temporary files of killed runs in that folder are removed first. Raises ``OSError``; the
    temporary file is removed whatever happens."""
    import tempfile  # (imported when a file is written: a dry run never pays for it)

    target = real_path(Path(path))
    clean_once(target.parent)
    old = _stat(target)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        _write_reporting_os_errors(write, tmp)
        _fsync(tmp)
        _keep_mode_and_owner(tmp, old)
        if before_replace is not None:
            before_replace()
        if old is not None and old.st_nlink > 1:
            _write_in_place(tmp, target)
        else:
            os.replace(tmp, target)
            _fsync_dir(target.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_atomic(wb, path: Path) -> None:
    """Save ``wb`` (``wb.save(filename)``) to ``path`` atomically (:func:`write_atomic`), creating
    the folder; raises ``OSError``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, wb.save)


def read_only(path: Path) -> bool:
    """Whether the existing file ``path`` is marked read-only: no write permission for anyone (the
    read-only attribute as Windows and shared drives show it), or none for this user."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return not (st.st_mode & 0o222) or not os.access(path, os.W_OK)


def read_only_finding(path: Path) -> Finding | None:
    """CDHT-W050 naming ``path`` when it is read-only (:func:`read_only`), else None."""
    return finding("CDHT-W050", file=Path(path).name) if read_only(path) else None


def write_backup(target: Path) -> Path | None:
    """Keep the current ``target`` as ``<name>.bak`` beside it: copied to a temporary file, flushed
    to disk, then renamed over the previous backup — so a backup is never left half-written (disk
    full) and an old, read-only backup never blocks a run. Raises ``OSError``."""
    if not target.exists():
        return None
    import shutil
    import tempfile

    bak = backup_path(target)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".bak", dir=target.parent)
    os.close(fd)
    try:
        shutil.copy2(target, tmp)  # content, mode and times
        _fsync(tmp)
        os.replace(tmp, bak)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return bak


def save_safely(wb, path: Path) -> Finding | None:
    """Save ``wb`` over a user's ``path``: refuse if open (W022) or read-only (W050), keep
    ``<name>.bak`` (:func:`write_backup`), write atomically (:func:`write_atomic`: links, mode and
    owner kept); an ``OSError`` becomes W023. Returns None on success."""
    path = Path(path)
    lock = lock_file(path)
    if lock is not None:
        return finding("CDHT-W022", file=path.name, lock=lock.name)
    problem = read_only_finding(path)
    if problem is not None:
        return problem
    target = real_path(path)
    try:
        write_atomic(path, wb.save, before_replace=lambda: write_backup(target))
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
        self.file = lock_path(real_path(self.path))  # two links to one workbook share its lock
        self.held = False
        self.stamp = json.dumps({"pid": os.getpid(), "host": platform.node(),
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
        if holder.get("host") == platform.node() and os.name == "posix":
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
