"""openpyxl without numpy (cdht.xlsx.book, issue 18 "Cost"): a written merge never imports numpy,
numpy stays importable afterwards, a numpy value still reaches a cell as the number it holds
whichever of openpyxl and numpy came first, and every openpyxl import of cdht and cdht_generator
goes through the one door.

The import cases run in a fresh interpreter: a module imported once stays in this test process."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_VALUES = """
import json, sys
{first}
from cdht.xlsx.book import openpyxl
wb = openpyxl().Workbook()
numpy_at_openpyxl = "numpy" in sys.modules
import numpy as np
from cdht.xlsx.names import put
ws = wb.active
for i, v in enumerate([np.int64(3), np.float32(0.5), np.float64(2.25), np.bool_(True), np.int32(-7), 4, "=1+1"], 1):
    put(ws.cell(i, 1), v)
wb.save(sys.argv[1])
back = openpyxl().load_workbook(sys.argv[1]).active
print(json.dumps([numpy_at_openpyxl, openpyxl().compat.numbers.NUMPY,
                  [[back.cell(i, 1).value, back.cell(i, 1).data_type] for i in range(1, 8)]]))
"""


def _run(code: str, *args: str) -> list:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


EXPECTED = [[3, "n"], [0.5, "n"], [2.25, "n"], [1, "n"], [-7, "n"], [4, "n"], ["=1+1", "s"]]


def test_openpyxl_comes_without_numpy_and_numpy_values_are_still_written(tmp_path):
    numpy_at_openpyxl, openpyxl_has_numpy, cells = _run(_VALUES.format(first=""), str(tmp_path / "a.xlsx"))
    assert not numpy_at_openpyxl and not openpyxl_has_numpy
    assert cells == EXPECTED  # numpy imported later, as pandas does: importable, and its scalars written


def test_numpy_loaded_first_gives_the_usual_openpyxl_and_the_same_cells(tmp_path):
    numpy_at_openpyxl, openpyxl_has_numpy, cells = _run(_VALUES.format(first="import numpy"),
                                                         str(tmp_path / "b.xlsx"))
    assert numpy_at_openpyxl and openpyxl_has_numpy
    assert cells == EXPECTED


@pytest.mark.slow
def test_written_merge_imports_openpyxl_but_not_numpy(kit, tmp_path):
    from tests.test_cli_imports import imported, run_cli

    parent = kit.parent(tmp_path / "tong-hop" / "huyen.xlsx", unit=None)
    inbox = tmp_path / "nop"
    for unit in ("MAU-X0101", "MAU-X0102"):
        kit.commune(inbox / f"{unit}.xlsx", unit)
    status, out, modules = run_cli(["merge", str(parent), str(inbox)])
    assert status == 0 and "đã nhận 2/" in out, out
    assert "openpyxl" in modules  # the probe did write the parent
    assert imported(modules, {"numpy", "pandas"}) == []


def _openpyxl_imports(path: Path) -> list[tuple[int, bool]]:
    """(line, at module level) of each ``import openpyxl…`` / ``from openpyxl… import`` in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(n == "openpyxl" or n.startswith("openpyxl.") for n in names):
            out.append((node.lineno, id(node) in top))
    return out


def test_every_openpyxl_import_goes_through_the_door():
    """cdht: no module imports openpyxl at its top but the door (cdht/xlsx/book.py). (Inside a
    function it may: where a workbook is in hand openpyxl is loaded already, and the readers'
    fallbacks in cdht/xlsx/fastread.py only read — importing numpy there costs time, never a cell.)
    cdht_generator: its package imports openpyxl through the door before any of its modules runs."""
    tops = [f"{p.relative_to(ROOT)}:{line}" for p in sorted((ROOT / "cdht").rglob("*.py"))
            if p.name != "book.py" for line, top in _openpyxl_imports(p) if top]
    assert tops == []
    init = (ROOT / "generator" / "__init__.py").read_text(encoding="utf-8")
    assert "from cdht.xlsx.book import openpyxl" in init and _openpyxl_imports(ROOT / "generator" / "__init__.py") == []
