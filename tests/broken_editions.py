"""Helpers that write deliberately broken catalogue editions for the checker tests.

A broken edition is the text of a shipped edition with one or more one-line substitutions. Text
substitution (rather than a YAML round trip) keeps every other line where it was, so a test can
assert the exact line a finding reports: :func:`mutate` returns the line of each substitution.
"""
from __future__ import annotations

from pathlib import Path

from cdht.edition import CATALOGUE_DIR

BASE = "tt25-2023.yaml"
TWO_TIER = "tt25-2023-hai-cap.yaml"


def shipped_text(name: str = BASE) -> str:
    return (CATALOGUE_DIR / name).read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """1-based line of the single occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times, expected once"
    return text[: text.index(needle)].count("\n") + 1


def substitute(text: str, *pairs: tuple[str, str]) -> tuple[str, list[int]]:
    """Apply each (old, new) once; ``old`` must occur exactly once and ``new`` adds no line."""
    lines = []
    for old, new in pairs:
        assert old.count("\n") == new.count("\n"), "a substitution must keep the line count"
        lines.append(line_of(text, old))
        text = text.replace(old, new, 1)
    return text, lines


def mutate(tmp_path: Path, *pairs: tuple[str, str], name: str = BASE,
           with_base: bool = True) -> tuple[Path, list[int]]:
    """Write the shipped edition ``name`` with the substitutions into ``tmp_path``.

    Returns the written path and the 1-based line of each substitution. For the two-tier edition
    the (unchanged) base file is copied beside it unless ``with_base`` is false.
    """
    text, lines = substitute(shipped_text(name), *pairs)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    if name != BASE and with_base and not (tmp_path / BASE).exists():
        (tmp_path / BASE).write_text(shipped_text(BASE), encoding="utf-8")
    return path, lines


def write(tmp_path: Path, text: str, name: str = BASE) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
