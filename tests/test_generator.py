"""The generator's acceptance: what `cdht generate` writes, reopened with openpyxl.

Sheets and their order, protection, the named-cell contract, locking, data validation, conditional
formats, identity (_meta, document properties, fingerprint, seal), print setup, file names,
reproducibility, the lint pass, the CLI's options and its coded errors, and the expected lower
units listed in district and province workbooks (three-tier and two-tier editions).
"""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Protection
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.protection import hash_password
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from cdht.cli.main import main
from cdht import __version__
from cdht import contract as L
from cdht import rules as R
from cdht_generator.api import GenerateError, generate
from cdht.edition import CATALOGUE_DIR, load_edition
from cdht.fingerprint import canonical_formula, layout_fingerprint, seal_code
from cdht_generator.lint import lint
from cdht.units import SAMPLE_UNITS, read_units
from cdht_generator.workbook import DEFAULT_PASSWORD, build_workbook, writable_cell

YEAR = 2026
EDITION = load_edition(None)
TWO_TIER = load_edition(CATALOGUE_DIR / "tt25-2023-hai-cap.yaml")
UNITS, _ = read_units(SAMPLE_UNITS)
UNIT_OF = {"xa": "MAU-X0101", "huyen": "MAU-H01", "tinh": "MAU-T01"}

BASE_SHEETS = [L.SHEET_GUIDE, L.SHEET_UNIT, L.SHEET_SELF, L.SHEET_EVIDENCE, L.SHEET_APPRAISAL, L.SHEET_SUMMARY]
UPPER_SHEETS = [L.SHEET_OVERVIEW, L.SHEET_CHILDREN, L.SHEET_REGISTER, L.SHEET_RETURNS, L.SHEET_LOG]
SHEETS = {
    "xa": BASE_SHEETS + [L.SHEET_RESULTS, L.SHEET_LISTS, L.SHEET_META],
    "huyen": BASE_SHEETS + UPPER_SHEETS + [L.SHEET_RESULTS, L.SHEET_LISTS, L.SHEET_META],
    "tinh": BASE_SHEETS + UPPER_SHEETS + [L.SHEET_RESULTS, L.SHEET_LISTS, L.SHEET_META],
}
PRINTED = [L.SHEET_GUIDE, L.SHEET_UNIT, L.SHEET_SELF, L.SHEET_EVIDENCE, L.SHEET_APPRAISAL, L.SHEET_SUMMARY]

# The named input cells every reader relies on (the workbook contract), by tier.
VERDICTS = {
    "xa": [f"xa_{c}_{i}" for c, n in ((1, 3), (2, 3), (3, 3)) for i in range(1, n + 1)] + ["xa_4_1"],
    "huyen": [f"huyen_{c}_{i}" for c, n in ((1, 3), (2, 4), (3, 3)) for i in range(1, n + 1)],
    "tinh": [f"tinh_{c}_{i}" for c, n in ((1, 3), (2, 5), (3, 3)) for i in range(1, n + 1)],
}
OTHER_INPUTS = {  # name → (type, validation bounds)
    "xa": {"tong_so_cong_dan": "count", "vung_kho_khan": "yesno", "xa_4_2": ("level", 0, 3),
           "xa_4_3": ("level", 0, 3), "xa_4_4": ("level", 0, 2), "xa_5_1_so_cong_dan_hoc_tap": "count",
           "xa_5_2_so_duoc_dao_tao": "count", "xa_5_2_so_dai_hoc": "count"},
    "huyen": {"huyen_4_1_tong_so_xa": "count", "huyen_4_1_so_xa_muc_do_1": "count",
              "huyen_4_1_so_xa_muc_do_2": "count", "huyen_4_2_nam_nay": "number",
              "huyen_4_2_nam_truoc": "number", "huyen_4_3_nam_nay": "percent",
              "huyen_4_3_nam_truoc": "percent"},
    "tinh": {"tinh_3_4_so_chuong_trinh": "count", "tinh_3_5_so_chuong_trinh": "count",
             "tinh_3_5_hoc_lieu_mo": "yesno", "tinh_4_1_tong_so_huyen": "count",
             "tinh_4_1_so_huyen_muc_do_1": "count", "tinh_4_1_so_huyen_muc_do_2": "count",
             "tinh_4_2_nam_nay": "percent", "tinh_4_2_nam_truoc": "percent",
             "tinh_4_3_nam_nay": "number", "tinh_4_3_nam_truoc": "number"},
}
EXPECTED_VALIDATION = {  # type → (kind, operator, formula1, formula2)
    "verdict": ("list", None, "DS_DAT", None),
    "yesno": ("list", None, "DS_CO", None),
    "count": ("whole", "greaterThanOrEqual", "0", None),
    "number": ("decimal", "greaterThanOrEqual", "0", None),
    "percent": ("decimal", "between", "0", "100"),
}
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)


