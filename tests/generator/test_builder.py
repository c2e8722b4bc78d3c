"""The generator's builder core and sheet modules (cdht_generator.builder, .sheets): one core that
the templates and the department forms compose, filing deadlines computed once, colours from the
contract, and functions small enough to read."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from cdht import contract as L
from cdht.edition import load_edition
from cdht_generator import builder
from cdht_generator.builder import Book, absolute, deadline_text, filing_deadline
from cdht_generator.contributor import SHEET_DATA, build_contributor_form
from cdht_generator.workbook import build_workbook

EDITION = load_edition(None)
YEAR = 2026
GENERATOR = Path(builder.__file__).resolve().parent


def test_filing_deadline_is_in_the_year_after_the_assessment_year():
    assert filing_deadline("04-30", 2026) == dt.date(2027, 4, 30)
    assert filing_deadline("12-31", 2026) == dt.date(2027, 12, 31)
    assert filing_deadline(None, 2026) is None and filing_deadline("", 2026) is None
    assert deadline_text("01-05", 2026) == "05/01/2027"
    assert deadline_text(None, 2026) == ""


def test_unit_sheet_and_guide_show_the_tiers_filing_deadline():
    tier = EDITION.tier("xa")
    wb, _ = build_workbook(EDITION, "xa", YEAR)
    expected = deadline_text(tier.procedure.submit_by, YEAR)
    assert expected  # the shipped catalogue sets one for communes
    unit_values = [c.value for row in wb[L.SHEET_UNIT].iter_rows() for c in row]
    assert expected in unit_values
    guide = " ".join(str(c.value) for row in wb[L.SHEET_GUIDE].iter_rows() for c in row if c.value)
    assert f"trước ngày {expected}" in guide


@pytest.mark.parametrize("ref, expected", [("B4", "$B$4"), ("A5:H304", "$A$5:$H$304"), ("AB12", "$AB$12")])
def test_absolute(ref, expected):
    assert absolute(ref) == expected


def test_book_names_are_absolute_and_one_validation_per_sheet_and_type():
    book = Book(EDITION, EDITION.tier("xa"), YEAR)
    ws = book.wb.create_sheet("Trang thử")
    book.input_cell(ws, "B2", "a_count", "count")
    book.input_cell(ws, "B3", "b_count", "count")
    book.input_cell(ws, "B4", "c_level", "level", 1, 2)
    assert book.wb.defined_names["a_count"].attr_text == "'Trang thử'!$B$2"
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 2  # the two count cells share one validation
    count = next(dv for dv in dvs if dv.type == "whole" and dv.operator == "greaterThanOrEqual")
    assert str(count.sqref) == "B2 B3"
    assert all(not ws[r].protection.locked and ws[r].fill.fgColor.rgb.endswith(L.COLOR_INPUT)
               for r in ("B2", "B3", "B4"))


def test_templates_and_forms_take_their_colours_from_the_contract():
    wb, _ = build_workbook(EDITION, "xa", YEAR)
    code = wb.defined_names[L.N_UNIT_CODE]
    sheet, ref = next(iter(code.destinations))
    assert wb[sheet][ref.replace("$", "")].fill.fgColor.rgb.endswith(L.COLOR_INPUT)
    header = wb[L.SHEET_RESULTS].cell(L.HEADER_ROW, 1)
    assert header.fill.fgColor.rgb.endswith(L.COLOR_HEADER)
    assert header.border.left.color.rgb.endswith(L.COLOR_BORDER)
    form, _ = build_contributor_form(EDITION, YEAR, EDITION.spec.contributors[0].code)
    assert form[L.SHEET_RESULTS].cell(L.HEADER_ROW, 1).fill.fgColor.rgb.endswith(L.COLOR_HEADER)


def test_a_department_form_shares_the_templates_sheets():
    """The form's register, results and list sheets come from the same modules as the template's."""
    tmpl, _ = build_workbook(EDITION, "tinh", YEAR)
    form, meta = build_contributor_form(EDITION, YEAR, EDITION.spec.contributors[0].code)
    assert form.sheetnames == [L.SHEET_GUIDE, SHEET_DATA, L.SHEET_EVIDENCE, L.SHEET_RESULTS, L.SHEET_LISTS,
                               L.SHEET_META]
    for sheet in (L.SHEET_RESULTS, L.SHEET_LISTS):
        assert _values(form[sheet]) == _values(tmpl[sheet]), sheet
    a, b = _values(form[L.SHEET_EVIDENCE]), _values(tmpl[L.SHEET_EVIDENCE])
    # the template's register has the "Mức độ" column (issue 15); a form's figures have one bar: none
    assert b.pop(f"I{L.HEADER_ROW}") == L.EVIDENCE_LEVEL_HEADER and f"I{L.HEADER_ROW}" not in a
    assert {k: v for k, v in a.items() if k != "A2"} == {k: v for k, v in b.items() if k != "A2"}
    assert meta["template_id"].endswith(f":dong-gop-{meta['contributor']}")


def _values(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


def test_no_generator_function_is_longer_than_60_lines():
    files = sorted(GENERATOR.rglob("*.py"))
    assert any(p.parent.name == "sheets" for p in files)
    long = [(str(p.relative_to(GENERATOR)), name, n) for p in files for name, n in _functions(p) if n > 60]
    assert long == []
