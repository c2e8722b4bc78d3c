"""Every ribbon button, on every tier and on a department form, under the strict Excel double
(tests/support/strict_excel.py): each completes (one coded alert, never CDHT-A001), writes only what
Excel allows under the workbook's own protection, leaves every protection flag exactly as it was,
and writes what it says."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

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
from cdht_generator.contributor import generate_contributor_form

pytestmark = pytest.mark.oracle
EDITION = load_edition(None)
YEAR = 2025
UNITS, _ = read_units(SAMPLE_UNITS)
COMMUNE_VALUES = {"tong_so_cong_dan": 1000, "vung_kho_khan": R.KHONG, "xa_4_2": 3, "xa_4_3": 3,
                  "xa_4_4": 2, "xa_5_1_so_cong_dan_hoc_tap": 800, "xa_5_2_so_duoc_dao_tao": 600,
                  "xa_5_2_so_dai_hoc": 150}
BUTTONS = ("tinh_muc_do", "kiem_tra_minh_chung", "gop_bao_cao", "xuat_ban_tong_hop", "tao_ho_so", "chuyen_mau_nam",
           "gioi_thieu")
BOOKS = ("xa", "huyen", "tinh", "so_vhtt")


@pytest.fixture(autouse=True)
def _log(tmp_path, monkeypatch):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "log" / "cdht.log"))


def _commune(template: Path, out: Path, missing_evidence: int = 2) -> Path:
    tier = EDITION.tier("xa")
    ev = evidence_for(tier, dt.date(YEAR, 6, 1))
    verdicts = {f.key: R.DAT for f in tier.fields.values() if f.type == "verdict"}
    return fill(template, out / template.name, {**verdicts, **COMMUNE_VALUES}, ev[:len(ev) - missing_evidence])


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The workbooks of each kind, and the folder its merge button reads."""
    root = tmp_path_factory.mktemp("strict")
    made = {t: generate(EDITION, t, YEAR, root / "mau", units=UNITS, unit_code=c)[0]
            for t, c in (("xa", "MAU-X0101"), ("huyen", "MAU-H01"), ("tinh", "MAU-T01"))}
    communes = root / "nop-xa"
    for c in ("MAU-X0101", "MAU-X0102"):
        _commune(generate(EDITION, "xa", YEAR, root / "mau", units=UNITS, unit_code=c)[0], communes)
    form = generate_contributor_form(EDITION, YEAR, "so_vhtt", root / "mau")
    forms = root / "nop-so"
    fill(form, forms / "so_vhtt.xlsx", {"tinh_3_3": "Đạt", "tinh_3_4_so_chuong_trinh": 6,
                                        "nguoi_ky": "Nguyễn Văn A", "chuc_vu": "Phó Giám đốc"})
    return {"xa": (_commune(made["xa"], root / "xa"), communes),
            "huyen": (made["huyen"], communes), "tinh": (made["tinh"], forms),
            "so_vhtt": (forms / "so_vhtt.xlsx", forms)}


def _open(issued, kind: str, tmp_path: Path) -> tuple[StrictBook, Path, Path]:
    source, folder = issued[kind]
    path = tmp_path / source.name
    shutil.copy(source, path)
    book = xw.Book(json=xlwings_remote.payload_from_xlsx(path, caller_name=str(path)))
    return StrictBook(book, path), path, folder


def _press(button: str, book, folder: Path) -> None:
    if button == "gop_bao_cao":
        cdht_addin.gop_bao_cao(str(folder), book=book)
    else:
        getattr(cdht_addin, button)(book=book)


def _alerts(book) -> list[str]:
    return [a["args"][0] for a in xlwings_remote.actions(book) if a["func"] == "alert"]


@pytest.mark.parametrize("kind", BOOKS)
@pytest.mark.parametrize("button", BUTTONS)
def test_every_button_completes_under_excel_rules(issued, tmp_path, kind, button):
    book, path, folder = _open(issued, kind, tmp_path)
    before, saved = book.protection(), path.read_bytes()
    _press(button, book, folder)
    alerts = _alerts(book)
    assert len(alerts) == 1, alerts
    assert "CDHT-A001" not in alerts[0] and "Traceback" not in alerts[0], alerts[0]
    assert book.protection() == before  # every flag, the passwords, the structure lock
    assert path.read_bytes() == saved   # the file Excel holds open is never rewritten
    _writes_what_it_says(button, kind, book, path, alerts[0])


