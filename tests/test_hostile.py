"""Hostile files and shared folders (issue 18): every case runs under a timeout, a hostile source
is refused with a coded message naming it, and the other sources still merge.

Timeouts: the CLI cases run the installed ``cdht`` in a subprocess (``timeout=``); the in-process
cases under :func:`alarm` (SIGALRM), so a hang fails the test instead of stalling the suite.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import cdht.xlsx.save as save_mod
from cdht.ops.merge import merge
from tests.merge_fixtures import H01_COMMUNES, YEAR

POSIX = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")
CLI = [sys.executable, "-c", "from cdht.cli.main import main; main()"]


@contextlib.contextmanager
def alarm(seconds: int):
    """Fail (TimeoutError) instead of hanging when the block runs longer than ``seconds``."""
    def ring(*_):
        raise TimeoutError(f"still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def cli(*args, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture
def parent(kit, tmp_path) -> Path:
    return kit.parent(tmp_path / "tong-hop" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx")


def inbox_with(kit, folder: Path, units) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for u in units:
        kit.commune(folder / f"CDHT_{YEAR}_xa_{u}.xlsx", u)
    return folder


def refused(result) -> dict[str, str]:
    """file name → code of every refused source."""
    return {Path(x["file"]).name: x["code"] for x in result.as_dict()["refused"]}


def merged(result) -> list[str]:
    return sorted(m["unit_code"] for m in result.as_dict()["merged"])


# -------------------------------------------------------------------------------------------------
# 1. Only regular files: a FIFO and a link to /dev/zero never hang nor eat memory
# -------------------------------------------------------------------------------------------------

def _special_files(folder: Path) -> tuple[Path, Path]:
    fifo, zero = folder / "x.xlsx", folder / "zero.xlsx"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    return fifo, zero


@POSIX
def test_merge_refuses_a_fifo_and_a_link_to_dev_zero_and_merges_the_rest(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    _special_files(inbox)
    with alarm(90):
        r = merge(parent, [inbox])
    assert refused(r) == {"x.xlsx": "CDHT-W027", "zero.xlsx": "CDHT-W027"}
    assert merged(r) == H01_COMMUNES[:2] and r.written
    kinds = {Path(x["file"]).name: x["message"] for x in r.as_dict()["refused"]}
    assert "FIFO" in kinds["x.xlsx"] and "thiết bị" in kinds["zero.xlsx"]


@POSIX
@pytest.mark.parametrize("name", ["x.xlsx", "zero.xlsx"])
def test_compute_refuses_a_special_file_quickly(tmp_path, name):
    special = dict(zip(("x.xlsx", "zero.xlsx"), _special_files(tmp_path)))[name]
    res = cli("compute", "--json", special, timeout=60)  # hung for ever / read 2.7 GB before
    assert "CDHT-W027" in res.stdout + res.stderr, res.stdout + res.stderr


@POSIX
def test_merge_cli_with_a_fifo_finishes(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    _special_files(inbox)
    res = cli("merge", "--dry-run", "--json", parent, inbox, timeout=120)
    out = json.loads(res.stdout)
    assert sorted(x["code"] for x in out["refused"]) == ["CDHT-W027", "CDHT-W027"]
    assert [m["unit_code"] for m in out["merged"]] == H01_COMMUNES[:1]


# -------------------------------------------------------------------------------------------------
# 2. Isolation per source: one hostile file is refused (or read as data), the others merge
# -------------------------------------------------------------------------------------------------

def edit_parts(src: Path, out: Path, *edits: tuple[str, bytes, bytes]) -> Path:
    """A copy of ``src`` with regex edits of its package parts (as another tool would write them);
    each pattern must match exactly once."""
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for part, pattern, repl in edits:
        parts[part], n = re.subn(pattern, repl, parts[part], count=1)
        assert n == 1, (part, pattern)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    return out


def mutate(src: Path, out: Path, part: str, pattern: bytes, repl: bytes) -> Path:
    """A copy of ``src`` with one regex edit of one package part (as another tool would write it)."""
    return edit_parts(src, out, (part, pattern, repl))


# (case, part, pattern, replacement, refusal code or None when merged, findings expected)
HOSTILE = [
    ("nan", "xl/worksheets/sheet3.xml", rb'(<c r="D23"[^>]*><v>)850(</v>)', rb"\g<1>NaN\g<2>", None, "CDHT-W029"),
    ("inf", "xl/worksheets/sheet3.xml", rb'(<c r="D23"[^>]*><v>)850(</v>)', rb"\g<1>1e999\g<2>", None, "CDHT-W029"),
    ("vtab", "xl/worksheets/sheet2.xml", rb'(<c r="B5"[^>]*><is><t[^>]*>)', rb"\g<1>X&#227; M&#7899;i_x000B_",
     None, "CDHT-W028"),
    ("range_name", "xl/workbook.xml", rb'(<definedName name="xa_5_1_so_cong_dan_hoc_tap">[^<]*\$D\$23)',
     rb"\g<1>:$D$24", "CDHT-M008", "CDHT-W009"),
    # its own coded date finding since issue 18 part 2 (was the general M022 refusal)
    ("year_9999", "xl/worksheets/sheet9.xml", rb'(<c r="B5" t="n"><v>)2026(</v>)', rb"\g<1>9999\g<2>",
     "CDHT-W063", "CDHT-W063"),
    # no edit: its reading raises what no check foresaw (the reader of this one file replaced, see
    # _reader_fails) — the general refusal M022, the traceback in the log for support
    ("reader_raises", None, None, None, "CDHT-M022", "CDHT-M022"),
]


def _reader_fails(monkeypatch, bad: Path) -> None:
    """The merge's per-file reader (``judge.read_workbook``, the reading inside ``_judge_path``)
    raises an unexpected exception for ``bad`` alone."""
    import cdht.ops.merge.judge as judge
    real = judge.read_workbook

    def read(path, *a, **kw):
        if Path(path).name == bad.name:
            raise ZeroDivisionError("an unforeseen failure deep in the reader")
        return real(path, *a, **kw)
    monkeypatch.setattr(judge, "read_workbook", read)


@pytest.mark.parametrize("case,part,pattern,repl,code,seen", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_source_never_stops_the_merge(kit, tmp_path, monkeypatch, case, part, pattern, repl, code, seen):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "cdht.log"))
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    blank = kit.commune(tmp_path / "src.xlsx", H01_COMMUNES[2], blank=True)
    if part is None:
        bad = inbox / f"bad_{case}.xlsx"
        bad.write_bytes(blank.read_bytes())
        _reader_fails(monkeypatch, bad)
    else:
        bad = mutate(blank, inbox / f"bad_{case}.xlsx", part, pattern, repl)
    with alarm(120):
        r = merge(parent, [inbox])  # raised before: the whole merge ended in CDHT-A001
    assert r.written
    if code is None:  # read as data: merged, with the finding that says what was wrong
        assert merged(r) == H01_COMMUNES[:3] and not refused(r)
        mine = next(m for m in r.merged if m.file == bad)
    else:  # refused with a code naming the file; the others merged
        assert refused(r) == {bad.name: code} and merged(r) == H01_COMMUNES[:2]
        mine = next(m for m in r.refused if m.file == bad)
    assert seen in [f.code for f in mine.findings]
    assert all(f.file == bad.name for f in mine.findings if f.code == seen)
    if code == "CDHT-M022":  # the traceback, for support, naming the file
        log = (tmp_path / "cdht.log").read_text("utf-8")
        assert bad.name in log and "Traceback (most recent call last)" in log
        assert "ZeroDivisionError: an unforeseen failure deep in the reader" in log


def test_control_characters_are_cleaned_before_reaching_the_parent(kit, tmp_path):
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    blank = kit.commune(tmp_path / "src.xlsx", H01_COMMUNES[2], blank=True)
    mutate(blank, inbox / "vtab.xlsx", *HOSTILE[2][1:4])
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == [H01_COMMUNES[2]]
    [w] = [f for f in r.merged[0].findings if f.code == "CDHT-W028"]
    assert w.sheet and w.cell == "B5" and w.facts["count"] == 1
    assert r.merged[0].unit_name.startswith("Xã Mới\n")
    texts = [c.value for ws in openpyxl.load_workbook(parent) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "Xã Mới" in c.value]
    assert texts and not any("\x0b" in t for t in texts)


# -------------------------------------------------------------------------------------------------
# 3. One writer at a time: a lock beside the parent
# -------------------------------------------------------------------------------------------------

def _merged_units(parent: Path) -> set[str]:
    """Units "Đã nộp" in the parent's "Đơn vị cấp dưới" table."""
    from cdht import contract as L
    from tests.merge_fixtures import rows_of
    return {row[0] for row in rows_of(parent, L.N_CHILDREN) if row[0] and row[2] == L.Status.RECEIVED.value}


