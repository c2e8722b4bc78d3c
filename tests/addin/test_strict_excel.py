"""The strict Excel double refuses what desktop Excel refuses (run-time error 1004), with the
protection read from the real workbook — and lets every allowed write through to xlwings' own
objects. Each forbidden write has its own test."""
from __future__ import annotations

import openpyxl
import pytest

from tests.support import xlwings_remote
from tests.support.strict_excel import ExcelError, StrictBook

import xlwings as xw  # noqa: E402  (after xlwings_remote: licence key)

from cdht import contract as L
from cdht_generator.builder import DEFAULT_PASSWORD

pytestmark = pytest.mark.oracle
YEAR = 2025


@pytest.fixture(scope="module")
def commune(templates):
    return templates.of_year(YEAR)["MAU-X0101"]


def _strict(path) -> StrictBook:
    return StrictBook(xw.Book(json=xlwings_remote.payload_from_xlsx(path, caller_name=str(path))), path)


def _funcs(book) -> list[str]:
    return [a["func"] for a in xlwings_remote.actions(book)]


def _named(path, name):
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return sheet, ref.replace("$", "")


def test_flags_come_from_the_file(commune):
    book = _strict(commune)
    wb = openpyxl.load_workbook(commune)
    assert book.structure_locked is True
    for ws in wb.worksheets:
        state = book.sheet_state[ws.title]
        assert state.protected == bool(ws.protection.sheet)
        assert state.flags["formatCells"] == ws.protection.formatCells
        assert state.flags["formatColumns"] == ws.protection.formatColumns
    sheet, cell = _named(commune, "xa_1_1")
    assert wb[sheet][cell].protection.locked is False
    assert book.sheets[sheet].range(cell).sheet.state.locked(wb[sheet][cell].row, wb[sheet][cell].column) is False


def test_value_into_a_locked_cell_of_a_protected_sheet_fails(commune):
    book = _strict(commune)
    with pytest.raises(ExcelError, match="locked cell"):
        book.sheets[L.SHEET_SELF].range("A1").value = "x"
    with pytest.raises(ExcelError, match="locked cell"):  # a block that covers one locked cell
        sheet, cell = _named(commune, "xa_1_1")
        book.sheets[sheet].range(cell).value = [["Đạt", "x"]]
    assert _funcs(book) == []


def test_allowed_writes_reach_xlwings(commune):
    book = _strict(commune)
    sheet, cell = _named(commune, "xa_1_1")
    book.names["xa_1_1"].refers_to_range.value = "Đạt"          # an unlocked input
    book.sheets[L.SHEET_RESULTS].range("A5").value = [["a", "b"]]  # an unprotected tool sheet
    book.sheets[L.SHEET_RESULTS].range("A5").color = "#FF9999"
    assert _funcs(book) == ["setValues", "setValues", "setRangeColor"]


def test_format_on_a_protected_sheet_fails_even_on_an_unlocked_cell(commune):
    book = _strict(commune)
    with pytest.raises(ExcelError, match="formatting cells"):
        book.names["xa_1_1"].refers_to_range.color = "#FF9999"
    with pytest.raises(ExcelError, match="formatting cells"):
        book.sheets[L.SHEET_SELF].range("B2").number_format = "0"
    assert _funcs(book) == []


def test_a_sheet_that_allows_formatting_takes_a_colour(tmp_path):
    path = tmp_path / "cho-phep.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "x"
    ws.protection.sheet, ws.protection.formatCells = True, False
    wb.save(path)
    book = _strict(path)
    book.sheets[0].range("A1").color = "#FF9999"
    with pytest.raises(ExcelError):
        book.sheets[0].range("A1").value = "y"
    assert _funcs(book) == ["setRangeColor"]


def test_unprotect_needs_the_password_and_protect_defaults_differ(commune):
    book = _strict(commune)
    before = book.protection()
    api = book.sheets[L.SHEET_SELF].api
    with pytest.raises(ExcelError, match="password"):
        api.Unprotect("sai-mat-khau")
    api.Unprotect(DEFAULT_PASSWORD)
    book.names["xa_1_1"].refers_to_range.color = "#FF9999"
    book.sheets[L.SHEET_SELF].range("A1").value = "x"  # unprotected: anything goes
    api.Protect(DEFAULT_PASSWORD)  # Excel's defaults: columns and rows no longer formattable
    assert book.protection() != before
    api.Unprotect(DEFAULT_PASSWORD)
    api.Protect(DEFAULT_PASSWORD, DrawingObjects=False, Scenarios=False,  # the template's options
                AllowFormattingColumns=True, AllowFormattingRows=True)
    assert book.protection() == before


@pytest.mark.parametrize("action", ["hide", "show", "add", "delete", "rename"])
def test_structure_lock_refuses_sheet_changes(commune, action):
    book = _strict(commune)
    do = {"hide": lambda: setattr(book.sheets[L.SHEET_GUIDE], "visible", False),
          "show": lambda: setattr(book.sheets[L.SHEET_LISTS], "visible", True),
          "add": lambda: book.sheets.add("Báo cáo"),
          "delete": lambda: book.sheets[L.SHEET_RESULTS].delete(),
          "rename": lambda: setattr(book.sheets[L.SHEET_RESULTS], "name", "KQ")}[action]
    with pytest.raises(ExcelError, match="structure"):
        do()
    assert _funcs(book) == []


def test_xlwings_to_pdf_fails_under_structure_lock_the_sheets_export_does_not(commune, tmp_path):
    book = _strict(commune)
    with pytest.raises(ExcelError, match="structure"):
        book.sheets[L.SHEET_SUMMARY].to_pdf(tmp_path / "a.pdf")
    book.sheets[L.SHEET_SUMMARY].api.ExportAsFixedFormat(0, str(tmp_path / "b.pdf"))
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
    assert book.exports == [(L.SHEET_SUMMARY, tmp_path / "b.pdf")]


def test_exporting_a_hidden_sheet_fails(commune, tmp_path):
    book = _strict(commune)
    with pytest.raises(ExcelError, match="hidden"):
        book.sheets[L.SHEET_LISTS].api.ExportAsFixedFormat(0, str(tmp_path / "ds.pdf"))
    assert not (tmp_path / "ds.pdf").exists()
