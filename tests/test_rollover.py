"""Year rollover (issue 16): ``cdht generate --year N+1 --from MERGED_N.xlsx`` on the demo province.

Year N+1's workbooks get year N's ``*_nam_nay`` in their ``*_nam_truoc`` cells (every ``change``
rule of the catalogue) and the register's decisions still in force; everything is checked by
reading year N's book and the new workbook by defined name, the new workbook is an untampered
template, bad books are refused with coded messages and nothing is written, and LibreOffice
recalculates the carried figures into the indicators' results as the Python rules do."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from cdht import contract as L
from cdht.cli.demo import run_demo
from cdht.edition import load_edition
from cdht.evaluate import evaluate, verdict_label
from cdht.fill import fill, load, named_values, write_rows
from cdht.ops.register import read_register
from cdht.ops.rollover import EXPIRED, NOT_LISTED, SUPERSEDED, previous_fields, rollover
from cdht.profile import profile_from_units
from cdht.read.submission import read_workbook
from cdht.units import SAMPLE_UNITS, read_units
from cdht.xlsx.fastread import named_rows, read_raw
from cdht_generator.api import generate
from scripts.libreoffice import recalc, soffice_path
from tests.support.cli import run

YEAR = 2026
NEXT = YEAR + 1
EDITION = load_edition()
pytestmark = pytest.mark.slow  # builds the demo province


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("rollover-demo") / str(YEAR), YEAR)


def _generate(*args):
    return run("generate", "--units", SAMPLE_UNITS, *args)


def _json(res) -> dict:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _register(path: Path) -> list[list]:
    return [r for r in named_rows(read_raw(path), L.N_REGISTER)[2] if r[0] not in (None, "")]


def _in_force_next_year(path: Path) -> set[tuple]:
    """Year N's decisions in force in N+1, recomputed here from year N's register."""
    decisions, _ = read_register(read_raw(path), path.name, EDITION.settings)
    out = set()
    for d in decisions:
        d.evaluate(dt.date(NEXT, 12, 31), EDITION.settings, None, "xa")
        if d.in_force:
            out.add((d.unit, d.level, d.number))
    return out


def test_the_previous_year_fields_come_from_the_catalogue():
    assert previous_fields(EDITION.tier("huyen")) == [("huyen_4_2_nam_truoc", "huyen_4_2_nam_nay"),
                                                       ("huyen_4_3_nam_truoc", "huyen_4_3_nam_nay")]
    assert previous_fields(EDITION.tier("tinh")) == [("tinh_4_2_nam_truoc", "tinh_4_2_nam_nay"),
                                                      ("tinh_4_3_nam_truoc", "tinh_4_3_nam_nay")]
    assert previous_fields(EDITION.tier("xa")) == []


def test_districts_get_last_years_figures_and_register(demo, tmp_path):
    out = tmp_path / "2027"
    rep = _json(_generate("--tier", "huyen", "--year", NEXT, "--from", demo.out / "tong-hop-huyen",
                          "--out", out, "--json"))
    assert rep["year"] == NEXT and rep["from_year"] == YEAR and len(rep["files"]) == 2
    for code, old in demo.districts.items():
        new = out / f"CDHT_{NEXT}_huyen_{code}.xlsx"
        unit = next(u for u in rep["units"] if u["unit"] == code)
        assert unit["file"] == str(new) and unit["from"] == old.name
        last = named_values(old, ["huyen_4_2_nam_nay", "huyen_4_3_nam_nay"])
        now = named_values(new, ["huyen_4_2_nam_truoc", "huyen_4_3_nam_truoc", "huyen_4_2_nam_nay"])
        assert now == {"huyen_4_2_nam_truoc": last["huyen_4_2_nam_nay"],
                       "huyen_4_3_nam_truoc": last["huyen_4_3_nam_nay"], "huyen_4_2_nam_nay": None}
        assert {f["name"]: f["value"] for f in unit["figures"]} == {
            "huyen_4_2_nam_truoc": last["huyen_4_2_nam_nay"], "huyen_4_3_nam_truoc": last["huyen_4_3_nam_nay"]}
        carried = {(r[0], r[2], r[3]) for r in _register(new)}
        assert carried == _in_force_next_year(old) and carried  # the demo's decisions of 20/03/2027
        assert {(d["unit"], d["level"], d["number"]) for d in unit["register"]["carried"]} == carried
        assert all(r[7] == "Có" and r[9] == f"Chuyển từ sổ tổng hợp năm {YEAR}" for r in _register(new))
        sub = read_workbook(new)  # an issued template, untampered, its register read by the merge's reader
        assert sub.readable and not sub.tampered and sub.year == NEXT
        decisions, problems = read_register(read_raw(new), new.name, EDITION.settings)
        assert not problems and len(decisions) == len(carried)


def test_the_new_workbook_has_the_fresh_templates_layout(demo, tmp_path):
    fresh = generate(EDITION, "huyen", NEXT, tmp_path / "fresh", units=read_units(SAMPLE_UNITS)[0],
                     unit_code="MAU-H01")[0]
    _json(_generate("--tier", "huyen", "--year", NEXT, "--unit", "MAU-H01", "--from", demo.districts["MAU-H01"],
                    "--out", tmp_path / "new", "--json"))
    new = tmp_path / "new" / fresh.name
    assert read_workbook(new).meta["fingerprint"] == read_workbook(fresh).meta["fingerprint"]


def test_the_province_gets_last_years_figures(demo, tmp_path):
    res = _generate("--tier", "tinh", "--year", NEXT, "--from", demo.province, "--out", tmp_path)
    assert res.exit_code == 0, res.output
    assert "tinh_4_2_nam_truoc = 3.1 (từ tinh_4_2_nam_nay)" in res.stdout
    new = tmp_path / f"CDHT_{NEXT}_tinh_MAU-T01.xlsx"
    last = named_values(demo.province, ["tinh_4_2_nam_nay", "tinh_4_3_nam_nay"])
    assert named_values(new, ["tinh_4_2_nam_truoc", "tinh_4_3_nam_truoc"]) == {
        "tinh_4_2_nam_truoc": last["tinh_4_2_nam_nay"], "tinh_4_3_nam_truoc": last["tinh_4_3_nam_nay"]}


def test_what_is_not_carried_is_said_with_its_reason(demo, tmp_path):
    """An expired decision, one of a unit not listed in N+1, an older one of the same level, and a
    figure left empty in year N's book: each named in the report with why."""
    book = tmp_path / "src" / demo.districts["MAU-H01"].name
    book.parent.mkdir()
    shutil.copy(demo.districts["MAU-H01"], book)
    rows = [r[:6] for r in _register(book)]
    rows += [["MAU-X0103", "Xã cũ", 1, "9/QĐ-UBND", dt.datetime(2023, 3, 1), "UBND huyện"],   # year 2022: through 2025
             ["MAU-X0999", "Xã đã sáp nhập", 2, "8/QĐ-UBND", dt.datetime(2026, 3, 1), "UBND huyện"],
             ["MAU-X0104", "Xã 4", 1, "7/QĐ-UBND", dt.datetime(2025, 3, 1), "UBND huyện"]]     # older level 1
    wb = load(book)
    write_rows(wb, L.N_REGISTER, rows)
    wb.save(book)
    fill(book, book, {"huyen_4_3_nam_nay": None})
    rep = _json(_generate("--tier", "huyen", "--year", NEXT, "--unit", "MAU-H01", "--from", book,
                          "--out", tmp_path / "out", "--json"))
    unit = rep["units"][0]
    why = {d["number"]: d["reason"] for d in unit["register"]["not_carried"]}
    assert why == {"9/QĐ-UBND": EXPIRED, "8/QĐ-UBND": NOT_LISTED, "7/QĐ-UBND": SUPERSEDED}
    figures = {f["name"]: f for f in unit["figures"]}
    assert figures["huyen_4_2_nam_truoc"]["carried"] and not figures["huyen_4_3_nam_truoc"]["carried"]
    new = tmp_path / "out" / f"CDHT_{NEXT}_huyen_MAU-H01.xlsx"
    assert named_values(new, ["huyen_4_3_nam_truoc"]) == {"huyen_4_3_nam_truoc": None}
    assert "4/QĐ-UBND" in {r[3] for r in _register(new)} and "7/QĐ-UBND" not in {r[3] for r in _register(new)}
    text = _generate("--tier", "huyen", "--year", NEXT, "--unit", "MAU-H01", "--from", book,
                     "--out", tmp_path / "out2").stdout
    assert f"không chuyển 9/QĐ-UBND (MAU-X0103, mức độ 1, 01/03/2023): {EXPIRED}" in text
    assert "huyen_4_3_nam_truoc: không điền" in text


