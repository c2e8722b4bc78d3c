"""The ribbon entry points driven through real xlwings Books (remote engine, no Excel).

Each test generates and fills real workbooks, builds the payload an xlwings client would post
(``tests/support/xlwings_remote.py``) and asserts on the actions the entry point recorded. The
book name in the payload is the file's full path — what ``book.fullname`` is on desktop Excel —
so the entry points judge the saved file like they do on Windows.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

try:
    from tests.support import xlwings_remote
except ImportError:  # tests/ itself on sys.path
    from support import xlwings_remote

import xlwings as xw  # after xlwings_remote, which sets XLWINGS_LICENSE_KEY

from tests.support.strict_excel import StrictBook

import cdht_addin
from cdht_addin import buttons as xlwings_entry
from cdht import contract as L
from cdht import rules as R
from cdht_generator.api import generate
from cdht.edition import load_edition
from cdht.units import SAMPLE_UNITS, read_units
from cdht.fill import evidence_for, fill

EDITION = load_edition(None)
YEAR = 2025
UNITS, _ = read_units(SAMPLE_UNITS)
COMMUNE_VALUES = {"tong_so_cong_dan": 1000, "vung_kho_khan": R.KHONG, "xa_4_2": 3, "xa_4_3": 3,
                  "xa_4_4": 2, "xa_5_1_so_cong_dan_hoc_tap": 800, "xa_5_2_so_duoc_dao_tao": 600,
                  "xa_5_2_so_dai_hoc": 150}
MAX_ACTIONS = 60


def _verdicts(tier: str) -> dict:
    return {f.key: R.DAT for f in EDITION.tier(tier).fields.values() if f.type == "verdict"}


@pytest.fixture(autouse=True)
def _log(tmp_path, monkeypatch):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "log" / "cdht.log"))
    return tmp_path / "log" / "cdht.log"


@pytest.fixture(scope="module")
def templates(templates):
    """The shared issued templates (tests/conftest.py), of this module's year."""
    return templates.of_year(YEAR)


def _commune(templates, code: str, out: Path, missing_evidence: int = 2) -> Path:
    """A filled commune at level 2 whose last ``missing_evidence`` indicators lack evidence."""
    tier = EDITION.tier("xa")
    ev = evidence_for(tier, dt.date(YEAR, 6, 1))
    return fill(templates[code], out / f"{code}.xlsx", {**_verdicts("xa"), **COMMUNE_VALUES},
                ev[:len(ev) - missing_evidence] if missing_evidence else ev)


def _book(path: Path, strict: bool = True, **kw):
    """The remote-engine Book of ``path``, held to Excel's protection rules by the strict double
    (tests/support/strict_excel.py) unless ``strict=False``."""
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(path, caller_name=str(path), **kw))
    return StrictBook(book, path) if strict else book


def _sheet_pos(path: Path, name: str) -> int:
    return openpyxl.load_workbook(path, read_only=True).sheetnames.index(name)


def _input_positions(path: Path, tier: str) -> set[tuple[int, int, int]]:
    """(sheet position, row0, col0) of every input cell of ``tier``, by defined name."""
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    wb = openpyxl.load_workbook(path)
    out = set()
    for key in EDITION.tier(tier).fields:
        if key not in wb.defined_names:
            continue
        for sheet, ref in wb.defined_names[key].destinations:
            col, row = coordinate_from_string(ref.replace("$", "").split(":")[0])
            out.add((wb.sheetnames.index(sheet), row - 1, column_index_from_string(col) - 1))
    return out


def _writes_on(actions, pos):
    return [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == pos]


def _covers(a, cell) -> bool:
    s, r, c = cell
    return (a["sheet_position"] == s and a["start_row"] <= r < a["start_row"] + a["row_count"]
            and a["start_column"] <= c < a["start_column"] + a["column_count"])


def _alerts(actions):
    return [a["args"][0] for a in actions if a["func"] == "alert"]


def test_package_exposes_the_ribbon_entry_points():
    for name in [n for n in xlwings_entry.__all__ if n != "log_path"]:
        assert callable(getattr(cdht_addin, name))