def inputs_of(tier: str) -> dict[str, object]:
    """Every named input of the contract for ``tier`` → its validation spec."""
    out = {n: "verdict" for n in VERDICTS[tier]}
    out.update(OTHER_INPUTS[tier])
    out.update({L.appraisal_name(i.id): "verdict" for i in EDITION.tier(tier).indicators})
    out[L.N_APPRAISAL_TARGET] = ("level", 1, 2)
    return out


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Blank and per-unit templates of every tier, plus the two-tier province: (tier, kind) → path."""
    root = tmp_path_factory.mktemp("issued")
    out = {}
    for tier in ("xa", "huyen", "tinh"):
        out[tier, "blank"] = generate(EDITION, tier, YEAR, root / "blank")[0]
        out[tier, "unit"] = generate(EDITION, tier, YEAR, root / "unit", units=UNITS, unit_code=UNIT_OF[tier])[0]
    out["tinh", "two-tier"] = generate(TWO_TIER, "tinh", YEAR, root / "two", units=UNITS, unit_code="MAU-T01")[0]
    return out


@pytest.fixture(scope="module")
def books(issued):
    return {k: openpyxl.load_workbook(p) for k, p in issued.items()}


KINDS = [(t, k) for t in ("xa", "huyen", "tinh") for k in ("blank", "unit")]
ids = [f"{t}-{k}" for t, k in KINDS]


def cell(wb, name):
    dests = list(wb.defined_names[name].destinations)
    assert len(dests) == 1, name
    sheet, ref = dests[0]
    return wb[sheet][ref.replace("$", "")]


def validations_at(ws) -> dict[str, DataValidation]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            c1, r1, c2, r2 = rng.bounds
            if (c2 - c1 + 1) * (r2 - r1 + 1) > 50:
                continue
            for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
                for c in row:
                    out[c.coordinate] = dv
    return out


def cf_cells(ws) -> list[tuple[set[str], object]]:
    out = []
    for cf in ws.conditional_formatting:
        cells = set()
        for rng in cf.sqref.ranges:
            c1, r1, c2, r2 = rng.bounds
            cells |= {f"{openpyxl.utils.get_column_letter(c)}{r}" for c in range(c1, c2 + 1)
                      for r in range(r1, r2 + 1)}
        for rule in cf.rules:
            out.append((cells, rule))
    return out


# --- sheets, protection ---------------------------------------------------------------------------

@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_sheets_in_order_with_visibility(books, tier, kind):
    wb = books[tier, kind]
    assert wb.sheetnames == SHEETS[tier]
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states.pop(L.SHEET_LISTS) == "hidden"
    assert states.pop(L.SHEET_META) == "veryHidden"
    assert set(states.values()) == {"visible"}
    assert wb.active.title == L.SHEET_GUIDE


@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_protection(books, tier, kind):
    wb = books[tier, kind]
    assert wb.security is not None and wb.security.lockStructure
    assert wb.security.workbookPassword == hash_password(DEFAULT_PASSWORD)
    for ws in wb.worksheets:
        if ws.title in L.TOOL_SHEETS:
            assert not ws.protection.sheet, f"tool sheet {ws.title} must stay writable"
        else:
            assert ws.protection.sheet, f"{ws.title} is not protected"
            assert ws.protection.password == hash_password(DEFAULT_PASSWORD)


# --- the named-cell contract, locking -------------------------------------------------------------

@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_named_inputs_exist_and_are_unlocked(books, tier, kind):
    wb = books[tier, kind]
    for name in inputs_of(tier):
        assert name in wb.defined_names, f"missing defined name {name}"
        c = cell(wb, name)
        if name == L.N_DISADVANTAGED and kind == "unit":  # the registry's status, locked (issue 12, case 2)
            assert c.protection.locked and c.value in ("Có", "Không"), (c.protection.locked, c.value)
            continue
        assert not c.protection.locked, f"{name} ({c.parent.title}!{c.coordinate}) is locked"
        assert c.value is None, f"{name} is pre-filled with {c.value!r}"
    for ws in wb.worksheets:  # workbook-scoped only: no sheet-local copies that would shadow them
        assert not ws.defined_names, f"sheet-scoped names on {ws.title}"
    # the appraisal reasons are inputs too
    for ind in EDITION.tier(tier).indicators:
        assert not cell(wb, L.appraisal_reason_name(ind.id)).protection.locked
    # no input of this tier beyond the contract: every unlocked named single cell is in it
    unlocked = {n for n, d in wb.defined_names.items()
                if ":" not in next(iter(d.destinations))[1] and not cell(wb, n).protection.locked}
    extra = unlocked - set(inputs_of(tier)) - {L.N_UNIT_CODE, L.N_UNIT_NAME, L.N_PREPARER, L.N_PREPARED_ON}
    assert not {n for n in extra if not n.endswith("_ly_do")}


@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_unit_identity_cells(books, tier):
    blank, unit = books[tier, "blank"], books[tier, "unit"]
    u = UNITS.get(UNIT_OF[tier])
    for name in (L.N_UNIT_CODE, L.N_UNIT_NAME):
        assert cell(blank, name).value is None and not cell(blank, name).protection.locked
    # pre-filled: locked constants with the unit's code and name
    assert cell(unit, L.N_UNIT_CODE).value == u.code and cell(unit, L.N_UNIT_CODE).protection.locked
    assert cell(unit, L.N_UNIT_NAME).value == u.name and cell(unit, L.N_UNIT_NAME).protection.locked
    for wb in (blank, unit):  # the year is fixed by the template (a locked constant)
        assert cell(wb, L.N_YEAR).value == YEAR and cell(wb, L.N_YEAR).protection.locked


@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_result_names_evidence_range_and_formula_locking(books, tier, kind):
    wb = books[tier, kind]
    level = cell(wb, L.N_LEVEL)
    assert isinstance(level.value, str) and level.value.startswith("=") and level.protection.locked
    td = cell(wb, L.N_APPRAISAL_LEVEL)
    assert td.value.startswith("=") and td.protection.locked
    for ind in EDITION.tier(tier).indicators:
        assert L.appraisal_name(ind.id) in wb.defined_names
    sheet, ref = next(iter(wb.defined_names[L.N_EVIDENCE].destinations))
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    assert sheet == L.SHEET_EVIDENCE and r2 - r1 + 1 >= 300 and c2 - c1 + 1 >= 8
    ws = wb[sheet]
    # typeable everywhere: a cell's own format, else its row's (what Excel gives a typed cell; the
    # LibreOffice check is tests/test_template_recalc.py::test_libreoffice_keeps_row_and_column_formats)
    for r in range(r1, r2 + 1):
        assert ws.row_dimensions[r].protection.locked is False, f"row {r} of the register is locked"
        for col in range(c1, c2 + 1):
            c = ws.cell(r, col)
            assert not (c.protection.locked if c.has_style else ws.row_dimensions[r].protection.locked), c.coordinate
        assert ws.cell(r, L.EVIDENCE_DATE_COLUMN).number_format == "dd/mm/yyyy"
    assert ws.row_dimensions[r2 + 1].protection.locked and ws.row_dimensions[r1 - 1].protection.locked
    # our own writers (demo, department forms, flags) create cells the way Excel does: row format kept
    assert not writable_cell(ws, r1 + 3, 2).protection.locked and not writable_cell(ws, r2, 8).protection.locked
    assert writable_cell(ws, r2 + 1, 2).protection.locked and writable_cell(ws, r1 - 2, 2).protection.locked
    n_formulas = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    n_formulas += 1
                    assert c.protection.locked, f"formula cell {ws.title}!{c.coordinate} is unlocked"
    assert n_formulas > 3 * len(EDITION.tier(tier).indicators)


# --- validation, conditional formats --------------------------------------------------------------

@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_data_validation(books, tier, kind):
    wb = books[tier, kind]
    dvs = {ws.title: validations_at(ws) for ws in wb.worksheets}
    for name, spec in inputs_of(tier).items():
        if name == L.N_DISADVANTAGED and kind == "unit":
            continue  # the registry's status, locked: nothing to type (issue 12, case 2)
        c = cell(wb, name)
        dv = dvs[c.parent.title].get(c.coordinate)
        assert dv is not None, f"{name}: no data validation"
        if isinstance(spec, tuple):
            want = ("whole", "between", str(spec[1]), str(spec[2]))
        else:
            want = EXPECTED_VALIDATION[spec]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == want, name
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), name
        assert dv.allow_blank, name
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert not (dv.formula1 or "").startswith("=")
            assert dv.error and dv.errorTitle, f"{ws.title} {dv.sqref}: no error message"
            for text, limit in ((dv.errorTitle, 32), (dv.promptTitle, 32), (dv.error, 255), (dv.prompt, 255)):
                if text:
                    assert len(text) <= limit, text
                    assert VIETNAMESE.search(text), f"not Vietnamese: {text!r}"
    for name in ("DS_DAT", "DS_CO"):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        values = [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]
        assert values == (["Đạt", "Không đạt"] if name == "DS_DAT" else ["Có", "Không"])


@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_conditional_formats(books, tier, kind):
    wb = books[tier, kind]
    t = EDITION.tier(tier)
    ws = wb[L.SHEET_SELF]
    rules = cf_cells(ws)
    # empty input highlighted, on every sheet holding required inputs
    for sheet in (L.SHEET_SELF, L.SHEET_UNIT):
        inputs = {cell(wb, n).coordinate for n in inputs_of(tier) if cell(wb, n).parent.title == sheet
                  and not (n == L.N_DISADVANTAGED and kind == "unit")}  # locked: the registry's
        if kind == "blank":
            inputs |= {cell(wb, n).coordinate for n in (L.N_UNIT_CODE, L.N_UNIT_NAME)
                       if cell(wb, n).parent.title == sheet}
        if not inputs:
            continue
        empty = [cells for cells, r in cf_cells(wb[sheet]) if r.type == "expression" and "LEN(" in r.formula[0]
                 and r.formula[0].endswith("=0")]
        assert empty and inputs <= set().union(*empty), f"{sheet}: empty inputs not highlighted"
    # "Không đạt" on every indicator's result cells
    results = {f"{col}{r}" for r in _indicator_rows(ws, t) for col in "EF"}
    fail = [cells for cells, r in rules if r.type == "cellIs" and r.formula == ['"Không đạt"']]
    assert fail and results <= set().union(*fail)
    # "Đạt" without evidence: the evidence count column of every indicator, and the verdicts that
    # read "Đạt (thiếu minh chứng)" (issue 17); each count cell named for the findings to point at
    counts = {f"G{r}" for r in _indicator_rows(ws, t)}
    no_ev = [cells for cells, r in rules if r.type == "expression" and f'"{R.DAT_NO_EVIDENCE}"' in r.formula[0]
             and "=0" in r.formula[0]]
    assert no_ev and counts <= set().union(*no_ev)
    orange = [cells for cells, r in rules if r.type == "cellIs" and r.formula == [f'"{R.DAT_NO_EVIDENCE}"']]
    assert orange and results <= set().union(*orange)
    for ind, row in zip(t.indicators, _indicator_rows(ws, t)):
        assert ws[f"G{row}"].value.startswith("=SUMPRODUCT(")
        assert cell(wb, L.evidence_count_name(ind.id)).coordinate == f"G{row}"
    # the appraisal and the summary show "Không đạt" too
    for sheet in (L.SHEET_APPRAISAL, L.SHEET_SUMMARY):
        assert any(r.type == "cellIs" and r.formula == ['"Không đạt"'] for _, r in cf_cells(wb[sheet]))


def _indicator_rows(ws, tier) -> list[int]:
    ids = {i.id for i in tier.indicators}
    rows = [c.row for c in ws["A"] if c.value in ids]
    assert len(rows) == len(ids)
    return rows


# --- identity ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_meta_properties_fingerprint_and_seal(books, issued, tier, kind):
    wb = books[tier, kind]
    unit = UNIT_OF[tier] if kind == "unit" else ""
    props = {p.name: p.value for p in wb.custom_doc_props}
    meta = {r[0]: r[1] for r in wb[L.SHEET_META].iter_rows(values_only=True)}
    fp = layout_fingerprint(wb)
    want = {
        "template_id": f"cdht:tt25-2023:{tier}:{YEAR}:{unit or 'mau-trong'}",
        "edition_id": "tt25-2023",
        "tier": tier,
        "year": str(YEAR),
        "unit_code": unit,
        "generator_version": __version__,
        "fingerprint": fp,
        "seal": seal_code(fp),
    }
    for key, value in want.items():
        assert (props[f"cdht_{key}"] or "") == value, key
        assert str(meta[key] if meta[key] is not None else "") == value, key
    assert re.fullmatch(r"[0-9a-f]{64}", fp)
    # the seal: in the ma_niem_phong cell, and shown on the printed summary through that name
    assert cell(wb, L.N_SEAL).value == seal_code(fp) and cell(wb, L.N_SEAL).parent.title == L.SHEET_META
    summary = [c.value for row in wb[L.SHEET_SUMMARY].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("Mã niêm phong" in v and L.N_SEAL in v for v in summary)
    # the name carries year, tier and unit code
    name = issued[tier, kind].name
    assert name == f"CDHT_{YEAR}_{tier}_{unit or 'mau-trong'}.xlsx"


def test_fingerprint_differs_per_tier_and_identity_is_checked_apart(books, issued, tmp_path):
    """The fingerprint covers layout (per tier); a unit's identity is checked against _meta."""
    fps = {k: layout_fingerprint(wb) for k, wb in books.items()}
    assert len({fps[k] for k in fps if k[1] == "blank"}) == 3
    from cdht.read.submission import read_workbook
    wb = openpyxl.load_workbook(issued["xa", "unit"])
    cell(wb, L.N_UNIT_CODE).value = "MAU-X0102"  # another commune's code typed over the issued one
    wb.save(tmp_path / "x.xlsx")
    sub = read_workbook(tmp_path / "x.xlsx")
    assert sub.tampered and any(f.code == "CDHT-W019" for f in sub.findings)