def _refused(res, code: str, out: Path) -> None:
    assert res.exit_code == 1, res.output
    assert f"[{code}]" in res.stderr
    assert not out.exists() or not any(out.iterdir())  # nothing written


def test_bad_books_are_refused_with_coded_messages(demo, tmp_path):
    out = tmp_path / "out"
    h01 = demo.districts["MAU-H01"]
    cases = [
        (("--tier", "huyen", "--year", YEAR, "--from", h01), "CDHT-R012"),                 # a book of the same year
        (("--tier", "huyen", "--year", NEXT + 1, "--from", h01), "CDHT-R012"),             # two years before
        (("--tier", "tinh", "--year", NEXT, "--from", h01), "CDHT-R013"),                  # a district's book for the province
        (("--tier", "huyen", "--year", NEXT, "--from", demo.communes[0]["file"]), "CDHT-R010"),  # a commune's workbook
        (("--tier", "huyen", "--year", NEXT, "--from", demo.out / "bieu-mau" / h01.name), "CDHT-R011"),  # never merged
    ]
    for args, code in cases:
        _refused(_generate(*args, "--out", out), code, out)
    twice = tmp_path / "twice"
    twice.mkdir()
    shutil.copy(h01, twice / "copy.xlsx")
    _refused(_generate("--tier", "huyen", "--year", NEXT, "--from", h01, "--from", twice, "--out", out),
             "CDHT-R015", out)
    _refused(run("generate", "--tier", "huyen", "--year", NEXT, "--from", h01, "--out", out), "CDHT-T013", out)


