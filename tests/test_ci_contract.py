"""The CI contract stays whole: .ci/run runs the README's test command verbatim, and every module of
the library sits in a layer of the import contract (.importlinter), so none escapes it unnoticed."""
from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_test_command() -> str:
    line = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[4]
    return line.split("#", 1)[0].strip()


def test_ci_runs_the_readme_test_command():
    command = readme_test_command()
    assert "ruff check ." in command and "lint-imports" in command and "pytest" in command, command
    lines = [x.strip() for x in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert lines[-1] == command, ".ci/run must end with the README's test command (line 5), verbatim"


def layered_modules() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / ".importlinter", encoding="utf-8")
    layers = cfg["importlinter:contract:layers"]["layers"]
    return {m.strip("() ") for line in layers.splitlines() for m in re.split(r"[|:]", line) if m.strip()}


def test_every_library_module_is_in_a_layer():
    layered = layered_modules()
    top = {f"cdht.{p.stem}" if p.is_file() else f"cdht.{p.name}" for p in (ROOT / "cdht").iterdir()
           if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    top -= {"cdht.catalogue"}  # data (the shipped editions), no code that imports anything
    missing = sorted(top - layered)
    assert not missing, f"add these modules to a layer of .importlinter: {missing}"
    assert {"cdht_generator", "cdht_addin"} <= layered