def _lock_of(parent: Path, pid: int) -> Path:
    import socket
    lock = save_mod.lock_path(parent)
    lock.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "started": "2026-12-02T09:00:00"}))
    return lock


def test_a_second_writer_waits_then_is_refused(kit, parent, tmp_path, monkeypatch):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # a live writer
    try:
        lock = _lock_of(parent, other.pid)
        before = parent.read_bytes()
        monkeypatch.setattr(save_mod, "LOCK_WAIT", 0.6)
        with alarm(60):
            r = merge(parent, [inbox])
        assert not r.written and [f.code for f in r.findings] == ["CDHT-W030"]
        f = r.findings[0]
        assert f.file == parent.name and f.facts["pid"] == other.pid and f.facts["lock"] == lock.name
        assert parent.read_bytes() == before and lock.exists()  # the other writer's lock is left alone
        res = cli("merge", parent, inbox, timeout=120)  # the CLI says so and exits non-zero
        assert res.returncode == 2 and "CDHT-W030" in res.stdout
    finally:
        other.kill()
        other.wait()


def test_a_stale_lock_of_a_dead_writer_is_cleared(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = _lock_of(parent, dead.pid)
    with alarm(60):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:1]
    assert not lock.exists() and not list(parent.parent.glob("*.stale"))
    assert _merged_units(parent) == set(H01_COMMUNES[:1])