def test_a_book_of_another_province_is_refused(demo, tmp_path):
    other = tmp_path / "khac.csv"
    other.write_text("ma,ten,cap,ma_cap_tren,vung_kho_khan\nKH-T,Tỉnh khác,tinh,,Không\n"
                     "KH-H1,Huyện khác,huyen,KH-T,Không\nKH-X1,Xã khác,xa,KH-H1,Không\n", "utf-8")
    out = tmp_path / "out"
    res = run("generate", "--units", other, "--tier", "huyen", "--year", NEXT, "--from", demo.districts["MAU-H01"],
              "--out", out)
    _refused(res, "CDHT-R014", out)
    assert "không có đơn vị mã 'MAU-H01'" in res.stderr


def test_a_unit_gone_from_the_registry_is_a_warning(demo, tmp_path):
    units, _ = read_units(SAMPLE_UNITS)
    profile = profile_from_units(units)
    gone = next(u for u in profile.units if u.code == "MAU-H02")
    gone.last_year = YEAR  # the district is dissolved after 2026 (its 2026 facts still match)
    res = rollover(EDITION, "huyen", NEXT, tmp_path, [demo.out / "tong-hop-huyen"], profile=profile)
    assert [f.code for f in res.findings] == ["CDHT-R016"] and res.findings[0].facts["unit"] == "MAU-H02"
    assert [u.unit for u in res.units] == ["MAU-H01"]
    assert {d.unit for d in res.units[0].decisions} == {f"MAU-X010{k}" for k in range(1, 7)}


@pytest.mark.oracle
@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_carried_figures(demo, tmp_path):
    """The district types this year's figures next to last year's carried ones: income up (4.2
    passes), employment down (4.3 fails). LibreOffice's results are the Python rules'."""
    _json(_generate("--tier", "huyen", "--year", NEXT, "--unit", "MAU-H01", "--from", demo.districts["MAU-H01"],
                    "--out", tmp_path, "--json"))
    new = tmp_path / f"CDHT_{NEXT}_huyen_MAU-H01.xlsx"
    last = named_values(new, ["huyen_4_2_nam_truoc", "huyen_4_3_nam_truoc"])
    tier = EDITION.tier("huyen")
    typed = {**{f.key: "Đạt" for f in tier.fields.values() if f.type == "verdict"},
             "huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 6, "huyen_4_1_so_xa_muc_do_2": 5,
             "huyen_4_2_nam_nay": last["huyen_4_2_nam_truoc"] + 0.5,
             "huyen_4_3_nam_nay": last["huyen_4_3_nam_truoc"] - 0.1}
    filled = fill(new, tmp_path / "typed" / "da-dien.xlsx", typed)
    python = evaluate(tier, {**typed, **last})
    assert python.indicators["huyen.4.2"].level1 and not python.indicators["huyen.4.3"].level1
    out = recalc([filled], tmp_path / "lo")[filled]
    wb = CalamineWorkbook.from_path(str(out))
    rows = {r[0]: (r[4], r[5]) for r in wb.get_sheet_by_name(L.SHEET_SELF).to_python()[L.HEADER_ROW:] if r}
    for ind in ("huyen.4.2", "huyen.4.3"):
        res = python.indicators[ind]
        # no evidence row is typed: a met indicator reads "Đạt (thiếu minh chứng)" (issue 17)
        assert rows[ind] == tuple(verdict_label(ok, evidenced=False) for ok in (res.level1, res.level2)), ind
