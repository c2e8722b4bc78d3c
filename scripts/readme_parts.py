"""Regenerate the generated parts of README.md (CLI reference) in place: `python scripts/readme_parts.py`."""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli_reference import reference  # noqa: E402

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def render(text: str) -> str:
    return re.sub(re.escape(START) + ".*?" + re.escape(END), START + "\n" + reference() + END, text, flags=re.S)


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
