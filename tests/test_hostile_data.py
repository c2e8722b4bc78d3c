"""Hostile content (issue 18, part 2): what a file says is data, judged with a coded finding that
names the cell — defined names, numbers typed as codes, appraisal typos, formulas in input cells,
impossible years, a relabelled year, a parent without its tool sheets, long passwords.

Every case runs under a timeout (:func:`tests.test_hostile.alarm` in process, ``timeout=`` for
the CLI), so a hang fails the test instead of stalling the suite. The fuzz test of the same issue
is ``tests/test_fuzz_sources.py``.
"""
from __future__ import annotations

import json

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cdht import contract as L
from cdht.ops.merge import merge
from cdht.ops.merge.children import existing_rows, expected_units
from cdht.read.submission import read_workbook
from cdht.units import code_text, read_units
from tests.merge_fixtures import H01_COMMUNES, YEAR, Kit, write_register
from tests.test_hostile import alarm, cli, edit_parts, inbox_with, merged, refused

SELF, UNIT, APPRAISAL, META = "xl/worksheets/sheet3.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml", \
    "xl/worksheets/sheet9.xml"
WORKBOOK = "xl/workbook.xml"


def codes(findings) -> list[str]:
    return [f.code for f in findings]


@pytest.fixture
def blank_commune(kit, tmp_path) -> Path:
    """A filled commune of a blank template (its identity typed in), unit MAU-X0103."""
    return kit.commune(tmp_path / "src.xlsx", H01_COMMUNES[2], blank=True)


@pytest.fixture
def open_parent(kit, tmp_path) -> Path:
    """A blank district parent (accepts any commune)."""
    return kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)


# -------------------------------------------------------------------------------------------------
# 1. Defined names: a second definition, or a sheet's own copy, pointing elsewhere is tampering
# -------------------------------------------------------------------------------------------------

NAME = rb'<definedName name="xa_5_1_so_cong_dan_hoc_tap">[^<]*</definedName>'
ELSEWHERE = "'Tự đánh giá'!$D$24".encode()
SAME = "'Tự đánh giá'!$D$23".encode()
NAME_CASES = {
    "duplicate": (rb'\g<0><definedName name="xa_5_1_so_cong_dan_hoc_tap">' + ELSEWHERE + rb"</definedName>",
                  "CDHT-W060", None),
    # Excel's names ignore case: the same name for Excel, another key for a dict
    "duplicate_upper": (rb'\g<0><definedName name="XA_5_1_SO_CONG_DAN_HOC_TAP">' + ELSEWHERE + rb"</definedName>",
                        "CDHT-W060", None),
    # localSheetId 2 is "Tự đánh giá": its formulas then read D24, the product D23
    "sheet_scoped": (rb'\g<0><definedName name="xa_5_1_so_cong_dan_hoc_tap" localSheetId="2">' + ELSEWHERE
                     + rb"</definedName>", "CDHT-W061", L.SHEET_SELF),
}


@pytest.mark.parametrize("case", list(NAME_CASES))
def test_a_second_definition_of_a_name_is_tampering(kit, blank_commune, open_parent, tmp_path, case):
    repl, code, sheet = NAME_CASES[case]
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bad = edit_parts(blank_commune, inbox / f"{case}.xlsx", (WORKBOOK, NAME, repl))
    with alarm(60):
        sub = read_workbook(bad)
    [f] = [f for f in sub.findings if f.code == code]
    assert sub.tampered and f.file == bad.name and f.sheet == sheet
    assert "xa_5_1_so_cong_dan_hoc_tap" in f.message and "$D$24" in f.message and "$D$23" in f.message
    with alarm(120):
        r = merge(open_parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:1]
    assert refused(r) == {bad.name: "CDHT-M008"}
    [ret] = r.refused
    assert code in ret.message and code in codes(ret.findings)


def test_a_copy_pointing_at_the_same_cell_is_not_tampering(blank_commune, tmp_path):
    same = rb'\g<0><definedName name="xa_5_1_so_cong_dan_hoc_tap" localSheetId="2">' + SAME + rb"</definedName>"
    ok = edit_parts(blank_commune, tmp_path / "same.xlsx", (WORKBOOK, NAME, same))
    with alarm(60):
        sub = read_workbook(ok)
    assert not sub.tampered and not {"CDHT-W060", "CDHT-W061"} & set(codes(sub.findings))
    assert sub.values["xa_5_1_so_cong_dan_hoc_tap"] == 850