@pytest.mark.oracle
@pytest.mark.parametrize("fn, codes", [("tinh_muc_do", set()), ("kiem_tra_minh_chung", {"CDHT-E001"})])
def test_results_written_in_one_block_and_alert(templates, tmp_path, fn, codes):
    path = _commune(templates, "MAU-X0101", tmp_path)
    before = hashlib.sha256(path.read_bytes()).digest()
    book = _book(path)
    getattr(cdht_addin, fn)(book=book)
    actions = xlwings_remote.actions(book)
    assert len(actions) <= MAX_ACTIONS

    pos = _sheet_pos(path, L.SHEET_RESULTS)
    blocks = _writes_on(actions, pos)
    assert len(blocks) == 1
    block = blocks[0]
    assert (block["start_row"], block["start_column"]) == (L.HEADER_ROW, 0)  # row 5, column A
    assert block["column_count"] == len(L.RESULTS_COLUMNS)
    texts = [v for row in block["values"] for v in row]
    assert "Mức độ (tính lại từ số liệu): Mức độ 2" in texts
    assert {row[0] for row in block["values"] if row[0]} >= codes
    if codes:  # the flagged cells: one colour each, on the input sheet (unprotected and re-protected)
        colours = [a for a in actions if a["func"] == "setRangeColor"]
        assert colours and all(a["args"] == [xlwings_entry.COLOR_FLAG] for a in colours)
        assert len(colours) <= xlwings_entry.MAX_HIGHLIGHTS
        assert "CDHT-A007" not in _alerts(actions)[0]

    # never a value written over an input cell
    inputs = _input_positions(path, "xa")
    assert not [a for a in actions if a["func"] == "setValues" and any(_covers(a, c) for c in inputs)]

    alerts = _alerts(actions)
    assert len(alerts) == 1
    assert "Mức độ 2" in alerts[0] and "Lỗi:" in alerts[0] and "Traceback" not in alerts[0]
    assert [a["args"][1] for a in actions if a["func"] == "alert"] == [xlwings_entry.TITLE]
    assert hashlib.sha256(path.read_bytes()).digest() == before  # the file is never rewritten


@pytest.mark.oracle
def test_old_rows_are_blanked_and_fixed_cells_lose_their_flag(templates, tmp_path):
    """A previous run left more rows and a flag on an input cell that is fine now."""
    path = _commune(templates, "MAU-X0101", tmp_path, missing_evidence=0)
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_RESULTS]
    sheet, ref = next(iter(wb.defined_names["xa_1_1"].destinations))
    for k in range(30):
        ws.cell(L.HEADER_ROW + 1 + k, 1, "CDHT-E001")
    ws.cell(L.HEADER_ROW + 1, 3, sheet)
    ws.cell(L.HEADER_ROW + 1, 4, ref.replace("$", ""))
    wb.save(path)
    book = _book(path)
    cdht_addin.kiem_tra_minh_chung(book=book)
    actions = xlwings_remote.actions(book)
    block = _writes_on(actions, _sheet_pos(path, L.SHEET_RESULTS))[0]
    assert block["row_count"] >= 30
    assert all(v == "" for row in block["values"][3:] for v in row)  # 3 summary rows, no findings
    assert [a["args"] for a in actions if a["func"] == "setRangeColor"] == [[xlwings_entry.COLOR_INPUT]]
    assert "Sẵn sàng nộp hồ sơ: Có" in _alerts(actions)[0]


@pytest.mark.oracle
def test_an_engine_without_excels_protection_api_colours_nothing_on_protected_sheets(templates, tmp_path):
    """xlwings' remote engine cannot unprotect a sheet: no colour is sent to a protected input sheet
    (Excel would refuse it) and the alert says how many cells were left uncoloured (A007)."""
    path = _commune(templates, "MAU-X0101", tmp_path)
    book = _book(path, strict=False)
    cdht_addin.kiem_tra_minh_chung(book=book)
    actions = xlwings_remote.actions(book)
    assert not [a for a in actions if a["func"] == "setRangeColor"]
    assert _writes_on(actions, _sheet_pos(path, L.SHEET_RESULTS))  # the results are still written
    assert "CDHT-A007" in _alerts(actions)[0] and "Không tô màu được 2 ô" in _alerts(actions)[0]


