"""The per-file read's memos (issue 18, cost) never change what is read.

``cdht.xlsx.fastread`` remembers, across the files of one merge, the fast scan of a sheet part (keyed
by its exact stored bytes), the workbook part's sheets and names (likewise), and the layout items +
digest (keyed by everything they are made of). A read with every memo warm must give exactly what
a cold read gives — the uncached code path — for good, hostile and tampered files alike, and a
change to a part that the memo holds must be seen.
"""
from __future__ import annotations

import dataclasses
import os
import re
import zipfile
from pathlib import Path

import pytest

from cdht.read.submission import read_workbook_raw
from cdht.read.tamper import check_layout
from cdht.xlsx import fastread as fr
from tests import corpus as C
from tests.read.variants import resave
from tests.test_hostile import edit_parts


def cold() -> None:
    fr._SCANNED.clear()
    fr._WORKBOOKS.clear()
    fr._LAYOUTS.clear()


def snapshot(path: Path) -> str:
    """Everything a read gives: the Submission's fields and findings, the raw read, the layout check."""
    sub, rb = read_workbook_raw(path, C.EDITION)
    out = {f.name: getattr(sub, f.name) for f in dataclasses.fields(sub)}
    out["edition"] = sub.edition.id if sub.edition else None
    out["tier"] = sub.tier.code if sub.tier else None
    out["findings"] = [dataclasses.asdict(f) for f in sub.findings]
    if rb is not None:
        out["raw"] = (rb.strict, rb.names, rb.custom_props, rb.structure_locked, rb.name_clashes,
                      {n: (s.state, s.protected, s.formulas, s.errors, s.values) for n, s in rb.sheets.items()})
        if sub.tier is not None:
            found = check_layout(rb, sub.meta, sub.tier)
            out["layout"] = (found.items, found.changed, found.fingerprint_ok, found.sheet_problems, found.tampered)
    return repr(out)  # (repr: a NaN read twice compares equal)


def edit(src: Path, out: Path, part: str, pattern: bytes, repl: bytes) -> Path:
    """A copy of ``src`` with the first match of ``pattern`` in ``part`` replaced (it must match):
    the hostile tests' package editor with one edit."""
    return edit_parts(src, out, (part, pattern, repl))


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Filled workbooks of one template, copies tampered in a sheet every file repeats, other
    programs' spellings, and the corpus of bad inputs."""
    d = tmp_path_factory.mktemp("memo")
    out = {f"filled_{i}": C.filled(d / f"filled_{i}.xlsx", "xa", over)
           for i, over in enumerate([{}, {"xa_1_1": "Không đạt"}, {"tong_so_cong_dan": 1234}])}
    good = out["filled_0"]
    guide = C.sheet_part(good, "Hướng dẫn")
    out["text_in_guide"] = edit(good, d / "t1.xlsx", guide, rb"(<t[^>]*>)([^<]{3})", rb"\g<1>X\g<2>")
    out["guide_unprotected"] = edit(good, d / "t2.xlsx", guide, rb"<sheetProtection\b[^>]*/>", b"")
    out["formula"] = edit(good, d / "t3.xlsx", C.sheet_part(good, "Tự đánh giá"), rb"<f>([^<]+)</f>", rb"<f>\1+0</f>")
    out["name"] = edit(good, d / "t4.xlsx", "xl/workbook.xml", rb"(<definedName name=\"nam_danh_gia\"[^>]*>[^<]*\$)(\d+)",
                       rb"\g<1>99")
    out["prefixed"] = resave(good, d / "v1.xlsx", prefix="x")
    out["shared_strings"] = resave(good, d / "v2.xlsx", shared_strings=True)
    out["reordered"] = resave(good, d / "v3.xlsx", reorder=True)
    for bad in C.BAD_INPUTS:
        if bad.name != "zip_bomb":  # (slow to build; refused before any part is read)
            (d / bad.name).mkdir()
            out[bad.name] = bad.build(d / bad.name)
    return out


