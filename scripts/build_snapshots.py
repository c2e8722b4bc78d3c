"""Write the snapshot of every shipped catalogue edition (``cdht/catalogue/<edition>.snapshot.json``).

    python scripts/build_snapshots.py

A snapshot is the checked edition as JSON records (:mod:`cdht.plain`) with the SHA-256 of the edition
file, of its base files and of the code that checks it: ``load_edition`` uses it only while all of
them are unchanged, so that a merge or a check does not import pydantic and YAML and check the
catalogue again in every process (issue 18, "Cost"). Run after editing a shipped edition or the
checking code; ``tests/test_edition_snapshots.py`` fails when a committed snapshot is stale.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cdht.edition import shipped_editions, snapshot_path, snapshot_text  # noqa: E402

COMMAND = "python scripts/build_snapshots.py"


def build() -> list[Path]:
    """(Re)write the snapshot of every shipped edition; the paths written."""
    out = []
    for path in shipped_editions():
        target = snapshot_path(path)
        target.write_text(snapshot_text(path), encoding="utf-8", newline="\n")
        out.append(target)
    return out


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(ROOT))
