"""The merge button never loses what the user typed in the open book and has not saved.

The merge judges the SAVED parent file; what the user typed since (two decisions in "Sổ công nhận",
a received date in "Đơn vị cấp dưới") would be overwritten by the file's rows. The button stops
with CDHT-A009 before writing anything; once saved, the same decisions are kept and counted."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.support import xlwings_remote
from tests.support.strict_excel import StrictBook

import xlwings as xw  # noqa: E402  (after xlwings_remote: licence key)

import cdht_addin
from cdht import contract as L
from cdht import rules as R
from cdht.edition import load_edition
from cdht.fill import evidence_for, fill
from cdht.units import SAMPLE_UNITS, read_units
from cdht_generator.api import generate

pytestmark = pytest.mark.oracle
EDITION = load_edition(None)
YEAR = 2025
UNITS, _ = read_units(SAMPLE_UNITS)
DECISIONS = [["MAU-X0101", "", 1, "123/QĐ-UBND", dt.datetime(YEAR, 3, 1), "UBND huyện"],
             ["MAU-X0102", "", 1, "124/QĐ-UBND", dt.datetime(YEAR, 3, 1), "UBND huyện"]]


@pytest.fixture(autouse=True)
def _log(tmp_path, monkeypatch):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "log" / "cdht.log"))


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    root = tmp_path_factory.mktemp("unsaved")
    parent = generate(EDITION, "huyen", YEAR, root / "mau", units=UNITS, unit_code="MAU-H01")[0]
    folder = root / "nop"
    tier = EDITION.tier("xa")
    values = {f.key: R.DAT for f in tier.fields.values() if f.type == "verdict"}
    values.update({"tong_so_cong_dan": 1000, "vung_kho_khan": R.KHONG, "xa_4_2": 3, "xa_4_3": 3, "xa_4_4": 2,
                   "xa_5_1_so_cong_dan_hoc_tap": 800, "xa_5_2_so_duoc_dao_tao": 600, "xa_5_2_so_dai_hoc": 150})
    for code in ("MAU-X0101", "MAU-X0102"):
        template = generate(EDITION, "xa", YEAR, root / "mau", units=UNITS, unit_code=code)[0]
        fill(template, folder / template.name, values, evidence_for(tier, dt.date(YEAR, 6, 1)))
    return parent, folder


def _typed(saved: Path, out: Path, edit) -> Path:
    """The open book's content: the saved file plus what the user typed (``edit(wb)``)."""
    wb = openpyxl.load_workbook(saved)
    edit(wb)
    wb.save(out)
    return out


def _type_decisions(wb):
    sheet, ref = next(iter(wb.defined_names[L.N_REGISTER].destinations))
    first = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
    for i, row in enumerate(DECISIONS):
        for j, v in enumerate(row, start=1):
            if v != "":
                wb[sheet].cell(first + i, j, v)


def _book(saved: Path, shown: Path) -> StrictBook:
    """Excel holding ``saved`` open with the content of ``shown`` (typed, not saved)."""
    payload = xlwings_remote.payload_from_xlsx(shown, caller_name=str(saved))
    return StrictBook(xw.Book(json=payload), saved)


def _alerts(book):
    return [a["args"][0] for a in xlwings_remote.actions(book) if a["func"] == "alert"]


def test_two_unsaved_decisions_stop_the_merge_before_any_write(district, tmp_path):
    template, folder = district
    saved = shutil.copy(template, tmp_path / template.name)
    book = _book(saved, _typed(saved, tmp_path / "dang-mo.xlsx", _type_decisions))
    before = Path(saved).read_bytes()
    cdht_addin.gop_bao_cao(str(folder), book=book)
    actions = xlwings_remote.actions(book)
    assert [a["func"] for a in actions] == ["alert"]  # nothing written over the typed decisions
    text = _alerts(book)[0]
    assert "CDHT-A009" in text and L.SHEET_REGISTER in text and "Ctrl+S" in text
    assert Path(saved).read_bytes() == before