@pytest.mark.oracle
def test_not_our_workbook_gives_a002_without_traceback(tmp_path, _log):
    path = tmp_path / "khac.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Bảng lương"
    wb.save(path)
    for fn in ("tinh_muc_do", "kiem_tra_minh_chung"):
        book = _book(path)
        getattr(cdht_addin, fn)(book=book)
        actions = xlwings_remote.actions(book)
        assert [a["func"] for a in actions] == ["alert"]
        text = _alerts(actions)[0]
        assert "CDHT-A002" in text and "Traceback" not in text and "File \"" not in text


@pytest.mark.oracle
def test_unsaved_book_is_asked_to_be_saved(templates, tmp_path):
    path = _commune(templates, "MAU-X0101", tmp_path)
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(path))  # name only: no file behind it
    cdht_addin.tinh_muc_do(book=book)
    actions = xlwings_remote.actions(book)
    assert [a["func"] for a in actions] == ["alert"]
    assert "Ctrl+S" in _alerts(actions)[0]


@pytest.mark.oracle
def test_unexpected_error_is_logged_and_coded(templates, tmp_path, monkeypatch, _log):
    path = _commune(templates, "MAU-X0101", tmp_path)

    def boom(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("cdht.ops.assess.compute", boom)
    book = _book(path)
    cdht_addin.tinh_muc_do(book=book)
    text = _alerts(xlwings_remote.actions(book))[0]
    assert "CDHT-A001" in text and str(_log) in text and "Traceback" not in text
    assert "ZeroDivisionError: boom" in _log.read_text(encoding="utf-8")
    assert "Traceback" in _log.read_text(encoding="utf-8")


@pytest.mark.oracle
def test_merge_writes_into_the_open_book_and_leaves_the_file(templates, tmp_path):
    folder = tmp_path / "nop"
    for code in ("MAU-X0101", "MAU-X0102", "MAU-X0103"):
        _commune(templates, code, folder, missing_evidence=0)
    parent = tmp_path / "huyen.xlsx"
    shutil.copy(templates["MAU-H01"], parent)
    before = parent.read_bytes()
    book = _book(parent)
    cdht_addin.gop_bao_cao(str(folder), book=book)
    actions = xlwings_remote.actions(book)
    assert len(actions) <= MAX_ACTIONS
    assert parent.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))

    children = [a for a in _writes_on(actions, _sheet_pos(parent, L.SHEET_CHILDREN))
                if a["start_row"] == L.HEADER_ROW]
    assert len(children) == 1
    rows = {r[0]: r for r in children[0]["values"] if r[0]}
    for code in ("MAU-X0101", "MAU-X0102", "MAU-X0103"):
        # received = the day the merge first sees the file (issue 12's receipt ledger): today, after
        # the 2025 round's 28/02/2026 deadline
        assert rows[code][2] == L.Status.LATE.value and rows[code][5] == "Mức độ 2"
    assert rows["MAU-X0104"][2] == L.Status.NOT_SUBMITTED.value

    # derived indicators: one write each, on their named cells only
    wb = openpyxl.load_workbook(parent)
    self_pos = wb.sheetnames.index(L.SHEET_SELF)
    derived = {a["start_row"]: a["values"][0][0] for a in _writes_on(actions, self_pos)}
    from openpyxl.utils.cell import coordinate_from_string
    want = {}
    for name, v in (("huyen_4_1_tong_so_xa", 6), ("huyen_4_1_so_xa_muc_do_1", 0),
                    ("huyen_4_1_so_xa_muc_do_2", 0)):
        ref = next(iter(wb.defined_names[name].destinations))[1].replace("$", "")
        want[coordinate_from_string(ref)[1] - 1] = v
    assert derived == want  # no commune has a recognition decision in the register yet

    log = _writes_on(actions, _sheet_pos(parent, L.SHEET_LOG))
    # one block: three "Gộp" rows, then the receipt ledger's three "Nhận hồ sơ" rows (issue 12)
    assert len(log) == 1 and log[0]["row_count"] == 6 and log[0]["start_row"] == L.HEADER_ROW
    assert [r[1] for r in log[0]["values"]] == ["Gộp"] * 3 + ["Nhận hồ sơ"] * 3

    text = _alerts(actions)[0]
    assert "Đã nhận: 3/6" in text and "Chưa nộp: 3" in text and "Trả lại: 0" in text


