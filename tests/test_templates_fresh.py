"""The committed blank templates (workbook_templates/<year>/) are what the generator makes today.

Regenerates them into a temporary folder with ``scripts/build_templates.py`` and compares every
sheet's cells (values and formulas, locking), the number of formatted cells, the row formats, the defined names, the data validations, the sheet
states and the identity properties. A difference means the committed files are stale.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_templates", ROOT / "scripts" / "build_templates.py")
build_templates = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_templates)

YEAR = build_templates.CURRENT_YEAR
COMMITTED = ROOT / "workbook_templates" / str(YEAR)
STALE = (f"workbook_templates/{YEAR} is stale (it no longer matches the generator and catalogue): "
         f"run `{build_templates.COMMAND}` and commit the result")


def contents(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {
        "sheets": [(ws.title, ws.sheet_state, ws.protection.sheet) for ws in wb.worksheets],
        "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
        "properties": sorted((p.name, str(p.value)) for p in wb.custom_doc_props),
    }
    for ws in wb.worksheets:
        out[f"cells of '{ws.title}'"] = [(c.coordinate, c.value, c.protection.locked)
                                         for row in ws.iter_rows() for c in row if c.value is not None]
        out[f"formatted cells and rows of '{ws.title}'"] = (
            sum(1 for row in ws.iter_rows() for c in row if c.has_style),
            [(r, d.protection.locked, d.number_format) for r, d in sorted(ws.row_dimensions.items()) if d.has_style])
        out[f"validations of '{ws.title}'"] = sorted(
            repr((dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), dv.errorTitle, dv.error,
                  dv.promptTitle, dv.prompt)) for dv in ws.data_validations.dataValidation)
    wb.close()
    return out


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return build_templates.build(YEAR, tmp_path_factory.mktemp("templates"))


def test_one_committed_template_per_tier(fresh):
    committed = sorted(p.name for p in COMMITTED.glob("*.xlsx")) if COMMITTED.is_dir() else []
    assert committed == sorted(p.name for p in fresh), STALE
    assert len(committed) == 3 and all(f"CDHT_{YEAR}_" in n and "_mau-trong" in n for n in committed)


@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_committed_template_is_fresh(fresh, tier):
    new = next(p for p in fresh if f"_{tier}_" in p.name)
    old = COMMITTED / new.name
    assert old.is_file(), STALE
    a, b = contents(old), contents(new)
    stale = [key for key in b if a.get(key) != b[key]]
    if stale:
        key = stale[0]
        diff = [x for x in (b[key] or []) if x not in (a.get(key) or [])][:3]
        pytest.fail(f"{STALE}\n{new.name}: {', '.join(stale)} differ; for example {diff}")