@pytest.mark.oracle
def test_libreoffice_computes_with_the_sheet_scoped_copy(blank_commune, tmp_path):
    """Why the copy is tampering: LibreOffice's formulas on that sheet use the sheet's own name (D24,
    empty), so its xa.5.1 ratio differs from the product's reading of D23 (850)."""
    from scripts.libreoffice import recalc, recalculated_values, soffice_path
    if soffice_path() is None:
        pytest.skip("LibreOffice is not installed")
    repl, _, _ = NAME_CASES["sheet_scoped"]
    bad = edit_parts(blank_commune, tmp_path / "scoped.xlsx", (WORKBOOK, NAME, repl))
    out = recalc([blank_commune, bad], tmp_path / "lo", timeout=240)
    good = recalculated_values(out[blank_commune], [L.N_LEVEL])
    shown = recalculated_values(out[bad], [L.N_LEVEL])
    assert good[L.N_LEVEL] == 2 and shown[L.N_LEVEL] != good[L.N_LEVEL]
    assert read_workbook(bad).tampered and read_workbook(bad).values["xa_5_1_so_cong_dan_hoc_tap"] == 850


# -------------------------------------------------------------------------------------------------
# 2. A unit code typed as a number is read as typed: 123, never 123.0
# -------------------------------------------------------------------------------------------------