@pytest.mark.oracle
def test_merge_folder_missing_and_commune_parent(templates, tmp_path):
    parent = tmp_path / "huyen.xlsx"
    shutil.copy(templates["MAU-H01"], parent)
    book = _book(parent)
    cdht_addin.gop_bao_cao(str(tmp_path / "khong-co"), book=book)
    assert "CDHT-A004" in _alerts(xlwings_remote.actions(book))[0]

    commune = _commune(templates, "MAU-X0101", tmp_path)
    book = _book(commune)
    cdht_addin.gop_bao_cao(str(tmp_path), book=book)
    actions = xlwings_remote.actions(book)
    assert [a["func"] for a in actions] == ["alert"] and "CDHT-A003" in _alerts(actions)[0]


@pytest.mark.oracle
def test_export_falls_back_to_printing_on_the_remote_engine(templates, tmp_path):
    path = _commune(templates, "MAU-X0101", tmp_path)
    book = _book(path, strict=False)  # xlwings' remote engine: no PDF export
    cdht_addin.xuat_ban_tong_hop(book=book)
    actions = xlwings_remote.actions(book)
    assert [a["func"] for a in actions] == ["activateSheet", "alert"]
    assert actions[0]["args"] == [_sheet_pos(path, L.SHEET_SUMMARY)]
    assert "Ctrl+P" in _alerts(actions)[0]
    assert not list(tmp_path.glob("*.pdf"))


@pytest.mark.oracle
def test_export_is_the_summary_sheets_own_pdf_export(templates, tmp_path):
    """Under Excel's rules (structure locked) the summary sheet exports itself: no sheet is hidden
    or shown, the PDF lands beside the workbook, the alert names it."""
    path = _commune(templates, "MAU-X0101", tmp_path)
    book = _book(path)
    before = book.protection()
    cdht_addin.xuat_ban_tong_hop(book=book)
    actions = xlwings_remote.actions(book)
    assert [a["func"] for a in actions] == ["activateSheet", "alert"]
    pdf = tmp_path / "MAU-X0101 - Ban tong hop.pdf"
    assert book.exports == [(L.SHEET_SUMMARY, pdf)] and pdf.is_file()
    assert str(pdf) in _alerts(actions)[0]
    assert book.protection() == before


@pytest.mark.oracle
def test_about_shows_version_edition_and_log(templates, tmp_path, _log):
    path = _commune(templates, "MAU-X0101", tmp_path)
    book = _book(path)
    cdht_addin.gioi_thieu(book=book)
    text = _alerts(xlwings_remote.actions(book))[0]
    assert cdht_addin.__version__ in text and "tt25-2023" in text and "MAU-X0101" in text
    assert str(_log) in text


@pytest.mark.oracle
def test_lite_module_imports_and_computes_from_values(templates, tmp_path):
    from cdht_addin.lite import main as lite

    path = _commune(templates, "MAU-X0101", tmp_path)
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(path))
    lite.tinh_muc_do(book)
    actions = xlwings_remote.actions(book)
    block = _writes_on(actions, _sheet_pos(path, L.SHEET_RESULTS))[0]
    assert "Mức độ (tính lại từ số liệu): Mức độ 2" in [v for row in block["values"] for v in row]
    assert "Mức độ 2" in _alerts(actions)[0]