def test_once_saved_the_decisions_are_kept_and_counted(district, tmp_path):
    template, folder = district
    saved = _typed(template, tmp_path / template.name, _type_decisions)  # the user saved
    book = _book(saved, saved)
    cdht_addin.gop_bao_cao(str(folder), book=book)
    actions = xlwings_remote.actions(book)
    assert "CDHT-A009" not in _alerts(book)[0]
    pos = openpyxl.load_workbook(saved, read_only=True).sheetnames.index(L.SHEET_REGISTER)
    block = next(a for a in actions if a["func"] == "setValues" and a["sheet_position"] == pos)
    numbers = [row[3] for row in block["values"] if row[3]]
    assert numbers == ["123/QĐ-UBND", "124/QĐ-UBND"]


def test_a_typed_received_date_stops_the_merge(district, tmp_path):
    template, folder = district
    saved = shutil.copy(template, tmp_path / template.name)

    def type_date(wb):
        ws = wb[L.SHEET_CHILDREN]
        ws.cell(L.HEADER_ROW + 1, 4, dt.datetime(YEAR + 1, 1, 10))  # "Ngày nhận" of the first unit

    book = _book(saved, _typed(saved, tmp_path / "dang-mo.xlsx", type_date))
    cdht_addin.gop_bao_cao(str(folder), book=book)
    assert [a["func"] for a in xlwings_remote.actions(book)] == ["alert"]
    text = _alerts(book)[0]
    assert "CDHT-A009" in text and L.SHEET_CHILDREN in text and f"ô D{L.HEADER_ROW + 1}" in text


def test_a_merge_whose_rows_would_not_fit_writes_nothing_into_the_open_book(district, tmp_path, monkeypatch):
    """The merge's capacity refusals (issue 18: a log past Excel's last row, M046; a full register,
    M044) stop the button as they stop ``cdht merge``: one alert naming the code, nothing written."""
    from cdht.ops.merge import capacity

    template, folder = district
    saved = shutil.copy(template, tmp_path / template.name)
    book = _book(saved, saved)
    monkeypatch.setattr(capacity, "EXCEL_MAX_ROWS", L.HEADER_ROW + 1)
    cdht_addin.gop_bao_cao(str(folder), book=book)
    assert [a["func"] for a in xlwings_remote.actions(book)] == ["alert"]
    assert "CDHT-M046" in _alerts(book)[0]


def test_the_button_keeps_a_register_row_that_is_not_a_decision(district, tmp_path):
    """The open-book writer gets the same register rows as ``cdht merge`` (issue 18): a saved row
    with a bad level is written back as typed, after the decisions."""
    template, folder = district
    bad = ["MAU-X0103", "Xã 3", "hai", "125/QĐ-UBND", dt.datetime(YEAR, 3, 1), "UBND huyện"]

    def type_rows(wb):
        _type_decisions(wb)
        sheet, ref = next(iter(wb.defined_names[L.N_REGISTER].destinations))
        first = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
        for j, v in enumerate(bad, start=1):
            wb[sheet].cell(first + len(DECISIONS), j, v)

    saved = _typed(template, tmp_path / template.name, type_rows)  # the user saved
    book = _book(saved, saved)
    cdht_addin.gop_bao_cao(str(folder), book=book)
    assert "CDHT-A009" not in _alerts(book)[0]
    pos = openpyxl.load_workbook(saved, read_only=True).sheetnames.index(L.SHEET_REGISTER)
    block = next(a for a in xlwings_remote.actions(book) if a["func"] == "setValues" and a["sheet_position"] == pos)
    rows = [row for row in block["values"] if any(v not in (None, "") for v in row)]
    assert [row[3] for row in rows] == ["123/QĐ-UBND", "124/QĐ-UBND", "125/QĐ-UBND"]
    assert rows[2][:4] == bad[:4]