def test_a_code_typed_as_a_number_is_read_as_typed(kit, open_parent, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = kit.commune(inbox / "so.xlsx", "x", blank=True, overrides={"don_vi_ma": 123})
    with zipfile.ZipFile(src) as z:  # stored as a number, the way Excel stores 123 typed in
        assert re.search(rb'<c r="B4"[^>]*t="n"[^>]*><v>123</v>', z.read(UNIT))
    with alarm(60):
        assert read_workbook(src).unit_code == "123"
        first = merge(open_parent, [inbox])
    assert merged(first) == ["123"] and first.written
    with alarm(60):  # merged again: the parent's row (now a number there too) is the same unit
        again = merge(open_parent, [inbox])
    assert merged(again) == ["123"] and again.expected == ["123"] and not again.missing_units
    assert not any("123.0" in f.message for f in again.findings)


def test_codes_from_cells_csv_and_the_open_book_read_as_typed(tmp_path):
    import unicodedata
    assert [code_text(v) for v in (123.0, 123, " 0123 ", "A\u0301", None, "  ", 12.5)] == \
           ["123", "123", "0123", unicodedata.normalize("NFC", "A\u0301"), None, None, "12.5"]
    # the add-in reads the parent's list through xlwings: every number comes as a float
    table = [["Mã đơn vị", "Tên đơn vị"], [123.0, "Xã 123"], ["MAU-X0101", "Xã A"]]
    assert expected_units(table) == ["123", "MAU-X0101"] and "123" in existing_rows(table)
    csv = tmp_path / "don-vi.csv"
    csv.write_text("ma,ten,cap,ma_cap_tren,vung_kho_khan\n1,Tỉnh,tinh,,Không\n12,Huyện,huyen,1,Không\n"
                   "123,Xã,xa,12,Không\n", encoding="utf-8")
    units, problems = read_units(csv)
    assert not problems and [u.code for u in units.of_tier("xa")] == ["123"]


def test_a_unit_list_that_lost_its_leading_zeros_in_excel_is_warned_and_still_read(tmp_path):
    """Excel opens a CSV's "00010" as the number 10 and saves it so: the official codes of a tier
    then have uneven lengths. A warning (T028) names how many and the first line; the codes are
    used as they are (a registry may number its units so), and generate still issues the forms."""
    csv = tmp_path / "don-vi.csv"
    csv.write_text("ma,ten,cap,ma_cap_tren,vung_kho_khan\n01,Tỉnh,tinh,,Không\n001,Huyện,huyen,01,Không\n"
                   "00009,Xã Chín,xa,001,Không\n10,Xã Mười,xa,001,Không\n11,Xã Mười Một,xa,001,Không\n"
                   "30280,Xã Ba,xa,001,Không\n30281,Xã Bốn,xa,001,Không\n30282,Xã Năm,xa,001,Không\n", encoding="utf-8")
    units, problems = read_units(csv)
    assert [u.code for u in units.of_tier("xa")] == ["00009", "10", "11", "30280", "30281", "30282"]
    [warn] = problems
    assert (warn.code, warn.severity, warn.line) == ("CDHT-T028", "cảnh báo", 5)
    assert "2 mã cấp xã" in warn.message and "5 chữ số" in warn.message and "'10', '11'" in warn.message
    even = tmp_path / "don-vi-2.csv"
    even.write_text(csv.read_text(encoding="utf-8").replace("\n10,", "\n00010,").replace("\n11,", "\n00011,"),
                    encoding="utf-8")
    assert read_units(even)[1] == []
    res = cli("generate", "--tier", "xa", "--year", YEAR, "--units", csv, "--out", tmp_path / "mau")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "CDHT-T028" in res.stdout + res.stderr and len(list((tmp_path / "mau").rglob("*.xlsx"))) == 6
    # every command that reads the list says so too (on stderr: --json output stays JSON), and goes on
    issued = sorted((tmp_path / "mau").rglob("*00009*.xlsx"))[0]
    res = cli("check", issued, "--profile", csv, "--json")
    assert "CDHT-T028" in res.stderr and "CDHT-T028" not in res.stdout
    assert json.loads(res.stdout)["unit_code"] == "00009"


def test_a_code_typed_as_a_number_in_the_register(kit, open_parent, tmp_path):
    write_register(open_parent, [(123, "Xã 123", 1, "QĐ 1/2027", dt.date(2027, 3, 1), "UBND huyện")])
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    with alarm(60):
        r = merge(open_parent, [inbox], dry_run=True)
    assert [d.unit for d in r.register] == ["123"]


# -------------------------------------------------------------------------------------------------
# 3. Appraisal inputs are validated like every other input
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,value,code", [
    (L.N_APPRAISAL_TARGET, 5, "CDHT-W012"),
    (L.N_APPRAISAL_TARGET, "hai", "CDHT-W011"),
    (L.N_APPRAISAL_TARGET, 1.5, "CDHT-W013"),
    ("td_xa_1_1", "Dat", "CDHT-W015"),
    ("td_xa_1_1", 1, "CDHT-W015"),
])
def test_an_appraisal_typo_is_a_finding_naming_the_cell(kit, tmp_path, name, value, code):
    from cdht.fill import cell_of
    src = kit.commune(tmp_path / "td.xlsx", H01_COMMUNES[0], overrides={})
    wb = openpyxl.load_workbook(src)
    cell = cell_of(wb, name)
    cell.value = value
    wb.save(src)
    with alarm(60):
        sub = read_workbook(src)
    [f] = [f for f in sub.findings if f.code == code]
    assert (f.sheet, f.cell, f.file) == (L.SHEET_APPRAISAL, cell.coordinate, src.name)
    assert sub.appraisal[name] is None  # not used: the appraisal is incomplete, never a wrong level
    from cdht.ops.assess import compute_submission
    assert compute_submission(sub).appraised_level is None


def test_a_correct_or_blank_appraisal_gives_no_finding(kit, tmp_path):
    done = read_workbook(kit.commune(tmp_path / "td.xlsx", H01_COMMUNES[0]))
    blank = read_workbook(kit.commune(tmp_path / "none.xlsx", H01_COMMUNES[1], appraised=None))
    for sub in (done, blank):
        assert not [f for f in sub.findings if f.sheet == L.SHEET_APPRAISAL]
    assert done.appraisal[L.N_APPRAISAL_TARGET] == 2 and done.appraisal["td_xa_1_1"] == "Đạt"


# -------------------------------------------------------------------------------------------------
# 4. A formula typed into an input cell: refused, its saved value never trusted
# -------------------------------------------------------------------------------------------------

FORMULA = (SELF, rb'(<c r="D23"[^>]*>)<v>850</v>', rb"\g<1><f>100</f><v>850</v>")


