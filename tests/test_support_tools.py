"""Tests of the test-support tools: the LibreOffice recalculation oracle and the
xlwings remote payload builder."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from scripts import libreoffice

try:
    from tests.support import xlwings_remote
except ImportError:  # tests/ itself on sys.path (plain `pytest`, rootdir not importable)
    from support import xlwings_remote

import xlwings as xw  # after xlwings_remote, which sets XLWINGS_LICENSE_KEY

needs_soffice = pytest.mark.skipif(
    libreoffice.soffice_path() is None, reason="LibreOffice (soffice) is not installed"
)

SELF_ASSESSMENT = "Tự đánh giá"


def _define(wb, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _formula_workbook(path: Path, ratio: float, verdict: str | None) -> Path:
    """Inputs, a verdict sheet with IF/AND/COUNTIFS formulas, and defined names."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SELF_ASSESSMENT
    ws["A1"], ws["A2"] = ratio, verdict
    ws["B1"] = '=IF(AND(A1>=0.6,A2="Đạt"),"Đạt","Không đạt")'
    ws["B2"] = '=IF(A2="","Chưa đủ dữ liệu",IF(A1>=0.6,"Đủ","Thiếu"))'
    ws["B3"] = '=COUNTIFS(DuLieu!A2:A6,"Huyện Đông Anh",DuLieu!B2:B6,"Đạt")'
    ws["B4"] = '=COUNTIFS(DuLieu!B2:B6,"Không đạt")'
    ws["B5"] = "=A1*100"
    data = wb.create_sheet("DuLieu")
    data.append(["Huyện", "Kết quả"])
    for row in [
        ("Huyện Đông Anh", "Đạt"),
        ("Huyện Đông Anh", "Không đạt"),
        ("Huyện Sóc Sơn", "Đạt"),
        ("Huyện Đông Anh", "Đạt"),
        ("Huyện Đông Anh", "Chưa đánh giá"),
    ]:
        data.append(row)
    for name, cell in [("ket_luan", "B1"), ("du_lieu", "B2"), ("so_xa_dat", "B3"),
                       ("so_khong_dat", "B4"), ("phan_tram", "B5")]:
        _define(wb, name, f"'{SELF_ASSESSMENT}'!${cell[0]}${cell[1:]}")
    wb.save(path)
    return path


NAMES = ["ket_luan", "du_lieu", "so_xa_dat", "so_khong_dat", "phan_tram"]