def test_filling_inputs_keeps_fingerprint_editing_a_formula_changes_it(issued, tmp_path):
    wb = openpyxl.load_workbook(issued["xa", "blank"])
    before = layout_fingerprint(wb)
    cell(wb, "xa_1_1").value = "Đạt"
    cell(wb, "tong_so_cong_dan").value = 1200
    wb[L.SHEET_EVIDENCE]["B5"] = "xa.1.1"
    assert layout_fingerprint(wb) == before
    cell(wb, L.N_LEVEL).value = "=2"
    assert layout_fingerprint(wb) != before


# --- print setup ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_print_setup(books, tier, kind):
    wb = books[tier, kind]
    for title in PRINTED + ([L.SHEET_CHILDREN, L.SHEET_REGISTER] if tier != "xa" else []):
        ws = wb[title]
        ps = ws.page_setup
        assert int(ps.paperSize) == 9, title  # A4
        assert int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0, title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, title
        assert "&P" in ws.oddFooter.center.text, title
        if title in (L.SHEET_APPRAISAL, L.SHEET_SUMMARY):  # under their administrative heading (issue 15)
            row = int(ws.print_title_rows.split(":")[0].strip("$"))
            assert row > L.HEADER_ROW and ws.cell(row, 1).value == "Mã" and ws.freeze_panes == f"A{row + 1}", title
        elif title not in (L.SHEET_GUIDE, L.SHEET_UNIT):
            assert ws.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}", title
    assert wb[L.SHEET_SELF].page_setup.orientation == "landscape"


