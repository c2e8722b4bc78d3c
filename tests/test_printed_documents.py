"""The workbook's printed sheets as administrative documents (issue 15, Nghị định 30/2020/NĐ-CP):
"Bản tổng hợp" carries the unit's heading (its People's Committee), the national name and motto,
number and symbol, the place-and-date line, the title, the recipients and "TM. ỦY BAN NHÂN DÂN /
CHỦ TỊCH"; "Thẩm định" the body above the council, the council, and the council's signatures —
Times New Roman, A4, the decree's margins, the indicators' real bars. Proved on the file (openpyxl),
then by LibreOffice: each sheet printed to PDF, its text extracted with pdftotext; and the
fingerprint / tamper check still passes on issued templates, also after a LibreOffice save."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from cdht import contract as L
from cdht.dossier import style as S
from cdht.dossier.names import date_line, day_month
from cdht.edition import load_edition
from cdht.fill import SAMPLE_INPUTS, evidence_for, fill
from cdht.ops.assess import check
from cdht.profile import SAMPLE_THREE_TIER, load_profile
from cdht.units import SAMPLE_UNITS, read_units
from cdht_generator.api import generate
from cdht_generator.sheets.document import date_formula, place_formula

EDITION = load_edition()
YEAR = 2024  # the sample three-tier profile's period
UNITS, _ = read_units(SAMPLE_UNITS)
PROFILE = load_profile(SAMPLE_THREE_TIER)[0]
UNIT_OF = {"xa": "MAU-X0101", "huyen": "MAU-H01", "tinh": "MAU-T01"}
SHEETS = (L.SHEET_SUMMARY, L.SHEET_APPRAISAL)


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Per tier: a blank template and one issued with the sample profile to its sample unit."""
    root = tmp_path_factory.mktemp("printed")
    out = {}
    for tier, code in UNIT_OF.items():
        out[tier, "blank"] = generate(EDITION, tier, YEAR, root / "blank")[0]
        out[tier, "unit"] = generate(EDITION, tier, YEAR, root / "unit", units=UNITS, unit_code=code,
                                     profile=PROFILE)[0]
    return out


@pytest.mark.parametrize("tier", list(UNIT_OF))
def test_the_sheets_carry_heading_title_and_signatures(issued, tier):
    wb = openpyxl.load_workbook(issued[tier, "unit"])
    summary, council = _texts(wb[L.SHEET_SUMMARY]), _texts(wb[L.SHEET_APPRAISAL])
    for texts in (summary, council):
        assert S.NATIONAL_NAME in texts and S.MOTTO in texts and "BẢN TỔNG HỢP" in texts
        assert "Nơi nhận:" in texts and not any("…%" in t for t in texts)  # the bars, never "…%"
    assert "ỦY BAN NHÂN DÂN" in summary and f"=UPPER({L.N_UNIT_NAME})" in summary
    assert "Số:        /BC-UBND" in summary and "TM. ỦY BAN NHÂN DÂN" in summary and "CHỦ TỊCH" in summary
    assert "(Ký, ghi rõ họ tên, đóng dấu)" in summary
    assert "TM. HỘI ĐỒNG" in council and "CHỦ TỊCH HỘI ĐỒNG" in council and "THƯ KÝ HỘI ĐỒNG" in council
    assert "Số:        /BC-HĐĐG" in council
    # the bodies named from the issuer's profile (the sample province's three tiers)
    proc = PROFILE.procedure(tier, YEAR)
    assert proc.appraised_by.split(" (")[0].upper() in council
    if tier == "xa":
        assert "- Phòng Giáo dục và Đào tạo huyện Bình An (mẫu);" in summary
        assert "ỦY BAN NHÂN DÂN HUYỆN BÌNH AN (MẪU)" in council