def test_two_merges_at_once_lose_nothing(kit, parent, tmp_path):
    """Two clerks press "Gộp" at once: each run either merges (and its units are in the parent) or
    is refused with W030 — never two successes for one lost write (issue 18: 5 of 6 trials lost)."""
    a = inbox_with(kit, tmp_path / "a", H01_COMMUNES[:2])
    b = inbox_with(kit, tmp_path / "b", H01_COMMUNES[2:4])
    runs = [subprocess.Popen([*CLI, "merge", "--json", str(parent), str(box)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for box in (a, b)]
    outs = [p.communicate(timeout=180) for p in runs]
    expect = set()
    for p, (out, err), units in zip(runs, outs, (H01_COMMUNES[:2], H01_COMMUNES[2:4])):
        if p.returncode == 0:
            assert json.loads(out)["merged"], out
            expect |= set(units)
        else:
            assert "CDHT-W030" in out + err, out + err
    assert expect and _merged_units(parent) >= expect
    assert not save_mod.lock_path(parent).exists()


# -------------------------------------------------------------------------------------------------
# 4. `cdht demo --out DIR` never deletes or overwrites files it did not write
# -------------------------------------------------------------------------------------------------

def test_demo_refuses_a_folder_with_the_users_own_files(tmp_path):
    mine = tmp_path / "bao-cao-cua-toi.xlsx"
    mine.write_bytes(b"my own work")
    (tmp_path / "nop-huyen").mkdir()
    (tmp_path / "nop-huyen" / "ghi-chu.txt").write_text("không được xóa")
    res = subprocess.run([*CLI, "demo", "--out", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert res.returncode == 2 and "[CDHT-W032]" in res.stderr, res.stdout + res.stderr
    assert mine.read_bytes() == b"my own work"
    assert (tmp_path / "nop-huyen" / "ghi-chu.txt").read_text() == "không được xóa"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao-cao-cua-toi.xlsx", "nop-huyen"]  # nothing written


@pytest.mark.slow
def test_demo_refuses_a_file_added_to_its_own_folder(tmp_path):
    out = tmp_path / "demo"
    first = cli("demo", "--out", out, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    added = out / "nop-huyen" / "MAU-H01" / "cua-toi.xlsx"
    added.write_bytes(b"a clerk's own file")
    again = cli("demo", "--out", out, timeout=120)
    assert again.returncode == 2 and "[CDHT-W032]" in again.stderr
    assert "nop-huyen/MAU-H01/cua-toi.xlsx" in again.stderr and added.read_bytes() == b"a clerk's own file"
    added.unlink()
    assert cli("demo", "--out", out, timeout=600).returncode == 0  # its own files alone: re-run as before