# --- reproducibility, lint -------------------------------------------------------------------------------

def _contents(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {"#names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
           "#sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
           "#props": sorted((p.name, str(p.value)) for p in wb.custom_doc_props)}
    for ws in wb.worksheets:
        out[ws.title] = [(c.coordinate, c.value, c.protection.locked) for row in ws.iter_rows() for c in row
                         if c.value is not None]
        out[ws.title + "#dv"] = sorted(repr((dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref),
                                             dv.error, dv.prompt))
                                       for dv in ws.data_validations.dataValidation)
    return out


@pytest.mark.parametrize("tier,kind", KINDS, ids=ids)
def test_regenerating_gives_the_same_contents(issued, tmp_path, tier, kind):
    again = generate(EDITION, tier, YEAR, tmp_path, units=UNITS if kind == "unit" else None,
                     unit_code=UNIT_OF[tier] if kind == "unit" else None)[0]
    assert again.name == issued[tier, kind].name
    a, b = _contents(issued[tier, kind]), _contents(again)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == b[key], key


@pytest.mark.parametrize("key", sorted([*KINDS, ("tinh", "two-tier")]), ids=lambda k: "-".join(k))
def test_lint_passes_on_output(issued, key):
    assert lint(openpyxl.load_workbook(issued[key])) == []