@pytest.mark.parametrize("kind", ["blank", "unit"])
@pytest.mark.parametrize("tier", list(UNIT_OF))
def test_times_new_roman_a4_and_the_decrees_margins(issued, tier, kind):
    wb = openpyxl.load_workbook(issued[tier, kind])
    for sheet in SHEETS:
        ws = wb[sheet]
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {S.FONT}, (sheet, fonts)
        assert int(ws.page_setup.paperSize) == 9  # A4
        m = ws.page_margins
        assert (round(m.left * 25.4), round(m.right * 25.4), round(m.top * 25.4), round(m.bottom * 25.4)) == \
            (S.MARGINS_MM["left"], S.MARGINS_MM["right"], S.MARGINS_MM["top"], S.MARGINS_MM["bottom"])
        assert not ws.merged_cells.ranges  # centred across columns, never merged (the lint's rule)


@pytest.mark.parametrize("tier", list(UNIT_OF))
def test_issued_templates_are_not_tampered(issued, tier):
    """The new heading formulas and labels are part of the layout fingerprint: a fresh template
    reads untampered, and a changed label is caught."""
    for kind in ("blank", "unit"):
        rep = check(issued[tier, kind])
        assert rep.sub.readable and not rep.sub.tampered, [f.text() for f in rep.findings if f.severity == "lỗi"]


def test_a_changed_signature_label_is_tamper(issued, tmp_path):
    wb = openpyxl.load_workbook(issued["xa", "unit"])
    ws = wb[L.SHEET_SUMMARY]
    [cell] = [c for row in ws.iter_rows() for c in row if c.value == "TM. ỦY BAN NHÂN DÂN"]
    cell.value = "KT. CHỦ TỊCH"
    path = tmp_path / issued["xa", "unit"].name
    wb.save(path)
    rep = check(path)
    assert rep.sub.tampered and "CDHT-W019" in [f.code for f in rep.findings]


def test_day_and_month_as_the_decree_writes_them():
    assert day_month(dt.date(2027, 2, 10)) == ("10", "02") and day_month(dt.date(2027, 7, 5)) == ("05", "7")
    assert date_line(dt.date(2027, 3, 1), 2026) == "ngày 01 tháng 3 năm 2027"
    assert date_line(None, 2026) == "ngày      tháng      năm 2027"


# --- LibreOffice: the printed sheets and the formulas' results ----------------------------------------

def _only(src: Path, sheet: str, dst: Path) -> Path:
    """A copy printing just ``sheet`` (the others hidden), its print set-up untouched."""
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        if ws.title != sheet and ws.sheet_state == "visible":
            ws.sheet_state = "hidden"
    wb.active = wb.worksheets.index(wb[sheet])
    wb.save(dst)
    return dst


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(p.split()) for p in text.split("\f") if p.strip()]


@pytest.fixture(scope="module")
def printed(issued, tmp_path_factory):
    """A commune and a district, filled (date of preparation 05/07 of year N+1), saved by
    LibreOffice (recalculated), and each printed sheet converted to PDF: (tier, sheet) → pages."""
    from scripts.libreoffice import recalc, soffice_path
    from scripts.render_docs import to_pdf

    if soffice_path() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and pdftotext (poppler-utils) are needed")
    tmp = tmp_path_factory.mktemp("printed-pdf")
    filled = {}
    for tier in ("xa", "huyen"):
        values = {**SAMPLE_INPUTS[tier], L.N_PREPARER: "Nguyễn Văn An", L.N_PREPARED_ON: dt.date(YEAR + 1, 7, 5)}
        filled[tier] = fill(issued[tier, "unit"], tmp / "filled" / issued[tier, "unit"].name, values,
                            evidence_for(EDITION.tier(tier), dt.date(YEAR, 6, 1)),
                            appraisal={L.N_APPRAISAL_TARGET: 1})
    saved = recalc(list(filled.values()), tmp / "libreoffice")
    copies = {(tier, sheet): _only(saved[path], sheet, tmp / f"{tier}-{k}.xlsx")
              for tier, path in filled.items() for k, sheet in enumerate(SHEETS)}
    pdfs = to_pdf(list(copies.values()), tmp / "pdf")
    return {"saved": saved, "filled": filled,
            "pages": {key: _pdf_pages(pdfs[path]) for key, path in copies.items()}}


