"""The tamper check against the same workbook as other programs save it.

A filled template is re-saved as its XML would come out of Excel, LibreOffice, WPS or OnlyOffice
(attributes in another order, a prefixed main namespace, shared instead of inline strings, cells
without ``r``): the layout is intact, so it is not tampered and reads the same. A really changed
formula, re-saved the same ways, is still tampered and named. Both readers' verdicts come from
one function, :func:`cdht.read.tamper.check_layout`.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from cdht import contract as L
from cdht.ops.assess import check
from cdht.read.submission import read_meta
from cdht.read.tamper import check_layout
from cdht.xlsx.fastread import read_raw
from tests import corpus as C
from tests.read.variants import resave

VARIANTS = {
    "attributes-reordered": dict(reorder=True),
    "x-prefixed-namespace": dict(prefix="x"),
    "shared-strings": dict(shared_strings=True),
    "cells-without-r": dict(no_refs=True),
    "all-at-once": dict(reorder=True, prefix="x", shared_strings=True, no_refs=True),
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tamper")
    return C.filled(folder / "xa.xlsx", "xa")


@pytest.fixture(scope="module")
def forged(filled) -> tuple[Path, str]:
    """The filled workbook with the level-1 formula of xa.5.1 changed to always "Đạt"."""
    out = filled.with_name("forged.xlsx")
    wb = openpyxl.load_workbook(filled)
    coord = C.formula_cell(wb, "xa.5.1", 1)
    wb[L.SHEET_SELF][coord].value = '="Đạt"'
    wb.save(out)
    return out, coord


def _codes(rep) -> list[str]:
    return sorted(f.code for f in rep.findings)


def test_variants_really_differ_from_the_original(filled, tmp_path):
    """Guard for the cases below: each rewrite changes the sheet XML the fast path reads."""
    with zipfile.ZipFile(filled) as z:
        original = z.read(C.sheet_part(filled, L.SHEET_SELF))
    for case, kw in VARIANTS.items():
        path = resave(filled, tmp_path / f"{case}.xlsx", **kw)
        with zipfile.ZipFile(path) as z:
            assert z.read(C.sheet_part(filled, L.SHEET_SELF)) != original, case
    with zipfile.ZipFile(tmp_path / "x-prefixed-namespace.xlsx") as z:
        assert b"<x:c " in z.read(C.sheet_part(filled, L.SHEET_SELF))
    with zipfile.ZipFile(tmp_path / "shared-strings.xlsx") as z:
        assert "xl/sharedStrings.xml" in z.namelist()


@pytest.mark.parametrize("case", VARIANTS)
def test_intact_workbook_resaved_is_not_tampered(filled, tmp_path, case):
    original = check(filled)
    assert not original.sub.tampered and original.level == 2
    rep = check(resave(filled, tmp_path / f"{case}.xlsx", **VARIANTS[case]))
    assert not rep.sub.tampered, [f.text() for f in rep.findings]
    assert _codes(rep) == _codes(original)
    assert rep.sub.values == original.sub.values
    assert rep.level == original.level == 2


@pytest.mark.parametrize("case", VARIANTS)
def test_changed_formula_resaved_is_still_tampered(forged, tmp_path, case):
    path, coord = forged
    rep = check(resave(path, tmp_path / f"{case}.xlsx", **VARIANTS[case]))
    assert rep.sub.tampered
    w019 = [f for f in rep.findings if f.code == "CDHT-W019"]
    assert [(f.sheet, f.cell) for f in w019] == [(L.SHEET_SELF, coord)]
    assert not rep.ready_to_file


def test_protection_removed_resaved_is_still_tampered(filled, tmp_path):
    out = tmp_path / "unprotected.xlsx"
    wb = openpyxl.load_workbook(filled)
    wb[L.SHEET_UNIT].protection.sheet = False
    wb.save(out)
    rep = check(resave(out, tmp_path / "unprotected-x.xlsx", reorder=True, prefix="x"))
    assert rep.sub.tampered
    assert [(f.code, f.sheet) for f in rep.findings if f.code.startswith("CDHT-W0")] == [("CDHT-W018", L.SHEET_UNIT)]


def test_fast_suspicion_is_confirmed_by_a_strict_read(filled, tmp_path):
    """The fast byte patterns read a reordered cell wrongly; the verdict comes from the XML parse."""
    path = resave(filled, tmp_path / "reordered.xlsx", reorder=True)
    rb = read_raw(path, skip=L.TOOL_SHEETS)
    assert not rb.strict
    sub = check(filled).sub
    meta = read_meta(rb)
    found = check_layout(rb, meta, sub.tier)
    assert not found.tampered
    assert found.book is not rb and found.book.strict  # it was suspected, then cleared
    assert found.book.sheets[L.SHEET_SELF].formulas == sub_formulas(filled)


def sub_formulas(path: Path) -> dict[str, str]:
    return read_raw(path, skip=L.TOOL_SHEETS).sheets[L.SHEET_SELF].formulas


def test_strict_and_fast_reads_agree_on_a_generated_file(filled):
    fast = read_raw(filled, skip=L.TOOL_SHEETS)
    strict = read_raw(filled, skip=L.TOOL_SHEETS, strict=True)
    assert strict.strict and not fast.strict
    assert fast.names == strict.names
    assert fast.custom_props == strict.custom_props
    assert fast.structure_locked == strict.structure_locked
    assert list(fast.sheets) == list(strict.sheets)
    for name, s in fast.sheets.items():
        t = strict.sheets[name]
        assert (s.state, s.protected, s.formulas, s.errors) == (t.state, t.protected, t.formulas, t.errors), name
    assert len(fast.sheets[L.SHEET_SELF].formulas) > 20  # the comparison above compared something


def test_intact_file_is_judged_on_the_fast_read_alone(filled):
    """No strict re-read when nothing is suspected (what keeps merges fast)."""
    rb = read_raw(filled, skip=L.TOOL_SHEETS)
    found = check_layout(rb, read_meta(rb), check(filled).sub.tier)
    assert not found.tampered and found.book is rb


# --- a department's form: the same function (what cdht.ops.contributions calls) --------------

@pytest.fixture(scope="module")
def department_form(tmp_path_factory) -> Path:
    from cdht.fill import fill
    from cdht_generator.contributor import generate_contributor_form

    root = tmp_path_factory.mktemp("form")
    edition = C.EDITION
    code = edition.spec.contributors[0].code
    blank = generate_contributor_form(edition, C.YEAR, code, root)
    keys = [f.key for i in edition.contributor(code).indicators for f in edition.tier("tinh").indicator(i).fields]
    return fill(blank, root / "filled.xlsx", {k: C.PASSING["tinh"][k] for k in keys})


def _form_check(path: Path):
    rb = read_raw(path, skip=L.TOOL_SHEETS)
    meta = read_meta(rb)
    assert meta.get("contributor")  # judged with the form's own wrapper tier
    return check_layout(rb, meta, C.EDITION.tier("tinh"))


@pytest.mark.parametrize("case", VARIANTS)
def test_department_form_resaved_is_not_tampered(department_form, tmp_path, case):
    assert not _form_check(department_form).tampered
    found = _form_check(resave(department_form, tmp_path / f"{case}.xlsx", **VARIANTS[case]))
    assert not found.tampered, (found.sheet_problems, found.changed)


def test_department_form_with_a_changed_text_is_tampered(department_form, tmp_path):
    out = tmp_path / "forged-form.xlsx"
    wb = openpyxl.load_workbook(department_form)
    ws = wb[wb.sheetnames[0]]
    ws["A1"].value = "Biểu mẫu khác"
    wb.save(out)
    found = _form_check(resave(out, tmp_path / "forged-form-x.xlsx", reorder=True, prefix="x"))
    assert found.tampered and found.changed == [wb.sheetnames[0]]


def test_the_fast_path_cannot_be_fooled_by_a_commented_original(filled, tmp_path):
    """A forged formula written as a prefixed element, the original left in an XML comment: byte
    patterns would find the comment's formula; such a sheet goes to the XML parser at once."""
    part = C.sheet_part(filled, L.SHEET_SELF)
    with zipfile.ZipFile(filled) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts[part].decode("utf-8")
    start = xml.index('<c r="E5"')
    end = xml.index("</c>", start) + len("</c>")
    original = xml[start:end]
    forged = ('<y:c xmlns:y="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="E5" s="9">'
              '<y:f>"Đạt"</y:f><y:v>Đạt</y:v></y:c>')
    parts[part] = (xml[:start] + f"<!--{original}-->" + forged + xml[end:]).encode("utf-8")
    out = tmp_path / "commented.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    rep = check(out)
    assert rep.sub.tampered
    assert [(f.sheet, f.cell) for f in rep.findings if f.code == "CDHT-W019"] == [(L.SHEET_SELF, "E5")]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([b"<!--", b"<![CDATA[", b"<!", b"!", b"<", b"-", b"--", b"[CDATA[", b"x", b"!--",
                                 b"<![CDATA", b"<sheetData>"]), max_size=10))