def test_a_formula_in_an_input_cell_is_refused_not_its_saved_value(kit, blank_commune, open_parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bad = edit_parts(blank_commune, inbox / "cong-thuc.xlsx", FORMULA)
    with alarm(60):
        sub = read_workbook(bad)
    [f] = [f for f in sub.findings if f.code == "CDHT-W062"]
    assert (f.sheet, f.cell, f.file) == (L.SHEET_SELF, "D23", bad.name)
    assert "=100" in f.message and "850" in f.message
    assert sub.values["xa_5_1_so_cong_dan_hoc_tap"] is None  # neither 850 (saved) nor a guess
    with alarm(120):
        r = merge(open_parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:1] + [H01_COMMUNES[2]]  # the other source merged
    # no level without the value: its row says "Trả lại" (M014), W062 among the reasons sent back
    [ret] = [m for m in r.merged if m.file == bad]
    assert ret.status == L.Status.RETURNED.value and ret.level is None
    assert {"CDHT-W062", "CDHT-M014"} <= set(codes(ret.findings))


@pytest.mark.oracle
def test_libreoffice_recalculates_the_formula_not_the_saved_value(blank_commune, tmp_path):
    """The saved 850 is not what a spreadsheet shows: LibreOffice recalculates the cell to 100."""
    from scripts.libreoffice import recalc, recalculated_values, soffice_path
    if soffice_path() is None:
        pytest.skip("LibreOffice is not installed")
    bad = edit_parts(blank_commune, tmp_path / "cong-thuc.xlsx", FORMULA)
    shown = recalculated_values(recalc([bad], tmp_path / "lo", timeout=240)[bad],
                                ["xa_5_1_so_cong_dan_hoc_tap", L.N_LEVEL])
    assert shown["xa_5_1_so_cong_dan_hoc_tap"] == 100 and shown[L.N_LEVEL] == 0


# -------------------------------------------------------------------------------------------------
# 5. Impossible years: 9999 in the hidden metadata, 31/12/9999 as a decision date
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [b"9999", b"1999", b"-1"])
def test_an_impossible_year_in_the_metadata_has_its_own_code(blank_commune, tmp_path, year):
    bad = edit_parts(blank_commune, tmp_path / "nam.xlsx", (META, rb'(<c r="B5" t="n"><v>)2026(</v>)',
                                                            rb"\g<1>" + year + rb"\g<2>"))
    with alarm(60):
        sub = read_workbook(bad)
    [f] = sub.findings
    assert f.code == "CDHT-W063" and (f.sheet, f.cell) == (L.SHEET_META, "year") and not sub.readable
    assert year.decode() in f.message
    res = cli("compute", "--json", bad, timeout=120)
    assert "CDHT-W063" in res.stdout and "CDHT-A001" not in res.stdout + res.stderr


@pytest.mark.parametrize("date", [dt.date(9999, 12, 31), "31/12/9999", 2958465])
def test_a_decision_dated_9999_is_a_finding_not_a_crash(kit, open_parent, tmp_path, date):
    write_register(open_parent, [("MAU-X0101", "Xã A", 1, "QĐ 9", date, "UBND huyện"),
                                 ("MAU-X0102", "Xã B", 1, "QĐ 1", dt.date(2027, 3, 1), "UBND huyện")])
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    with alarm(120):
        r = merge(open_parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:2]
    [f] = [f for f in r.findings if f.code == "CDHT-M040"]
    assert f.file == open_parent.name and f.sheet == L.SHEET_REGISTER and f.row and "31/12/9999" in f.message
    assert [d.unit for d in r.register] == ["MAU-X0102"]  # the good decision still counts


# -------------------------------------------------------------------------------------------------
# 6. A 2025 workbook relabelled 2026 in its hidden metadata never merges as a 2026 dossier
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kit2025(tmp_path_factory) -> Kit:
    return Kit(tmp_path_factory.mktemp("kit2025"), year=2025)