def _broken(issued, how):
    wb = openpyxl.load_workbook(issued["xa", "blank"])
    assert lint(wb) == []
    how(wb)
    return lint(wb)


def test_lint_catches_unlocked_formula(issued):
    def unlock(wb):
        cell(wb, L.N_LEVEL).protection = Protection(locked=False)
    problems = _broken(issued, unlock)
    assert any("ô công thức không được khóa" in p for p in problems), problems


def test_lint_catches_long_validation_message(issued):
    def long_message(wb):
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                            error="Nhập số nguyên " + "x" * 300, errorTitle="Giá trị không hợp lệ",
                            showErrorMessage=True)
        wb[L.SHEET_SELF].add_data_validation(dv)
        dv.add(cell(wb, "xa_4_2").coordinate)
    problems = _broken(issued, long_message)
    assert any("nội dung lỗi" in p and "> 255" in p for p in problems), problems


def test_lint_catches_long_validation_title_and_equals_sign(issued):
    def bad(wb):
        dv = DataValidation(type="list", formula1="=DS_DAT", errorTitle="Tiêu đề quá dài " + "y" * 40,
                            error="Chọn Đạt hoặc Không đạt.")
        wb[L.SHEET_SELF].add_data_validation(dv)
    problems = _broken(issued, bad)
    assert any("tiêu đề lỗi" in p for p in problems), problems
    assert any("bắt đầu bằng '='" in p for p in problems), problems