def _positions(path: Path) -> dict[str, int]:
    import openpyxl
    return {n: i for i, n in enumerate(openpyxl.load_workbook(path, read_only=True).sheetnames)}


def _writes_what_it_says(button: str, kind: str, book, path: Path, alert: str) -> None:
    actions = xlwings_remote.actions(book)
    pos = _positions(path)
    values_on = {a["sheet_position"] for a in actions if a["func"] == "setValues"}
    colours = [a for a in actions if a["func"] == "setRangeColor"]
    parent = kind in ("huyen", "tinh")
    if button in ("tinh_muc_do", "kiem_tra_minh_chung"):
        assert pos[L.SHEET_RESULTS] in values_on and "Mức độ (tính lại từ số liệu)" in alert
        assert "CDHT-A007" not in alert  # every colour was written (the sheet unprotected and re-protected)
        if button == "kiem_tra_minh_chung" and kind in ("xa", "huyen"):  # missing evidence / a fresh template
            assert colours and {a["sheet_position"] for a in colours} <= {pos[s] for s in pos if s != L.SHEET_RESULTS}
    elif button == "gop_bao_cao":
        if parent:
            assert pos[L.SHEET_CHILDREN] in values_on and "Đã nhận:" in alert
        else:
            assert "CDHT-A003" in alert and not values_on
    elif button == "xuat_ban_tong_hop":
        if kind == "so_vhtt":
            assert "CDHT-A008" in alert and not book.exports
        else:
            pdf = path.with_name(path.stem + " - Ban tong hop.pdf")
            assert book.exports == [(L.SHEET_SUMMARY, pdf)] and str(pdf) in alert
    elif button == "chuyen_mau_nam":
        _migrated_beside(kind, path, alert, values_on, colours)
    elif button == "tao_ho_so":
        _made_the_dossier(kind, path, alert, values_on, colours)
    else:
        assert cdht_addin.__version__ in alert and not values_on and not colours


def _migrated_beside(kind: str, path: Path, alert: str, values_on, colours) -> None:
    """"Chuyển sang mẫu năm sau" writes nothing into the open book; a unit's workbook becomes a
    new file of the next year beside it (read back: intact, same unit, next year); a department's
    form is refused with its code and nothing is written."""
    from cdht.read.submission import read_workbook

    assert not values_on and not colours
    made = sorted(p for p in path.parent.glob("*.xlsx") if p != path)
    if kind == "so_vhtt":
        assert "CDHT-W041" in alert and not made
        return
    assert "CDHT-A035" in alert and len(made) == 1 and str(made[0]) in alert
    new = read_workbook(made[0])
    assert new.readable and not new.tampered and new.year == YEAR + 1
    assert new.meta["unit_code"] == read_workbook(path).meta["unit_code"]


def _made_the_dossier(kind: str, path: Path, alert: str, values_on, colours) -> None:
    """"Tạo hồ sơ": the Word documents in "<tên tệp> - Ho so" beside the workbook and named in the
    alert (a filled commune), or CDHT-A030 with the reason and no folder (a fresh district or
    province template: not filled; a department's form: no dossier of its own). Nothing in the book."""
    from cdht_addin.buttons import dossier_folder

    assert not values_on and not colours
    folder = dossier_folder(path)
    if kind == "xa":
        made = sorted(p.name for p in folder.iterdir())
        assert [n.rsplit("_", 1)[1] for n in made] == ["1-to-trinh.docx", "2-bao-cao-tu-danh-gia.docx",
                                                         "3-ban-tong-hop.docx"]
        assert str(folder) in alert and all(n in alert for n in made)
    else:
        assert "CDHT-A030" in alert and not folder.exists()
        assert ("CDHT-D013" if kind == "so_vhtt" else "CDHT-D001") in alert


