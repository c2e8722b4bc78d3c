"""What a command costs before it does anything (issue 18, "Cost"): ``cdht --version`` and a
dry-run merge do not import the libraries they do not use.

Each case runs the CLI in a fresh interpreter (``python -c``: import the CLI module, invoke the
command, print ``sorted(sys.modules)``), since a module imported once stays in this test process.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Never needed to print the version: the catalogue (pydantic, YAML), the readers and writers.
NOT_FOR_VERSION = {"pydantic", "pydantic_core", "yaml", "openpyxl", "xlsxwriter", "pandas", "numpy", "docx",
                   "docxtpl", "lxml", "xlwings", "cryptography", "python_calamine", "multiprocessing",
                   "cdht.edition", "cdht.ops", "cdht_generator", "cdht_addin", "importlib.metadata"}
# A dry run reads with python-calamine and the package XML; it never writes a workbook, a report or
# a Word document, and checks no signature when no profile has a key. Its edition comes from the
# shipped snapshot and, with no profile, the default profile is plain records: no pydantic, no YAML.
NOT_FOR_DRY_RUN = {"pydantic", "pydantic_core", "yaml", "cdht.schema", "cdht.profile_schema","openpyxl", "xlsxwriter", "pandas", "numpy", "docx", "docxtpl", "lxml", "xlwings",
                   "cryptography", "cdht_generator", "cdht_addin", "cdht.ops.report", "cdht.ops.returns",
                   "cdht.ops.contributions", "cdht.ops.dossier", "multiprocessing"}  # (few files: no workers)

_PROBE = """
import json, sys
from cdht.cli.main import main
try:
    main({args!r}, prog_name="cdht")
except SystemExit as e:
    status = e.code
print("\\nMODULES " + json.dumps([status, sorted(sys.modules)]))
"""


def run_cli(args: list[str]) -> tuple[int, str, set[str]]:
    """(exit status, output, modules imported) of ``cdht ARGS`` in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", _PROBE.format(args=args)], capture_output=True, text=True,
                          timeout=300)
    out, _, tail = proc.stdout.rpartition("\nMODULES ")
    assert tail, proc.stdout + proc.stderr
    status, modules = json.loads(tail)
    return status, out, set(modules)


def imported(modules: set[str], banned: set[str]) -> list[str]:
    """The banned packages (or any of their submodules) that were imported."""
    return sorted(b for b in banned if any(m == b or m.startswith(b + ".") for m in modules))


def test_version_imports_nothing_heavy():
    status, out, modules = run_cli(["--version"])
    assert status == 0 and "cdht 0.1.0" in out
    assert "click" in modules and "cdht.cli.main" in modules  # the probe did run the CLI
    assert imported(modules, NOT_FOR_VERSION) == []


def test_help_still_lists_the_commands_of_installed_parts():
    """Plugins (the add-in's ``cdht addin``) load when the commands are listed or asked for."""
    status, out, modules = run_cli(["--help"])
    assert status == 0 and "addin" in out and "merge" in out
    assert imported(modules, {"pydantic", "openpyxl", "pandas"}) == []


@pytest.mark.slow
def test_dry_run_merge_imports_only_what_it_reads_with(kit, tmp_path):
    parent = kit.parent(tmp_path / "tong-hop" / "huyen.xlsx", unit=None)
    inbox = tmp_path / "nop"
    for unit in ("MAU-X0101", "MAU-X0102"):
        kit.commune(inbox / f"{unit}.xlsx", unit)
    status, out, modules = run_cli(["merge", "--dry-run", str(parent), str(inbox)])
    assert status == 0 and "đã nhận 2/" in out, out
    assert {"python_calamine", "cdht.ops.merge", "cdht.read.submission"} <= modules
    assert imported(modules, NOT_FOR_DRY_RUN) == []
    # a unit list (--units) is checked by cdht.units: its registry-only profile needs no pydantic either
    from cdht.units import SAMPLE_UNITS
    status, out, modules = run_cli(["merge", "--dry-run", "--units", str(SAMPLE_UNITS), str(parent), str(inbox)])
    assert "đã nhận" in out and "cdht.ops.merge" in modules, out
    assert imported(modules, {"pydantic", "pydantic_core", "yaml", "cdht.profile_schema"}) == []