def test_lint_catches_merged_cells(issued):
    problems = _broken(issued, lambda wb: wb[L.SHEET_SUMMARY].merge_cells("A1:E1"))
    assert any("ô gộp" in p for p in problems), problems


def test_lint_catches_unprotected_structure(issued):
    def unprotect(wb):
        wb.security.lockStructure = False
    problems = _broken(issued, unprotect)
    assert "cấu trúc sổ tính chưa được bảo vệ" in problems


def test_lint_catches_unlocked_unnamed_cell_and_bad_name(issued):
    def bad(wb):
        wb[L.SHEET_SELF]["C3"].protection = Protection(locked=False)
        wb.defined_names["AB12"] = DefinedName("AB12", attr_text=f"'{L.SHEET_SELF}'!$B$2")
    problems = _broken(issued, bad)
    assert any("C3: ô không có tên mà không khóa" in p for p in problems), problems
    assert any("tên 'AB12' không hợp lệ" in p for p in problems), problems


def test_generate_refuses_a_workbook_that_fails_lint(tmp_path, monkeypatch):
    import cdht_generator.api as api

    def broken_build(*a, **kw):
        wb, meta = build_workbook(*a, **kw)
        wb[L.SHEET_SUMMARY].merge_cells("A1:E1")
        return wb, meta
    monkeypatch.setattr(api, "build_workbook", broken_build)
    with pytest.raises(GenerateError) as e:
        generate(EDITION, "xa", YEAR, tmp_path)
    assert [f.code for f in e.value.findings] == ["CDHT-T003"]
    assert list(tmp_path.iterdir()) == []  # nothing written


# --- CLI ---------------------------------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(main, ["generate", *map(str, args)])


def test_cli_password(tmp_path):
    r = run("--tier", "xa", "--year", YEAR, "--password", "PW-So-GD-2026", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / f"CDHT_{YEAR}_xa_mau-trong.xlsx")
    for ws in wb.worksheets:
        if ws.protection.sheet:
            assert ws.protection.password == hash_password("PW-So-GD-2026") != hash_password(DEFAULT_PASSWORD)
    assert wb.security.workbookPassword == hash_password("PW-So-GD-2026")
    assert lint(wb) == []