def test_a_fresh_district_template_gets_its_flags_under_protection(issued, tmp_path):
    """The issue's case: "Kiểm tra minh chứng" on a freshly issued district template flags cells on
    protected sheets (formatting locked). Each is coloured, and every sheet is protected again
    with its options and password."""
    book, path, folder = _open(issued, "huyen", tmp_path)
    before = book.protection()
    cdht_addin.kiem_tra_minh_chung(book=book)
    colours = [a for a in xlwings_remote.actions(book) if a["func"] == "setRangeColor"]
    assert len(colours) >= 10
    assert all(book.sheet_state[s].protected for s in before["sheets"] if before["sheets"][s][0])
    assert book.protection() == before


def test_a_wrong_password_colours_nothing_and_says_so(issued, tmp_path, monkeypatch):
    """A workbook protected with a password the add-in does not know: nothing is coloured on its
    protected sheets (Excel would refuse), the results are written, A007 says how many cells."""
    monkeypatch.setattr("cdht_generator.builder.DEFAULT_PASSWORD", "khong-phai-mat-khau")
    book, path, _ = _open(issued, "xa", tmp_path)
    before = book.protection()
    cdht_addin.kiem_tra_minh_chung(book=book)
    actions = xlwings_remote.actions(book)
    assert not [a for a in actions if a["func"] == "setRangeColor"]
    assert "CDHT-A007" in _alerts(book)[0]
    assert book.protection() == before


def test_the_sos_own_password_is_used(tmp_path, monkeypatch):
    """Templates generated with another password: CDHT_PASSWORD gives it to the add-in."""
    path = generate(EDITION, "huyen", YEAR, tmp_path, units=UNITS, unit_code="MAU-H01", password="mat-khau-so")[0]
    monkeypatch.setenv("CDHT_PASSWORD", "mat-khau-so")
    book = StrictBook(xw.Book(json=xlwings_remote.payload_from_xlsx(path, caller_name=str(path))), path)
    before = book.protection()
    cdht_addin.kiem_tra_minh_chung(book=book)
    assert [a for a in xlwings_remote.actions(book) if a["func"] == "setRangeColor"]
    assert "CDHT-A007" not in _alerts(book)[0] and book.protection() == before


def test_the_dossier_button_uses_the_sos_outlines_issued_beside_the_workbook(issued, tmp_path):
    """`cdht generate --with-outlines` puts the Sở's outlines in "mau-van-ban-ho-so" beside the
    workbooks; "Tạo hồ sơ" fills those (the Sở's wording), as `cdht dossier --templates` does."""
    import docx

    from cdht.dossier import OUTLINES_FOLDER
    from cdht.ops.dossier import write_outlines
    from cdht_addin.buttons import dossier_folder
    from tests.test_dossier import _edited

    book, path, _ = _open(issued, "xa", tmp_path)
    write_outlines(tmp_path / OUTLINES_FOLDER)
    _edited("to_trinh", tmp_path / OUTLINES_FOLDER, "Hồ sơ kèm theo gồm:", "Hồ sơ gửi kèm (mẫu của Sở):")
    cdht_addin.tao_ho_so(book=book)
    [to_trinh] = dossier_folder(path).glob("*_1-to-trinh.docx")
    assert "Hồ sơ gửi kèm (mẫu của Sở):" in [p.text for p in docx.Document(str(to_trinh)).paragraphs]
    assert len(_alerts(book)) == 1


def test_the_dossier_button_says_when_the_folder_cannot_be_written(issued, tmp_path):
    """A file where the dossier folder should go: CDHT-A032 naming the folder, never A001."""
    from cdht_addin.buttons import dossier_folder

    book, path, _ = _open(issued, "xa", tmp_path)
    dossier_folder(path).write_text("không phải thư mục", encoding="utf-8")
    cdht_addin.tao_ho_so(book=book)
    [alert] = _alerts(book)
    assert "CDHT-A032" in alert and str(dossier_folder(path)) in alert and "CDHT-A001" not in alert