@pytest.mark.oracle
def test_province_merge_button_takes_department_forms(tmp_path):
    """The ribbon's merge on a province book writes the departments' figures by name, in the open book."""
    from cdht_generator.contributor import generate_contributor_form
    units = read_units(SAMPLE_UNITS)[0]
    province = generate(EDITION, "tinh", YEAR, tmp_path / "tinh", units=units, unit_code="MAU-T01")[0]
    form = generate_contributor_form(EDITION, YEAR, "so_vhtt", tmp_path / "forms")
    folder = tmp_path / "nop"
    fill(form, folder / "so_vhtt.xlsx", {"tinh_3_3": "Đạt", "tinh_3_4_so_chuong_trinh": 6,
                                         "nguoi_ky": "Nguyễn Văn A", "chuc_vu": "Phó Giám đốc"})
    before = province.read_bytes()
    book = _book(province)
    cdht_addin.gop_bao_cao(str(folder), book=book)
    actions = xlwings_remote.actions(book)
    assert province.read_bytes() == before and len(actions) <= MAX_ACTIONS
    wb = openpyxl.load_workbook(province)
    from openpyxl.utils.cell import coordinate_from_string
    written = {(a["sheet_position"], a["start_row"], a["start_column"]): a["values"][0][0]
               for a in actions if a["func"] == "setValues" and a["row_count"] == 1 and a["column_count"] == 1}
    for name, v in (("tinh_3_3", "Đạt"), ("tinh_3_4_so_chuong_trinh", 6)):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        col, row = coordinate_from_string(ref.replace("$", ""))
        from openpyxl.utils import column_index_from_string
        assert written[(wb.sheetnames.index(sheet), row - 1, column_index_from_string(col) - 1)] == v
    assert "Phiếu sở/ngành: 1/5 đã nộp" in _alerts(actions)[0]


@pytest.mark.oracle
def test_missing_evidence_colours_the_evidence_count_not_the_verdict(templates, tmp_path):
    """Issue 17, through the ribbon's "Kiểm tra minh chứng": the two indicators without evidence get
    their "Số minh chứng" cell flagged (and the results name that cell); no verdict input is coloured
    red. A count cell flagged last time and fine now loses its flag (no input yellow: it is computed)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    path = _commune(templates, "MAU-X0101", tmp_path, missing_evidence=2)
    tier = EDITION.tier("xa")
    missing, fixed = [i.id for i in tier.indicators[-2:]], tier.indicators[0].id
    wb = openpyxl.load_workbook(path)
    where = {i: next(iter(wb.defined_names[L.evidence_count_name(i)].destinations)) for i in missing + [fixed]}
    ws = wb[L.SHEET_RESULTS]  # what the previous run flagged: the count cell of an indicator fine now
    ws.cell(L.HEADER_ROW + 1, 1, "CDHT-E001")
    ws.cell(L.HEADER_ROW + 1, 3, where[fixed][0])
    ws.cell(L.HEADER_ROW + 1, 4, where[fixed][1].replace("$", ""))
    wb.save(path)
    pos = {i: (wb.sheetnames.index(s), int(coordinate_from_string(r.replace("$", ""))[1]) - 1,
               column_index_from_string(coordinate_from_string(r.replace("$", ""))[0]) - 1)
           for i, (s, r) in where.items()}
    book = _book(path)
    cdht_addin.kiem_tra_minh_chung(book=book)
    actions = xlwings_remote.actions(book)
    rows = [row for row in _writes_on(actions, _sheet_pos(path, L.SHEET_RESULTS))[0]["values"] if row[0] == "CDHT-E001"]
    assert {(r[2], r[3], r[4]) for r in rows} == {(where[i][0], where[i][1].replace("$", ""), i) for i in missing}
    colours = [a for a in actions if a["func"] == "setRangeColor"]
    flagged = {(a["sheet_position"], a["start_row"], a["start_column"]) for a in colours
               if a["args"] == [xlwings_entry.COLOR_FLAG]}
    assert flagged == {pos[i] for i in missing}
    assert not flagged & _input_positions(path, "xa")
    cleared = [a["args"] for a in colours if (a["sheet_position"], a["start_row"], a["start_column"]) == pos[fixed]]
    assert cleared == [[None]]
