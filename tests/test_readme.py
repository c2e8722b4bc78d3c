"""README stays true: its CLI reference is the one generated from the click commands."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from readme_parts import README, render  # noqa: E402


def test_cli_reference_is_current():
    text = README.read_text(encoding="utf-8")
    assert text == render(text), "README.md is stale: run `python scripts/readme_parts.py`"


def test_readme_opens_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    block = "\n".join(lines[:8])
    assert "cdht demo" in block and "pytest" in block
