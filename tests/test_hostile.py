"""Hostile files and shared folders (issue 18): every case runs under a timeout, a hostile source
is refused with a coded message naming it, and the other sources still merge.

Timeouts: the CLI cases run the installed ``cdht`` in a subprocess (``timeout=``); the in-process
cases under :func:`alarm` (SIGALRM), so a hang fails the test instead of stalling the suite.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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
