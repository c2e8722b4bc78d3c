"""Shared helpers for tests that drive the `cdht` CLI on real files."""
from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from cdht.cli.main import main


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run(*args):
    """Invoke `cdht` in-process; a clean exit (status via sys.exit) or none, never an escaped exception."""
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert "Traceback" not in res.output
    return res
