"""The one log file of the CLI and the add-in: full tracebacks go here, users see coded messages."""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path


def log_path() -> Path:
    """``$CDHT_LOG``, else ``%LOCALAPPDATA%\\cdht\\cdht.log`` (Windows), else ``~/.cdht/cdht.log``."""
    if os.environ.get("CDHT_LOG"):
        return Path(os.environ["CDHT_LOG"])
    base = os.environ.get("LOCALAPPDATA")
    return (Path(base) / "cdht" if base else Path.home() / ".cdht") / "cdht.log"


def log(level: int, text: str) -> None:
    """Append one entry to the log file; logging must never break a button."""
    try:
        p = log_path()
        p.parent.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
        with open(p, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} {logging.getLevelName(level)} {text}\n")
    except OSError:
        pass