def test_a_warm_read_gives_exactly_what_a_cold_read_gives(files, monkeypatch):
    expected = {}
    for name, path in files.items():
        cold()
        expected[name] = snapshot(path)
    cold()
    for path in files.values():  # every memo filled with every file's parts
        snapshot(path)
    scans, fast = [], fr._fast_sheet

    def counted(xml, sheet):
        scans.append(sheet.name)
        fast(xml, sheet)

    monkeypatch.setattr(fr, "_fast_sheet", counted)
    for name, path in files.items():
        assert snapshot(path) == expected[name], name
    assert scans == []  # every sheet came from the memo, and gave what the scan gave


def test_a_change_to_a_part_the_memo_holds_is_seen(files):
    cold()
    assert not snapshot(files["filled_0"]).count("CDHT-W01")  # intact, and now memoised
    for case, code in (("text_in_guide", "CDHT-W019"), ("guide_unprotected", "CDHT-W018"),
                       ("formula", "CDHT-W019"), ("name", "CDHT-W021")):
        sub, _ = read_workbook_raw(files[case], C.EDITION)
        assert code in [f.code for f in sub.findings], (case, [f.code for f in sub.findings])


def test_the_sheet_memo_ignores_the_stored_time_but_not_a_byte(files, tmp_path):
    """Another save of the same sheet (another time in its local header) is a hit; a part with
    one byte changed is not."""
    good = files["filled_0"]
    later = tmp_path / "later.xlsx"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(later, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            info.date_time = (2030, 1, 2, 3, 4, 6)
            out.writestr(info, z.read(info))
    cold()
    snapshot(good)
    held = len(fr._SCANNED)
    def same(text: str) -> str:
        return re.sub(r"'sha256': '[0-9a-f]+'", "", text).replace(repr(later), repr(good))

    assert same(snapshot(later)) == same(snapshot(good))
    assert len(fr._SCANNED) == held
    snapshot(files["text_in_guide"])
    assert len(fr._SCANNED) == held + 1  # the one changed part


def test_the_layout_memo_tells_apart_what_the_items_tell_apart():
    """1.0, True, -0.0 and 0.0 compare equal in Python (or hash alike) but are other layout
    items: each gets its own, exactly what the uncached items are."""
    tier = C.EDITION.tier("xa")
    cold()
    seen = set()
    for v in (1.0, True, 1, -0.0, 0.0, "1", "x"):
        sheet = fr.RawSheet("Hướng dẫn", values=[["", v]])
        rb = fr.RawBook({"Hướng dẫn": sheet}, {}, {}, False)
        items, whole = fr.raw_layout(rb, tier)
        assert items == fr.raw_items(rb, tier)
        seen.add(whole)
    assert len(seen) == 6  # 1 and 1.0 are one item ("1.0"), as the generator's fingerprint has it


def test_a_value_marshal_cannot_write_is_itemised_uncached():
    import datetime as dt
    tier = C.EDITION.tier("xa")
    cold()
    sheet = fr.RawSheet("Hướng dẫn", values=[[dt.date(2026, 1, 2)]])
    rb = fr.RawBook({"Hướng dẫn": sheet}, {}, {}, False)
    assert fr.raw_layout(rb, tier)[0] == fr.raw_items(rb, tier) and not fr._LAYOUTS


def test_big_parts_and_layouts_are_never_held(files, monkeypatch):
    """The memos hold small parts only (every file of a merge is not kept alive): above
    MEMO_MAX_BYTES a part is scanned and a layout itemised each time, with the same result."""
    cold()
    want = snapshot(files["filled_1"])
    cold()
    monkeypatch.setattr(fr, "MEMO_MAX_BYTES", 10)
    assert snapshot(files["filled_1"]) == want
    assert not fr._SCANNED and not fr._WORKBOOKS and not fr._LAYOUTS


@pytest.mark.skipif(not os.environ.get("CDHT_MEMO_CORPUS"), reason="CDHT_MEMO_CORPUS: a folder of sources")
def test_a_folder_of_sources_reads_the_same_warm_and_cold():
    """``CDHT_MEMO_CORPUS=/tmp/p150/inbox``: e.g. the benchmark's 150 LibreOffice-saved sources."""
    paths = sorted(Path(os.environ["CDHT_MEMO_CORPUS"]).glob("*.xlsx"))
    expected = []
    for p in paths:
        cold()
        expected.append(snapshot(p))
    cold()
    assert [snapshot(p) for p in paths] == expected
