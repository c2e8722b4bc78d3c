"""The message catalogue (cdht/messages.py) against the code that raises its messages.

Read statically from the source (ast), so a code nobody raises, a raise of an unknown code or a
raise that forgets a placeholder of its template fails here, not in front of a user.
"""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from cdht.messages import MESSAGES, finding

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("cdht", "generator", "addin") for p in sorted((ROOT / d).rglob("*.py"))
           if p.name != "messages.py"]
CODE = re.compile(r"CDHT-[A-Z]\d{3}")
LOCATION = {"file", "sheet", "cell", "row", "line", "indicator"}


def _placeholders(code: str) -> set[str]:
    _, what, fix = MESSAGES[code]
    return {name for text in (what, fix) for _, name, _, _ in string.Formatter().parse(text) if name}


def _calls():
    """(path, line, code, keyword names or None when the call spreads **facts)."""
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and CODE.fullmatch(node.args[0].value)):
                names = {k.arg for k in node.keywords}
                yield path, node.lineno, node.args[0].value, None if None in names else names


def test_every_raised_code_is_in_the_catalogue():
    text = "\n".join(p.read_text("utf-8") for p in SOURCES)
    unknown = sorted(set(CODE.findall(text)) - set(MESSAGES))
    assert not unknown, f"codes used in the code but missing from cdht/messages.py: {unknown}"


def test_every_catalogue_code_is_raised_somewhere():
    text = "\n".join(p.read_text("utf-8") for p in SOURCES)
    never = sorted(set(MESSAGES) - set(CODE.findall(text)))
    assert not never, f"codes in the catalogue that no code raises: {never}"


def test_every_direct_raise_supplies_its_placeholders():
    missing = []
    for path, line, code, names in _calls():
        if names is None or code not in MESSAGES:
            continue
        lacking = _placeholders(code) - names
        if lacking:
            missing.append(f"{path.relative_to(ROOT)}:{line} {code} lacks {sorted(lacking)}")
    assert not missing, "\n".join(missing)


def test_a_missing_fact_is_a_programming_error_not_a_question_mark():
    code = next(c for c in MESSAGES if _placeholders(c) - LOCATION)
    with pytest.raises(KeyError, match=code):
        finding(code)


def test_no_template_takes_free_text():
    free = sorted(c for c in MESSAGES if "detail" in _placeholders(c))
    assert not free, f"templates taking free text {{detail}} instead of named facts: {free}"


def test_the_location_is_given_once():
    """file/sheet/cell/row are printed by Finding.where(); a template repeating them prints twice."""
    twice = sorted(c for c in MESSAGES if _placeholders(c) & {"file", "sheet", "cell", "row"})
    assert not twice, f"templates that print the location a second time: {twice}"