def _with_cached_values(src: Path, dst: Path, cached: dict[str, str]) -> Path:
    """Copy of ``src`` whose formula cells in sheet1 carry the given (wrong) values."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, value in cached.items():
                    kind = "" if re.fullmatch(r"[\d.]+", value) else ' t="str"'
                    xml, count = re.subn(
                        rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)(?:<v\s*/>|<v></v>)',  # openpyxl without / with lxml
                        rf'<c r="{ref}"\1{kind}>\2<v>{value}</v>',
                        xml,
                    )
                    assert count == 1, ref
                data = xml.encode()
            zout.writestr(item, data)
    return dst


# --- LibreOffice oracle ----------------------------------------------------------


@pytest.mark.oracle
@needs_soffice
def test_recalc_computes_formulas_openpyxl_left_uncalculated(tmp_path):
    passed = _formula_workbook(tmp_path / "passed.xlsx", 0.75, "Đạt")
    failed = _formula_workbook(tmp_path / "failed.xlsx", 0.5, None)
    # openpyxl stores no cached values: only a real recalculation yields them.
    assert set(libreoffice.recalculated_values(passed, NAMES).values()) == {None}

    out = libreoffice.recalc([passed, failed], tmp_path / "out")

    assert out == {passed: tmp_path / "out" / "passed.xlsx", failed: tmp_path / "out" / "failed.xlsx"}
    assert libreoffice.recalculated_values(out[passed], NAMES) == {
        "ket_luan": "Đạt", "du_lieu": "Đủ", "so_xa_dat": 2, "so_khong_dat": 1, "phan_tram": 75,
    }
    assert libreoffice.recalculated_values(out[failed], NAMES) == {
        "ket_luan": "Không đạt", "du_lieu": "Chưa đủ dữ liệu", "so_xa_dat": 2,
        "so_khong_dat": 1, "phan_tram": 50,
    }


@pytest.mark.oracle
@needs_soffice
def test_recalc_replaces_stale_cached_values(tmp_path):
    fresh = _formula_workbook(tmp_path / "fresh.xlsx", 0.75, "Đạt")
    stale = _with_cached_values(
        fresh, tmp_path / "stale.xlsx", {"B1": "Không đạt", "B3": "999", "B5": "1"}
    )
    assert libreoffice.recalculated_values(stale, ["ket_luan", "so_xa_dat", "phan_tram"]) == {
        "ket_luan": "Không đạt", "so_xa_dat": 999, "phan_tram": 1,
    }
    # LibreOffice's default trusts the cached values of an "Excel" file...
    kept = libreoffice.recalc([stale], tmp_path / "kept", recalc_mode=libreoffice.NEVER_RECALC)
    assert libreoffice.recalculated_values(kept[stale], ["ket_luan", "so_xa_dat"]) == {
        "ket_luan": "Không đạt", "so_xa_dat": 999,
    }
    # ...the oracle's profile forces a full recalculation.
    out = libreoffice.recalc([stale], tmp_path / "out")
    assert libreoffice.recalculated_values(out[stale], ["ket_luan", "so_xa_dat", "phan_tram"]) == {
        "ket_luan": "Đạt", "so_xa_dat": 2, "phan_tram": 75,
    }


def test_recalc_rejects_duplicate_base_names(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ValueError, match="distinct base names"):
        libreoffice.recalc([tmp_path / "a" / "x.xlsx", tmp_path / "b" / "X.xlsx"], tmp_path / "out")


def test_recalculated_values_rejects_unknown_and_multi_cell_names(tmp_path):
    path = _formula_workbook(tmp_path / "book.xlsx", 0.75, "Đạt")
    wb = openpyxl.load_workbook(path)
    _define(wb, "khoi", "DuLieu!$A$1:$B$6")
    wb.save(path)
    with pytest.raises(KeyError):
        libreoffice.recalculated_values(path, ["khong_co"])
    with pytest.raises(ValueError, match="single cell"):
        libreoffice.recalculated_values(path, ["khoi"])


# --- xlwings remote payload ------------------------------------------------------


def _remote_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SELF_ASSESSMENT
    ws["A1"] = "Bộ tiêu chí xã học tập"
    ws.append([])
    ws.append(["Mã", "Tên xã", "Tỷ lệ", "Ngày", "Kết quả"])
    ws.append([1, "Xã Tân Lập", 0.75, dt.date(2024, 5, 1), "Đạt"])
    ws.append([2, "Xã Hòa Bình", 0.5, dt.datetime(2024, 5, 2, 14, 30), None])
    ws["E7"] = 42
    lists = wb.create_sheet("DanhMuc")
    lists.sheet_state = "veryHidden"
    for value in ["Đạt", "Không đạt", "Chưa đánh giá"]:
        lists.append([value])
    _define(wb, "xa_1_1", f"'{SELF_ASSESSMENT}'!$E$7")
    _define(wb, "DS_KetQua", "DanhMuc!$A$1:$A$3")
    _define(wb, "he_so", "0.5")  # a constant: clients send range names only
    ws.defined_names["ghi_chu"] = DefinedName("ghi_chu", attr_text=f"'{SELF_ASSESSMENT}'!$B$4:$B$5")
    wb.save(path)
    return path


@pytest.mark.oracle
def test_payload_matches_what_the_office_js_client_sends(tmp_path):
    payload = xlwings_remote.payload_from_xlsx(_remote_workbook(tmp_path / "xa.xlsx"))

    assert payload["client"] == "Office.js"
    assert payload["version"] == xw.__version__
    assert payload["book"] == {
        "name": "xa.xlsx", "active_sheet_index": 0, "selection": "A1", "calculation": "Automatic",
    }
    assert payload["names"] == [
        {"name": "xa_1_1", "sheet_index": 0, "address": "E7", "book_scope": True,
         "scope_sheet_name": None, "scope_sheet_index": None},
        {"name": "DS_KetQua", "sheet_index": 1, "address": "A1:A3", "book_scope": True,
         "scope_sheet_name": None, "scope_sheet_index": None},
        {"name": "ghi_chu", "sheet_index": 0, "address": "B4:B5", "book_scope": False,
         "scope_sheet_name": SELF_ASSESSMENT, "scope_sheet_index": 0},
    ]
    main, lists = payload["sheets"]
    assert (main["name"], main["visibility"]) == (SELF_ASSESSMENT, "Visible")
    assert (lists["name"], lists["visibility"]) == ("DanhMuc", "VeryHidden")
    assert main["used_range_address"] == "A1:E7"
    assert main["values"][3] == [1, "Xã Tân Lập", 0.75, "2024-05-01T00:00:00.000Z", "Đạt"]
    assert main["values"][4] == [2, "Xã Hòa Bình", 0.5, "2024-05-02T14:30:00.000Z", ""]
    assert main["values"][1] == [""] * 5
    assert {len(row) for row in main["values"]} == {5} and len(main["values"]) == 7
    assert lists["values"] == [["Đạt"], ["Không đạt"], ["Chưa đánh giá"]]


@pytest.mark.oracle
def test_remote_book_reads_and_records_actions(tmp_path):
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(_remote_workbook(tmp_path / "xa.xlsx")))
    sheet = book.sheets[SELF_ASSESSMENT]

    assert book.name == "xa.xlsx"
    assert book.names["xa_1_1"].refers_to_range.value == 42
    assert book.names["DS_KetQua"].refers_to_range.value == ["Đạt", "Không đạt", "Chưa đánh giá"]
    assert sheet["ghi_chu"].value == ["Xã Tân Lập", "Xã Hòa Bình"]
    assert sheet.names[0].name == f"'{SELF_ASSESSMENT}'!ghi_chu"
    assert sheet["A4:E5"].value == [
        [1, "Xã Tân Lập", 0.75, dt.datetime(2024, 5, 1), "Đạt"],
        [2, "Xã Hòa Bình", 0.5, dt.datetime(2024, 5, 2, 14, 30), None],
    ]
    assert sheet["A3"].expand("right").value == ["Mã", "Tên xã", "Tỷ lệ", "Ngày", "Kết quả"]
    assert sheet["Z100"].value is None  # outside the used range
    assert [s.visible for s in book.sheets] == [True, False]
    assert xlwings_remote.actions(book) == []

    sheet["G4"].value = [["Đạt", dt.date(2024, 6, 1)], [None, 3.5]]
    assert xlwings_remote.actions(book) == [
        {"func": "setValues", "args": [None],
         "values": [["Đạt", "2024-06-01"], ["", 3.5]],
         "sheet_position": 0, "start_row": 3, "start_column": 6,
         "row_count": 2, "column_count": 2},
    ]
    assert sheet["G4"].value is None  # writes don't update the snapshot

    book.app.alert("Đã kiểm tra xong", title="CĐHT")
    sheet["E5"].color = "#FFC7CE"
    book.sheets.add("Báo cáo")
    assert xlwings_remote.actions(book)[1:] == [
        {"func": "alert", "args": ["Đã kiểm tra xong", "CĐHT", "ok", "", ""],
         "values": None, "sheet_position": None, "start_row": None, "start_column": None,
         "row_count": None, "column_count": None},
        {"func": "setRangeColor", "args": ["#FFC7CE"], "values": None,
         "sheet_position": 0, "start_row": 4, "start_column": 4,
         "row_count": 1, "column_count": 1},
        {"func": "addSheet", "args": [2, "Báo cáo"], "values": None,
         "sheet_position": None, "start_row": None, "start_column": None,
         "row_count": None, "column_count": None},
    ]


@pytest.mark.oracle
def test_vba_client_payload(tmp_path):
    path = _remote_workbook(tmp_path / "xa.xlsx")
    payload = xlwings_remote.payload_from_xlsx(
        path, active_sheet="DanhMuc", caller_name="Huyen.xlsm", client="VBA"
    )
    assert payload["book"] == {"name": "Huyen.xlsm", "active_sheet_index": 1, "selection": "A1"}
    assert payload["sheets"][0]["values"][4] == [2, "Xã Hòa Bình", 0.5, "2024-05-02T14:30:00.000Z", None]
    assert payload["names"][-1]["name"] == f"'{SELF_ASSESSMENT}'!ghi_chu"

    book = xw.Book(json=payload)
    assert book.sheets.active.name == "DanhMuc"
    assert book.sheets[0]["ghi_chu"].value == ["Xã Tân Lập", "Xã Hòa Bình"]
    assert book.sheets[0]["D5:E5"].value == [dt.datetime(2024, 5, 2, 14, 30), None]


@pytest.mark.oracle
@needs_soffice
def test_payload_takes_formula_results_from_a_recalculated_copy(tmp_path):
    path = _formula_workbook(tmp_path / "book.xlsx", 0.75, "Đạt")
    wb = openpyxl.load_workbook(path)
    wb["DuLieu"].sheet_state = "veryHidden"
    wb.save(path)
    # Without a recalculated copy, formula cells are empty, as openpyxl left them.
    plain = xw.Book(json=xlwings_remote.payload_from_xlsx(path))
    assert plain.names["ket_luan"].refers_to_range.value is None

    recalculated = libreoffice.recalc([path], tmp_path / "out")[path]
    payload = xlwings_remote.payload_from_xlsx(path, values_from=recalculated)
    assert payload["sheets"][1]["visibility"] == "VeryHidden"  # structure from the original
    book = xw.Book(json=payload)
    assert book.names["ket_luan"].refers_to_range.value == "Đạt"
    assert book.names["so_xa_dat"].refers_to_range.value == 2
    assert book.sheets[SELF_ASSESSMENT]["B1:B5"].value == ["Đạt", "Đủ", 2, 1, 75]