@pytest.mark.oracle
@pytest.mark.slow
def test_libreoffice_prints_the_heading_first_and_the_signatures_last(printed):
    pages = printed["pages"]
    first, last = pages["xa", L.SHEET_SUMMARY][0], pages["xa", L.SHEET_SUMMARY][-1]
    assert S.NATIONAL_NAME in first and S.MOTTO in first
    assert "ỦY BAN NHÂN DÂN XÃ AN PHÚ (MẪU)" in first or ("ỦY BAN NHÂN DÂN" in first and "XÃ AN PHÚ (MẪU)" in first)
    assert f"An Phú (mẫu), ngày 05 tháng 7 năm {YEAR + 1}" in first and "Số: /BC-UBND" in first
    assert "BẢN TỔNG HỢP" in first and f"của Xã An Phú (mẫu) năm {YEAR}" in first
    assert "TM. ỦY BAN NHÂN DÂN" in last and "CHỦ TỊCH" in last and "Nơi nhận:" in last
    assert "Phòng Giáo dục và Đào tạo huyện Bình An (mẫu)" in last and "Người lập biểu: Nguyễn Văn An" in last
    assert "Có ít nhất [mức độ 1: 60%; mức độ 2: 80%] công dân" in " ".join(pages["xa", L.SHEET_SUMMARY])
    council = pages["xa", L.SHEET_APPRAISAL]
    assert "ỦY BAN NHÂN DÂN HUYỆN BÌNH AN (MẪU)" in council[0] and "HỘI ĐỒNG ĐÁNH GIÁ CẤP HUYỆN" in council[0]
    assert S.NATIONAL_NAME in council[0] and f"Bình An (mẫu), ngày tháng năm {YEAR + 1}" in council[0]
    assert "TM. HỘI ĐỒNG" in council[-1] and "CHỦ TỊCH HỘI ĐỒNG" in council[-1] and "THƯ KÝ HỘI ĐỒNG" in council[-1]
    district = pages["huyen", L.SHEET_SUMMARY]
    assert "HUYỆN BÌNH AN (MẪU)" in district[0] and f"Bình An (mẫu), ngày 05 tháng 7 năm {YEAR + 1}" in district[0]
    assert "Sở Giáo dục và Đào tạo tỉnh Mẫu (DỮ LIỆU MẪU)" in district[-1]


@pytest.mark.oracle
@pytest.mark.slow
def test_a_workbook_saved_by_libreoffice_is_still_untampered(printed):
    for tier, path in printed["saved"].items():
        rep = check(path)
        assert rep.sub.readable and not rep.sub.tampered, (tier, [f.text() for f in rep.findings])


@pytest.mark.oracle
@pytest.mark.slow
def test_the_place_formula_agrees_with_the_python_names(tmp_path):
    """place_formula / date_formula computed by LibreOffice for every kind of unit name equal
    cdht.dossier.names.place_name / date_line (the Word dossier's place-and-date line)."""
    from cdht.dossier.names import place_name
    from scripts.libreoffice import recalc, soffice_path

    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    names = ["Xã An Phú", "Thị trấn Bình An", "Thị xã Hà Tiên", "Thành phố Rạch Giá", "Phường 15", "Quận Ba",
             "Huyện Bình An (mẫu)", "Tỉnh Mẫu", "Đặc khu Phú Quốc", ""]
    dates = [dt.date(2027, 2, 10), dt.date(2027, 7, 5), dt.date(2027, 12, 31), None]
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, (name, d) in enumerate(zip(names, dates * 3), start=1):
        ws.cell(r, 1, name or None)
        ws.cell(r, 2, d)
        ws.cell(r, 3, 2026)
        ws.cell(r, 4, "=" + place_formula(f"A{r}"))
        ws.cell(r, 5, "=" + date_formula(f"B{r}", f"C{r}"))
    src = tmp_path / "places.xlsx"
    wb.save(src)
    out = recalc([src], tmp_path / "out")[src]
    got = openpyxl.load_workbook(out, data_only=True).active
    for r, (name, d) in enumerate(zip(names, dates * 3), start=1):
        assert got.cell(r, 4).value == place_name(name), name
        assert got.cell(r, 5).value == date_line(d, 2026), d