def _relabel(src: Path, out: Path, cell_too: bool) -> Path:
    """_meta's year and template id 2025 → 2026 (what anyone with the known password can do);
    ``cell_too``: the locked year cell on "Thông tin đơn vị" as well."""
    edits = [(META, rb'(<c r="B5" t="n"><v>)2025(</v>)', rb"\g<1>2026\g<2>"),
             (META, rb"(:xa:)2025(:)", rb"\g<1>2026\g<2>")]
    if cell_too:
        edits.append((UNIT, rb'(<c r="B8"[^>]*><v>)2025(</v>)', rb"\g<1>2026\g<2>"))
    return edit_parts(src, out, *edits)


@pytest.mark.parametrize("cell_too,code,cause", [(False, "CDHT-P032", "CDHT-P032"), (True, "CDHT-M008", "CDHT-W019")])
def test_a_2025_workbook_relabelled_2026_is_refused(kit, kit2025, tmp_path, cell_too, code, cause):
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx")
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    old = kit2025.commune(tmp_path / "x2025.xlsx", H01_COMMUNES[1])
    forged = _relabel(old, inbox / "x2026.xlsx", cell_too)
    with alarm(60):
        sub = read_workbook(forged)
    assert sub.year == 2026 and sub.tampered and cause in codes(sub.findings)
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:1] and refused(r) == {forged.name: code}


def test_the_year_is_in_the_fingerprint_and_the_seal(kit, kit2025):
    """The seal printed beside the signature comes from the layout fingerprint, which covers the
    locked year cell: the same unit's 2025 and 2026 workbooks never share a seal."""
    from cdht.read.submission import read_meta
    from cdht.xlsx.fastread import read_raw
    m25, m26 = (read_meta(read_raw(k.template("xa", H01_COMMUNES[1]))) for k in (kit2025, kit))
    assert (m25["year"], m26["year"]) == ("2025", "2026")
    assert m25["fingerprint"] != m26["fingerprint"] and m25["seal"] != m26["seal"]
    assert m25["fingerprint_scheme"] == m26["fingerprint_scheme"] == "1"  # no scheme change was needed


# -------------------------------------------------------------------------------------------------
# 7. A parent without a tool sheet; a password Excel's legacy hash cannot take
# -------------------------------------------------------------------------------------------------

def _without_register_sheet(parent: Path) -> Path:
    wb = openpyxl.load_workbook(parent)
    wb.remove(wb[L.SHEET_REGISTER])
    wb.save(parent)
    return parent


def _register_name_ref_error(parent: Path) -> Path:
    """As Excel leaves it when the sheet is deleted: the name points at #REF!."""
    tmp = parent.with_suffix(".tmp.xlsx")
    edit_parts(parent, tmp, (WORKBOOK, rb'(<definedName name="so_cong_nhan">)[^<]*(</definedName>)',
                             rb"\g<1>#REF!$A$5:$J$504\g<2>"))
    shutil.move(tmp, parent)
    return parent


@pytest.mark.parametrize("damage", [_without_register_sheet, _register_name_ref_error])
def test_a_parent_without_its_register_sheet_is_named_not_a_crash(kit, open_parent, tmp_path, damage):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    damage(open_parent)
    before = open_parent.read_bytes()
    with alarm(60):
        r = merge(open_parent, [inbox])
    assert not r.written and codes(r.findings) == ["CDHT-M041"]
    f = r.findings[0]
    assert f.file == open_parent.name and L.SHEET_REGISTER in f.message and L.N_REGISTER in f.message
    assert open_parent.read_bytes() == before
    res = cli("merge", open_parent, inbox, timeout=120)  # was A001 "StopIteration"
    assert res.returncode != 0 and "CDHT-M041" in res.stdout + res.stderr
    assert "CDHT-A001" not in res.stdout + res.stderr and "StopIteration" not in res.stdout + res.stderr


@pytest.mark.parametrize("password,warned", [("p" * 16, True), ("p" * 15, False)])
def test_a_password_longer_than_15_characters_is_warned(tmp_path, password, warned):
    res = cli("generate", "--tier", "xa", "--year", 2026, "--out", tmp_path, "--password", password, timeout=180)
    assert res.returncode == 0, res.stdout + res.stderr
    assert ("[CDHT-T020]" in res.stderr) is warned
    if warned:
        assert "16" in res.stderr and "15" in res.stderr