def test_cli_units_with_vietnamese_headers(tmp_path):
    csv = tmp_path / "don-vi.csv"
    csv.write_text("Mã,Tên,Cấp,Mã cấp trên,Vùng khó khăn\n"
                   "T9,Tỉnh Chín,tỉnh,,Không\n"
                   "H9,Huyện Chín,huyện,T9,Không\n"
                   "X91,Xã Một,xã,H9,Có\n"
                   "X92,Xã Hai,xã,H9,\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run("--tier", "xa", "--year", YEAR, "--units", csv, "--out", out)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [f"CDHT_{YEAR}_xa_X91.xlsx", f"CDHT_{YEAR}_xa_X92.xlsx"]
    wb = openpyxl.load_workbook(out / f"CDHT_{YEAR}_xa_X91.xlsx")
    assert (cell(wb, "don_vi_ma").value, cell(wb, "don_vi_ten").value) == ("X91", "Xã Một")
    assert cell(wb, "vung_kho_khan").value == "Có"
    assert cell(wb, "vung_kho_khan").protection.locked  # the registry's status: not the commune's choice (issue 12)
    wb2 = openpyxl.load_workbook(out / f"CDHT_{YEAR}_xa_X92.xlsx")
    assert cell(wb2, "vung_kho_khan").value == "Không"
    assert {p.name: p.value for p in wb.custom_doc_props}["cdht_parent_code"] == "H9"


def test_cli_units_semicolons_and_bom(tmp_path):
    csv = tmp_path / "don-vi.csv"
    csv.write_text("ma;ten;cap;ma_cap_tren;vung_kho_khan\nH9;Huyện Chín;huyen;;\n", encoding="utf-8-sig")
    r = run("--tier", "huyen", "--year", YEAR, "--units", csv, "--unit", "H9", "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / f"CDHT_{YEAR}_huyen_H9.xlsx").is_file()


@pytest.mark.parametrize("content,code,detail", [
    ("ma,ten\nX1,Xã Một\n", "CDHT-T007", "thiếu cột cap, ma_cap_tren"),
    ("ma,ten,cap,ma_cap_tren\nX1,Xã Một,thôn,\n", "CDHT-T009", "bad.csv:2: Cấp 'thôn' không phải 'xa', 'huyen' hoặc 'tinh'"),
    ("ma,ten,cap,ma_cap_tren\nX1,Xã Một,xa,H404\n", "CDHT-T011", "bad.csv:2: Đơn vị 'X1' có mã cấp trên 'H404'"),
    ("ma,ten,cap,ma_cap_tren\nX1,Xã Một,xa,\nX1,Xã Hai,xa,\n", "CDHT-T010", "bad.csv:3: Mã đơn vị 'X1' trùng với dòng 2"),
    ("ma,ten,cap,ma_cap_tren\n,Xã Một,xa,\n", "CDHT-T008", "bad.csv:2: Đơn vị thiếu mã"),
    ("", "CDHT-T006", "rỗng"),
])
def test_cli_bad_units_csv(tmp_path, content, code, detail):
    """One code per problem, the file and line named once, in Vietnamese."""
    csv = tmp_path / "bad.csv"
    csv.write_text(content, encoding="utf-8")
    r = run("--tier", "xa", "--year", YEAR, "--units", csv, "--out", tmp_path / "out")
    assert r.exit_code == 1
    assert code in r.output and detail in r.output, r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_cli_missing_units_file(tmp_path):
    r = run("--tier", "xa", "--year", YEAR, "--units", tmp_path / "khong-co.csv", "--out", tmp_path / "out")
    assert r.exit_code == 1 and "CDHT-T001" in r.output and "không tồn tại" in r.output, r.output


def test_cli_unknown_unit(tmp_path):
    r = run("--tier", "xa", "--year", YEAR, "--units", SAMPLE_UNITS, "--unit", "MAU-X9999", "--out", tmp_path)
    assert r.exit_code == 1
    assert "CDHT-T002" in r.output and "MAU-X9999" in r.output, r.output
    # a unit of another tier is unknown for this tier too
    r = run("--tier", "xa", "--year", YEAR, "--units", SAMPLE_UNITS, "--unit", "MAU-H01", "--out", tmp_path)
    assert r.exit_code == 1 and "CDHT-T002" in r.output
    assert list(tmp_path.iterdir()) == []


def test_cli_year_outside_edition(tmp_path):
    r = run("--tier", "xa", "--year", 2023, "--out", tmp_path)
    assert r.exit_code == 1
    assert "CDHT-T004" in r.output and "2023" in r.output, r.output
    two = CATALOGUE_DIR / "tt25-2023-hai-cap.yaml"
    r = run("--tier", "tinh", "--year", 2024, "--edition", two, "--out", tmp_path)
    assert r.exit_code == 1 and "CDHT-T004" in r.output
    assert list(tmp_path.iterdir()) == []


def test_cli_tier_missing_from_edition(tmp_path):
    r = run("--tier", "huyen", "--year", YEAR, "--edition", CATALOGUE_DIR / "tt25-2023-hai-cap.yaml",
            "--out", tmp_path)
    assert r.exit_code == 1 and "CDHT-T005" in r.output, r.output


def test_cli_all_units_of_a_tier(tmp_path):
    r = run("--tier", "xa", "--year", YEAR, "--units", SAMPLE_UNITS, "--out", tmp_path)
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"CDHT_{YEAR}_xa_{u.code}.xlsx" for u in UNITS.of_tier("xa"))
    assert len(names) == 12
    wb = openpyxl.load_workbook(tmp_path / f"CDHT_{YEAR}_xa_MAU-X0201.xlsx")
    assert cell(wb, "vung_kho_khan").value == "Có"


# --- lower units listed ----------------------------------------------------------------------------------

def _children(wb) -> list[tuple]:
    ws = wb[L.SHEET_CHILDREN]
    return [(r[0], r[1], r[2]) for r in ws.iter_rows(min_row=L.HEADER_ROW + 1, max_col=3, values_only=True)
            if r[0] is not None]


def test_district_lists_its_communes(books):
    wb = books["huyen", "unit"]
    assert _children(wb) == [(f"MAU-X010{k}", UNITS.get(f"MAU-X010{k}").name, L.STATUS_MISSING)
                             for k in range(1, 7)]
    header = [c.value for c in wb[L.SHEET_CHILDREN][L.HEADER_ROW]]
    assert header == L.child_columns(EDITION.tier("xa"))


def test_province_lists_its_districts(books):
    assert [c for c, _, _ in _children(books["tinh", "unit"])] == ["MAU-H01", "MAU-H02"]
    header = [c.value for c in books["tinh", "unit"][L.SHEET_CHILDREN][L.HEADER_ROW]]
    assert header == L.child_columns(EDITION.tier("huyen"))


@pytest.mark.parametrize("tier", ["huyen", "tinh"])
def test_register_dates_are_a_column_format(books, tier):
    """The clerk's decision dates show as dd/mm/yyyy through the column's format (Excel and
    LibreOffice give a typed cell its column's format), not 500 empty formatted cells."""
    ws = books[tier, "blank"][L.SHEET_REGISTER]
    col = L.REGISTER_COLUMNS.index("Ngày quyết định") + 1
    assert ws.column_dimensions["E"].number_format == "dd/mm/yyyy" and col == 5
    assert not ws.protection.sheet  # typed freely: the register is the clerk's own
    assert ws.max_row == L.HEADER_ROW


@pytest.mark.parametrize("tier", ["huyen", "tinh"])
def test_register_unit_codes_are_a_text_column(books, tier):
    """The clerk types official unit codes (00010) into the register: its code column is text, so
    Excel keeps them as typed instead of storing the number 10, which names no unit."""
    ws = books[tier, "blank"][L.SHEET_REGISTER]
    assert L.REGISTER_COLUMNS[0] == "Mã đơn vị" and ws.column_dimensions["A"].number_format == "@"


def test_blank_upper_templates_list_no_units(books):
    assert _children(books["huyen", "blank"]) == []
    assert _children(books["tinh", "blank"]) == []


def test_two_tier_province_lists_all_communes(books, issued):
    assert "huyen" not in TWO_TIER.tiers and TWO_TIER.tier("tinh").children == ["xa"]
    wb = books["tinh", "two-tier"]
    assert wb.sheetnames == SHEETS["tinh"]
    codes = [c for c, _, _ in _children(wb)]
    assert sorted(codes) == sorted(u.code for u in UNITS.of_tier("xa")) and len(codes) == 12
    header = [c.value for c in wb[L.SHEET_CHILDREN][L.HEADER_ROW]]
    assert header == L.child_columns(TWO_TIER.tier("xa"))
    # tinh.4.1 counts communes in this edition
    assert "tinh_4_1_tong_so_xa" in wb.defined_names and "tinh_4_1_tong_so_huyen" not in wb.defined_names
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["cdht_edition_id"] == "tt25-2023-hai-cap"
    assert issued["tinh", "two-tier"].name == f"CDHT_{YEAR}_tinh_MAU-T01_tt25-2023-hai-cap.xlsx"
    assert props["cdht_fingerprint"] == layout_fingerprint(wb)


def test_output_folder_is_created_and_no_temp_files_left(tmp_path):
    out = tmp_path / "a" / "b"
    paths = generate(EDITION, "xa", YEAR, out)
    assert [p.name for p in out.iterdir()] == [paths[0].name]


@pytest.mark.parametrize("written, canonical", [
    ("_ds!$B$1:$B$2", "'_ds'!$B$1:$B$2"),                      # LibreOffice / Excel drop needless quotes
    ("'_ds'!$B$1:$B$2", "'_ds'!$B$1:$B$2"),
    ("=IF(ISNUMBER(x),x>0,FALSE())", "=IF(ISNUMBER(x),x>0,FALSE)"),  # LibreOffice writes FALSE()
    ("=COUNTIF('Minh chứng'!$B$5:$B$304,\"*xa.1.1*\")", "=COUNTIF('Minh chứng'!$B$5:$B$304,\"*xa.1.1*\")"),
    ("=IF(A1=\"x!y FALSE()\",Dữ_liệu!A1,[1]Sheet!A1)", "=IF(A1=\"x!y FALSE()\",'Dữ_liệu'!A1,[1]Sheet!A1)"),
    ("=A1+B2", "=A1+B2"),
])
def test_formulas_are_compared_in_one_spelling(written, canonical):
    assert canonical_formula(written) == canonical
    assert canonical_formula(canonical) == canonical  # idempotent


def test_generated_formulas_and_names_are_already_canonical(books):
    """So the canonical spelling changes no stored fingerprint of an issued workbook."""
    for (tier, kind), wb in books.items():
        for n, d in wb.defined_names.items():
            assert canonical_formula(d.attr_text) == d.attr_text, (tier, kind, n)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        assert canonical_formula(c.value) == c.value, (tier, kind, ws.title, c.coordinate)