def test_the_comment_and_cdata_screen_is_a_plain_search(pieces):
    """The fast path's screen for comments and CDATA (found from each "!", not by a two-byte
    search) says exactly what searching for "<!--" and "<![CDATA[" says, a "!" first included."""
    from cdht.xlsx.fastread import _fast_path_fits
    xml = b"".join(pieces)
    plain = b"<sheetData" in xml and b"<!--" not in xml and b"<![CDATA[" not in xml
    assert _fast_path_fits(xml) == plain


# --- formulas as LibreOffice spells them: <f aca="false"> (issue 18: one source ≈ its bare read) --

def _aca(src: Path, dst: Path) -> Path:
    """``src`` with every formula element spelt as LibreOffice saves it, ``<f aca="false">``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<f>", b'<f aca="false">')
            zout.writestr(info, data)
    return dst


def test_libreoffice_formula_attributes_are_read_on_the_fast_path(filled, tmp_path, monkeypatch):
    """An attribute that leaves a formula's text as it is does not send the sheet to the slow
    tagged-formula path, nor the file to a strict re-read: same formulas as the XML parse."""
    from cdht.xlsx import fastread

    path = _aca(filled, tmp_path / "aca.xlsx")
    with zipfile.ZipFile(path) as z:
        assert any(b'<f aca="false">' in z.read(n) for n in z.namelist())
    strict = read_raw(path, skip=L.TOOL_SHEETS, strict=True)
    monkeypatch.setattr(fastread, "_tagged_formulas", None)  # (shared / array formulas only)
    fast = read_raw(path, skip=L.TOOL_SHEETS)
    for name, s in fast.sheets.items():
        assert s.formulas == strict.sheets[name].formulas, name
    assert fast.sheets[L.SHEET_SELF].formulas == sub_formulas(filled)
    found = check_layout(fast, read_meta(fast), check(filled).sub.tier)
    assert not found.tampered and found.book is fast


def test_libreoffice_spelt_changed_formula_is_tampered(forged, tmp_path):
    path, coord = forged
    rep = check(_aca(path, tmp_path / "forged-aca.xlsx"))
    assert rep.sub.tampered
    assert any(f.code == "CDHT-W019" and f.cell == coord for f in rep.findings)