def test_a_formula_in_the_evidence_register_is_refused(blank_commune, tmp_path):
    """The register's cells are inputs too: a date computed by =TODAY() is not a date typed."""
    bad = edit_parts(blank_commune, tmp_path / "mc.xlsx",
                     ("xl/worksheets/sheet4.xml", rb'(<c r="E5"[^>]*>)<v>([^<]*)</v>', rb"\g<1><f>TODAY()</f><v>\g<2></v>"))
    with alarm(60):
        sub = read_workbook(bad)
    [f] = [f for f in sub.findings if f.code == "CDHT-W062"]
    assert (f.sheet, f.cell) == (L.SHEET_EVIDENCE, "E5") and "TODAY()" in f.message
    assert sub.evidence[0]["row"] == 5 and sub.evidence[0]["date"] is None


def test_a_control_character_quoted_in_a_message_never_reaches_the_parent_raw(kit, blank_commune, open_parent,
                                                                               tmp_path):
    """Found by the fuzz test: a control character in ``_meta`` (here the fingerprint scheme) is
    quoted in the refusal (W026) written to "Danh sách trả lại"; openpyxl refused to save it and
    the whole merge ended in A001. Every write now holds only what a cell can."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bad = edit_parts(blank_commune, inbox / "scheme.xlsx",
                     (META, rb'(<c r="B13" t="inlineStr"><is><t>)1(</t>)', rb"\g<1>1_x0001_\g<2>"))
    long_name = edit_parts(blank_commune, inbox / "long.xlsx",  # longer than a cell may hold
                           (UNIT, rb'(<c r="B5"[^>]*><is><t[^>]*>)', b"\\g<1>" + "Đ".encode() * 40_000))
    with alarm(120):
        r = merge(open_parent, [inbox])
    assert r.written and H01_COMMUNES[0] in merged(r)
    assert refused(r)[bad.name] == "CDHT-M008" and "CDHT-W026" in codes(r.refused[0].findings)
    texts = [c.value for ws in openpyxl.load_workbook(open_parent) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert any("W026" in t or "dấu vân tay" in t for t in texts)
    assert not any("\x01" in t for t in texts) and max(map(len, texts)) <= 32767
    assert long_name.name in refused(r) or any(m.file == long_name for m in r.merged)


@pytest.mark.parametrize("value", [rb'<c r="B11" t="n"><v>123456789012345678901234567890</v></c>',
                                   rb'<c r="B11" t="inlineStr"><is><t>[[1], {}]</t></is></c>'])
def test_a_meta_list_edited_into_another_shape_is_tampering_not_a_crash(kit, blank_commune, open_parent, tmp_path,
                                                                         value):
    """Found by the fuzz test: the protected sheets' list of ``_meta`` (B11) made a number ended the
    source's reading in M022; now it is what it is — ``_meta`` edited by hand (W021)."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bad = edit_parts(blank_commune, inbox / "meta.xlsx", (META, rb'<c r="B11"[^>]*>.*?</c>', value))
    with alarm(60):
        sub = read_workbook(bad)
    assert sub.readable and sub.tampered and "CDHT-W021" in codes(sub.findings)
    with alarm(120):
        r = merge(open_parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:1] and refused(r) == {bad.name: "CDHT-M008"}


def test_a_date_cell_the_rust_reader_panics_on_is_read_not_a_crash(kit, blank_commune, open_parent, tmp_path):
    """Found by the fuzz test: calamine panics on a date-formatted cell holding -1e20, and pyo3's
    PanicException is no ``Exception`` — it went past every guard and ended the merge (A001). The
    values are then read by openpyxl: the cell is '#VALUE!', named by the evidence check (E008)."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bad = edit_parts(blank_commune, inbox / "ngay.xlsx",
                     ("xl/worksheets/sheet4.xml", rb'(<c r="E5"[^>]*><v>)[^<]*(</v>)', rb"\g<1>-1e20\g<2>"))
    with alarm(120):
        r = merge(open_parent, [inbox])
    assert r.written and H01_COMMUNES[0] in merged(r)
    [mine] = [m for m in r.merged if m.file == bad]
    [e008] = [f for f in mine.findings if f.code == "CDHT-E008"]
    assert e008.row == 5 and e008.sheet == L.SHEET_EVIDENCE and mine.status == L.Status.RETURNED.value
