"""`cdht report` (issue 16) on the demo province: the long table, the reports and the exports
against the merged rows, recomputed here independently — openpyxl (not the library's calamine
read), by the workbooks' defined names — and the bad inputs, each a coded message."""
from __future__ import annotations

import datetime as dt
import shutil
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from cdht import contract as L
from cdht.cli.demo import run_demo
from cdht.cli.main import main
from cdht.ops import report as R
from cdht.xlsx.names import named_bounds

pytestmark = pytest.mark.slow  # builds the demo province twice (two years)

YEAR = 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("report-demo")
    return {YEAR: run_demo(base / str(YEAR), YEAR), YEAR - 1: run_demo(base / str(YEAR - 1), YEAR - 1)}


def _district(demo, code="MAU-H02", year=YEAR) -> Path:
    return demo[year].districts[code]


def _province(demo, year=YEAR) -> Path:
    return demo[year].province


def _inbox(demo, year=YEAR) -> Path:
    return demo[year].out / "nop-tinh"


# --- the independent reading: openpyxl, by defined names --------------------------------------

def _list_rows(path: Path, name: str) -> list[dict]:
    """The rows of a list sheet under the header row its defined name starts at, by header."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws, r1, c1, _, c2 = named_bounds(wb, name)
    header = [ws.cell(r1, c).value for c in range(c1, c2 + 1)] if name == L.N_CHILDREN else L.REGISTER_COLUMNS
    start = r1 + 1 if name == L.N_CHILDREN else r1
    out = []
    for row in ws.iter_rows(min_row=start, min_col=c1, max_col=c1 + len(header) - 1, values_only=True):
        if row[0] not in (None, ""):
            out.append(dict(zip(header, row)))
    wb.close()
    return out


def _children(path: Path) -> dict[str, dict]:
    return {r["Mã đơn vị"]: r for r in _list_rows(path, L.N_CHILDREN)}


def _in_force(path: Path) -> dict[str, int]:
    """Unit → best level of the register rows the merge marked in force for the year."""
    out: dict[str, int] = {}
    for r in _list_rows(path, L.N_REGISTER):
        if r["Còn hiệu lực năm đánh giá"] == "Có":
            out[r["Mã đơn vị"]] = max(out.get(r["Mã đơn vị"], 0), int(r["Mức độ"]))
    return out


_LEVEL = {"Chưa đạt": 0, "Mức độ 1": 1, "Mức độ 2": 2}


def _receipt(r: dict) -> str:
    """This round's receipt of a merged row, in the status vocabulary: the merge writes it so
    (Đã nhận, Nộp muộn, Trả lại, Chưa nộp) or in the older words (Đã nộp + Đúng hạn Có/Không)."""
    status = r["Trạng thái"]
    if status in ("Đã nộp", "Đã nhận"):
        return "Nộp muộn" if r["Đúng hạn"] == "Không" else "Đã nhận"
    return status or "Chưa nộp"


def _got(r: dict) -> bool:
    return _receipt(r) in ("Đã nhận", "Nộp muộn")


def _expected_counts(rows: dict[str, dict], in_force: dict[str, int]) -> dict:
    got = [r for r in rows.values() if _got(r)]
    return {"units": len(rows), "received": len(got),
            "level_0": sum(_LEVEL.get(r["Mức độ tự đánh giá"]) == 0 for r in got),
            "level_1": sum(_LEVEL.get(r["Mức độ tự đánh giá"]) == 1 for r in got),
            "level_2": sum(_LEVEL.get(r["Mức độ tự đánh giá"]) == 2 for r in got),
            "recognised_1": sum(v == 1 for v in in_force.values()),
            "recognised_2": sum(v == 2 for v in in_force.values())}


def _sheet_table(path: Path, sheet: str, first_header: str) -> list[dict]:
    """A table of a report sheet: the row whose first cell is ``first_header`` and the rows below."""
    wb = openpyxl.load_workbook(path)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    at = next(k for k, r in enumerate(rows) if r[0] == first_header)
    header, out = rows[at], []
    for r in rows[at + 1:]:
        if r[0] in (None, ""):
            break
        out.append(dict(zip(header, r)))
    return out


# --- the long table -------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["MAU-H01", "MAU-H02"])
def test_long_table_of_a_district_is_its_merged_rows(demo, code):
    path = _district(demo, code)
    df = R.long_table(path)
    rows = _children(path)
    assert df.attrs["merged"] and df.attrs["tier"] == "huyen" and df.attrs["year"] == YEAR
    assert not df.duplicated(["unit", "indicator", "year"]).any()
    xa = df[df["tier"] == "xa"]
    indicators = [h for h in next(iter(rows.values())) if str(h).startswith("xa.")]
    assert len(xa) == len(rows) * len(indicators) == len(rows) * 15
    for unit, r in rows.items():
        mine = xa[xa["unit"] == unit]
        assert set(mine["parent"]) == {code}
        assert set(mine["receipt"]) == {_receipt(r)}
        want = _LEVEL.get(r["Mức độ tự đánh giá"])
        assert set(mine["level"].dropna()) == ({want} if want is not None else set())
        assert {i: (None if pd.isna(v) else v) for i, v in zip(mine["indicator"], mine["verdict"])} == \
            {i: r[i] for i in indicators}
    in_force = _in_force(path)
    recognised = xa.drop_duplicates("unit").set_index("unit")["recognised_level"]
    assert {u: int(v) for u, v in recognised.items() if v} == in_force
    own = df[df["unit"] == code]
    assert len(own) == 13 and set(own["tier"]) == {"huyen"} and own["figures"].notna().any()


def test_district_dashboard_matches_the_rows(demo):
    path = _district(demo, "MAU-H01")
    rows = _children(path)
    dash = R.dashboard_data(R.long_table(path))
    c = dict(zip(dash.completeness["item"], dash.completeness["count"]))
    got = [r for r in rows.values() if _got(r)]
    assert c["Đã nhận"] == len(got) == 6
    assert c["Nộp muộn"] == sum(_receipt(r) == "Nộp muộn" for r in got) >= 1   # MAU-X0105 at least
    assert c["Đúng hạn"] == len(got) - c["Nộp muộn"] and c["Trả lại"] == 0 and c["Chưa nộp"] == 0
    want = _expected_counts(rows, _in_force(path))
    lv = dash.levels.set_index("level")
    assert [int(lv.loc[k, "self_assessed"]) for k in (0, 1, 2)] == [want["level_0"], want["level_1"], want["level_2"]]
    assert int(lv.loc[1, "recognised"]) == want["recognised_1"] and int(lv.loc[2, "recognised"]) == want["recognised_2"]
    # pass rate per indicator, recomputed from the verdict cells
    for ind, r in dash.indicators.set_index("indicator").iterrows():
        verdicts = [x[ind] for x in got if x[ind] not in (None, "Chưa đủ")]
        assert r["units"] == len(verdicts)
        assert r["pass_level1"] == sum(v in ("MĐ1", "MĐ2") for v in verdicts)
        assert r["pass_level2"] == sum(v == "MĐ2" for v in verdicts)
    assert dash.meta["own_level"] == 1 and dash.recognitions["newly_recognised"] == 6


# --- the reports ----------------------------------------------------------------------------

def _charts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]


def test_district_report_lists_its_communes_and_its_own_result(demo, tmp_path):
    path = _district(demo, "MAU-H02")
    out = R.district_report(R.long_table(path), tmp_path / "bao-cao-huyen.xlsx")
    listed = {r["Mã đơn vị"]: r for r in _sheet_table(out, "Danh sách xã", "Mã đơn vị")}
    rows, in_force = _children(path), _in_force(path)
    assert set(listed) == set(rows)
    for unit, r in rows.items():
        assert listed[unit]["Hồ sơ"] == _receipt(r)
        assert (listed[unit]["Mức độ được công nhận"] or 0) == in_force.get(unit, 0)
    assert listed["MAU-X0201"]["Trạng thái"] == L.Status.RECOGNISED_1.value
    assert listed["MAU-X0201"]["Số quyết định"] == "1/QĐ-UBND"
    assert listed["MAU-X0202"]["Trạng thái"] == L.Status.RETURNED.value
    wb = openpyxl.load_workbook(out)
    ws = wb["Báo cáo"]
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" in texts and any("HUYỆN SƠN HÀ" in t for t in texts)
    assert any(f"Năm đánh giá {YEAR}" in t for t in texts)
    assert any(t.startswith("Kết quả tự đánh giá của huyện: Chưa đạt") for t in texts)
    levels = {r["Mức độ"]: r for r in _sheet_table(out, "Báo cáo", "Mức độ")}
    want = _expected_counts(rows, in_force)
    assert levels["Mức độ 1"]["Tự đánh giá (hồ sơ đã nhận)"] == want["level_1"] == 2
    assert levels["Mức độ 1"]["Được công nhận (quyết định còn hiệu lực)"] == want["recognised_1"] == 2
    charts = _charts(out)
    assert len(charts) == 2 and all("<c:barChart>" in c for c in charts)
    assert any("'Báo cáo'!$A$" in c for c in charts)   # the series point at the report's own table


def test_ministry_report_counts_by_tier_and_district_match_the_rows(demo, tmp_path):
    province = _province(demo)
    df = R.long_table(province, children=[_inbox(demo)])
    assert df.attrs["findings"] == []   # the departments' forms in the inbox are skipped quietly
    out = R.ministry_report(df, tmp_path / "bao-cao-bo.xlsx")
    table = {r["Cấp"]: r for r in _sheet_table(out, "Báo cáo", "Cấp")}
    # districts: the province's rows and register; communes: the districts' files as received
    want = {"cấp huyện": _expected_counts(_children(province), _in_force(province))}
    communes, in_force = {}, {}
    for f in sorted(_inbox(demo).glob("*huyen*.xlsx")):
        communes.update(_children(f))
        in_force.update(_in_force(f))
    want["cấp xã"] = _expected_counts(communes, in_force)
    for tier, w in want.items():
        got = table[tier]
        assert got["Số đơn vị"] == w["units"] and got["Đã nhận hồ sơ"] == w["received"]
        assert [got["Chưa đạt"], got["Mức độ 1"], got["Mức độ 2"]] == [w["level_0"], w["level_1"], w["level_2"]]
        assert got["Công nhận mức độ 1 (còn hiệu lực)"] == w["recognised_1"]
        assert got["Công nhận mức độ 2 (còn hiệu lực)"] == w["recognised_2"]
    assert table["cấp xã"]["Số đơn vị"] == 12 and table["cấp xã"]["Công nhận mức độ 2 (còn hiệu lực)"] == 5
    assert table["cấp xã"]["Công nhận mới trong năm"] == 8 and table["cấp tỉnh"]["Số đơn vị"] == 1
    by_district = {r["Huyện"]: r for r in _sheet_table(out, "Theo huyện", "Huyện")}
    for code in ("MAU-H01", "MAU-H02"):
        mine = {u: r for u, r in communes.items() if u.startswith("MAU-X0" + code[-1])}
        assert by_district[code]["Số xã"] == len(mine) == 6
        assert by_district[code]["Đã nhận"] == sum(_got(r) for r in mine.values())
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Báo cáo", "Theo huyện"] and "Chỉ tiêu" in wb.sheetnames
    texts = [c for row in wb["Báo cáo"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in texts and any("Bộ Giáo dục và Đào tạo" in t for t in texts)
    assert len(_charts(out)) == 3


def test_expiring_follows_the_horizon(demo):
    df = R.long_table(_province(demo), children=[_inbox(demo)])
    assert R.recognitions(R.units(df, "xa"))["expiring"] == 0        # valid through 31/12/2029
    far = R.long_table(_province(demo), children=[_inbox(demo)], horizon_years=3)
    assert R.recognitions(R.units(far, "xa"))["expiring"] == 8        # every decision ends by 31/12/2029


def test_trends_with_last_year(demo, tmp_path):
    cur, prev = R.long_table(_district(demo, "MAU-H01")), R.long_table(_district(demo, "MAU-H01", YEAR - 1))
    assert R.check_previous(cur, [prev]) == []
    dash = R.dashboard_data(cur, [prev])
    assert list(dash.trend_levels["year"]) == [YEAR - 1, YEAR]
    assert [c for c in dash.trend_indicators.columns if c != "indicator"] == [YEAR - 1, YEAR]
    out = R.district_report(cur, tmp_path / "r.xlsx", [prev])
    assert "Xu hướng" in openpyxl.load_workbook(out).sheetnames
    years = [r["Năm"] for r in _sheet_table(out, "Xu hướng", "Năm")]
    assert years == [str(YEAR - 1), str(YEAR)]


# --- exports --------------------------------------------------------------------------------

def test_csv_export_reads_back_one_row_per_unit_and_indicator(demo, tmp_path):
    r = CliRunner().invoke(main, ["report", str(_district(demo, "MAU-H02")), "--out", str(tmp_path / "b.csv"),
                                  "--format", "csv"])
    assert r.exit_code == 0, r.output
    back = pd.read_csv(tmp_path / "b.csv", encoding="utf-8-sig")
    assert list(back.columns) == R.COLUMNS
    assert not back.duplicated(["unit", "indicator", "year"]).any()
    assert len(back) == 6 * 15 + 13   # six communes × 15 indicators, the district's own 13
    assert set(back.loc[back["unit"] == "MAU-X0203", "receipt"]) <= {"Đã nhận", "Nộp muộn"}
    assert set(back.loc[back["unit"] == "MAU-X0204", "receipt"]) == {"Trả lại"}


def test_parquet_export_reads_back(demo, tmp_path):
    pytest.importorskip("pyarrow")
    df = R.long_table(_province(demo), children=[_inbox(demo)])
    R.export_table(df, tmp_path / "b.parquet", "parquet")
    back = pd.read_parquet(tmp_path / "b.parquet")
    assert len(back) == len(df) and not back.duplicated(["unit", "indicator", "year"]).any()
    assert back["unit"].nunique() == 1 + 2 + 12


def test_parquet_without_pyarrow_is_a_coded_message(demo, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)   # an install without the `report` extra
    r = CliRunner().invoke(main, ["report", str(_district(demo)), "--out", str(tmp_path / "b.parquet"),
                                  "--format", "parquet"])
    assert r.exit_code == 1 and "CDHT-R007" in r.output and 'cdht[report]' in r.output
    assert not (tmp_path / "b.parquet").exists()


# --- bad input ------------------------------------------------------------------------------

def _cli(*args):
    return CliRunner().invoke(main, ["report", *map(str, args)])


def test_previous_of_another_unit_tier_or_year_is_coded(demo, tmp_path):
    cur = _district(demo, "MAU-H01")
    out = tmp_path / "r.xlsx"
    cases = {"CDHT-R003": _district(demo, "MAU-H02", YEAR - 1),   # another district
             "CDHT-R004": _province(demo, YEAR - 1),              # another tier
             "CDHT-R005": _district(demo, "MAU-H01", YEAR)}       # the same year
    for code, prev in cases.items():
        r = _cli(cur, "--out", out, "--previous", prev)
        assert r.exit_code == 1 and code in r.output and "Traceback" not in r.output, (code, r.output)
        assert not out.exists()
    last = _district(demo, "MAU-H01", YEAR - 1)
    r = _cli(cur, "--out", out, "--previous", last, "--previous", last)
    assert r.exit_code == 1 and "CDHT-R006" in r.output


def test_a_parent_never_merged_says_so_instead_of_zeros(demo, tmp_path):
    blank = demo[YEAR].out / "bieu-mau" / "CDHT_2026_huyen_MAU-H01.xlsx"
    r = _cli(blank, "--out", tmp_path / "r.xlsx")
    assert r.exit_code == 0 and "CDHT-R002" in r.output
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    texts = [c for row in wb["Báo cáo"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert R.NOT_MERGED_TEXT in texts
    assert "Tình hình nộp hồ sơ" not in " ".join(texts) and "Chỉ tiêu" not in wb.sheetnames
    assert not _charts(tmp_path / "r.xlsx")   # no chart of zeros
    dash = R.dashboard_data(R.long_table(blank))
    assert dash.meta["merged"] is False and dash.meta["expected"] == 6


def test_a_commune_workbook_or_a_missing_file_is_coded(demo, tmp_path):
    commune = next((demo[YEAR].out / "nop-huyen" / "MAU-H01").glob("*.xlsx"))
    r = _cli(commune, "--out", tmp_path / "r.xlsx")
    assert r.exit_code == 1 and "CDHT-R001" in r.output
    r = _cli(tmp_path / "khong-co.xlsx", "--out", tmp_path / "r.xlsx")
    assert r.exit_code == 1 and "CDHT-W001" in r.output and "Traceback" not in r.output


def test_children_must_be_the_files_merged(demo, tmp_path):
    # the district's own merged book is not the file it sent (that copy carries the appraisal)
    df = R.long_table(_province(demo), children=[_district(demo, "MAU-H01")])
    assert [f.code for f in df.attrs["findings"]] == ["CDHT-R008"]
    assert not (df["tier"] == "xa").any()
    sent = next(_inbox(demo).glob("*MAU-H01*.xlsx"))
    copy = tmp_path / "again" / sent.name
    copy.parent.mkdir()
    shutil.copy(sent, copy)
    df = R.long_table(_province(demo), children=[sent, copy])
    assert [f.code for f in df.attrs["findings"]] == ["CDHT-R009"]
    assert df[df["tier"] == "xa"]["unit"].nunique() == 6


def test_report_does_not_modify_its_inputs(demo, tmp_path):
    path = _district(demo, "MAU-H01")
    before = path.read_bytes(), path.stat().st_mtime
    assert _cli(path, "--out", tmp_path / "r.xlsx").exit_code == 0
    assert (path.read_bytes(), path.stat().st_mtime) == before


def test_bench_script_runs_small(tmp_path, capsys):
    from scripts import bench_report
    out = bench_report.bench(40, tmp_path)
    from cdht.edition import load_edition
    province = load_edition(bench_report.EDITION).tier("tinh")
    assert out["communes"] == 40 and out["rows"] == 40 * 15 + len(province.indicators)
    assert out["received"] > 0 and out["total_s"] > 0
    assert "report: communes=40" in capsys.readouterr().out
    assert (tmp_path / "bao-cao-bo.xlsx").exists()


def test_dates_in_the_long_table_are_dates(demo):
    path = _district(demo, "MAU-H01")
    df = R.long_table(path)
    first = df[df["unit"] == "MAU-X0101"].iloc[0]
    day = _children(path)["MAU-X0101"]["Ngày nhận"]
    assert isinstance(day, dt.date) and first["received"].date() == (day.date() if isinstance(day, dt.datetime) else day)
    assert first["valid_until"].date() == dt.date(YEAR + 3, 12, 31)   # recognised for YEAR: in force to YEAR + 3


def test_two_tier_province_report_matches_its_rows(tmp_path):
    """The two-tier model (xã → tỉnh): the communes are the province's own list; no district sheet.
    Recognitions recounted from the register's rows: a decision dated 20/03 of year M + 1
    recognises year M, in force M..M+3 (the default reading), so every row is in force for 2026,
    those of 2023 and 2024 end by 31/12/2027 (expiring), those of 2026 are new."""
    from scripts import bench_report
    parent = bench_report.build_parent(tmp_path, 60)
    df = R.long_table(parent)
    assert df.attrs["tier"] == "tinh" and df.attrs["child_tier"] == "xa" and df.attrs["findings"] == []
    out = R.ministry_report(df, tmp_path / "bo.xlsx")
    table = {r["Cấp"]: r for r in _sheet_table(out, "Báo cáo", "Cấp")}
    rows = _children(parent)
    register = _list_rows(parent, L.N_REGISTER)
    best = {}
    for r in register:
        best[r["Mã đơn vị"]] = max(best.get(r["Mã đơn vị"], 0), int(r["Mức độ"]))
    want = _expected_counts(rows, best)
    got = table["cấp xã"]
    assert got["Số đơn vị"] == want["units"] == 60 and got["Đã nhận hồ sơ"] == want["received"]
    assert [got["Chưa đạt"], got["Mức độ 1"], got["Mức độ 2"]] == [want["level_0"], want["level_1"], want["level_2"]]
    assert got["Công nhận mức độ 1 (còn hiệu lực)"] == want["recognised_1"]
    assert got["Công nhận mức độ 2 (còn hiệu lực)"] == want["recognised_2"]
    recognised_year = [r["Ngày quyết định"].year - 1 for r in register]
    assert got["Công nhận mới trong năm"] == sum(y == YEAR for y in recognised_year) > 0
    assert got["Hết hiệu lực trong năm tới"] == sum(y + 3 <= YEAR + 1 for y in recognised_year) > 0
    sheets = openpyxl.load_workbook(out).sheetnames
    assert "Danh sách xã" in sheets and "Theo huyện" not in sheets and "Sắp hết hiệu lực" in sheets
    listed = _sheet_table(out, "Sắp hết hiệu lực", "Mã đơn vị")
    assert len(listed) == got["Hết hiệu lực trong năm tới"]


def test_register_evaluated_once_per_deadline_gives_the_same_standing(tmp_path):
    """The report evaluates the register with the deadlines memoised (_MemoProfile); every decision
    comes out as Decision.evaluate gives it with no profile."""
    from cdht.ops.register import read_register
    from cdht.read.submission import read_workbook_raw
    from scripts import bench_report
    sub, rb = read_workbook_raw(bench_report.build_parent(tmp_path, 60), tool_sheets=True)
    plain, _ = read_register(rb, "x", sub.edition.settings)
    memo, _ = R._decisions(rb, "x", sub)
    for d in plain:
        d.evaluate(dt.date(sub.year, 12, 31), sub.edition.settings)
    assert plain and [d.as_dict() for d in plain] == [d.as_dict() for d in memo]


def test_a_previous_year_never_merged_has_no_figures_not_zeros(demo, tmp_path):
    cur = R.long_table(_district(demo, "MAU-H01"))
    blank = R.long_table(demo[YEAR - 1].out / "bieu-mau" / f"CDHT_{YEAR - 1}_huyen_MAU-H01.xlsx")
    assert R.check_previous(cur, [blank]) == [] and blank.attrs["merged"] is False
    dash = R.dashboard_data(cur, [blank])
    last = dash.trend_levels.set_index("year").loc[YEAR - 1]
    assert not last["merged"] and pd.isna(last["self_assessed_2"]) and pd.isna(last["recognised_1"])
    assert dash.trend_indicators[YEAR - 1].isna().all() and dash.trend_indicators[YEAR].notna().all()
    out = R.district_report(cur, tmp_path / "r.xlsx", [blank])
    rows = _sheet_table(out, "Xu hướng", "Năm")
    assert [r["Năm"] for r in rows] == [str(YEAR - 1), str(YEAR)]
    assert rows[0]["Mức độ 2"] is None and rows[1]["Mức độ 2"] is not None
    wb = openpyxl.load_workbook(out)
    texts = [c for row in wb["Xu hướng"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert f"Năm chưa tổng hợp (không có số liệu): {YEAR - 1}" in texts


def test_json_summary_carries_the_dashboard_figures(demo, tmp_path):
    import json
    r = _cli(_district(demo, "MAU-H02"), "--out", tmp_path / "r.xlsx", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["merged"] is True and out["units"] == 7 and out["tier"] == "huyen"
    rows = _children(_district(demo, "MAU-H02"))
    assert out["dashboard"]["completeness"]["Trả lại"] == sum(_receipt(r) == "Trả lại" for r in rows.values())
    assert out["dashboard"]["recognitions"]["in_force"] == len(_in_force(_district(demo, "MAU-H02")))


def test_a_sample_profiles_warning_is_printed_and_the_json_stays_json(demo, tmp_path):
    """report --profile prints the profile's warnings as every command does (P013: sample data),
    on stderr; the --json summary on stdout still parses."""
    import json

    from cdht.profile import SAMPLE_THREE_TIER
    r = _cli(_district(demo, "MAU-H02"), "--out", tmp_path / "r.xlsx", "--profile", SAMPLE_THREE_TIER, "--json")
    assert r.exit_code == 0, r.output
    assert "CDHT-P013" in r.stderr and "CDHT-P013" not in r.stdout
    assert json.loads(r.stdout)["tier"] == "huyen"


def test_the_profile_gives_the_validity_reading(demo, tmp_path):
    """With a profile reading validity as 36 months from the decision (decision_months), a
    decision of 20/03/YEAR+1 is valid to 20/03/YEAR+4, not to 31/12/YEAR+3 (the default)."""
    import yaml
    src = Path(__file__).resolve().parents[1] / "cdht" / "catalogue" / "profiles" / "kien-giang-2024-mau.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["readings"]["validity"] = "decision_months"
    prof_path = tmp_path / "profile.yaml"
    prof_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path = _district(demo, "MAU-H01")
    r = _cli(path, "--out", tmp_path / "b.csv", "--format", "csv", "--profile", prof_path)
    assert r.exit_code == 0, r.output
    back = pd.read_csv(tmp_path / "b.csv", encoding="utf-8-sig", parse_dates=["valid_until"])
    until = set(back.loc[back["unit"] == "MAU-X0101", "valid_until"].dt.date)
    assert until == {dt.date(YEAR + 4, 3, 20)}
    default = R.long_table(path)
    assert set(default.loc[default["unit"] == "MAU-X0101", "valid_until"].dt.date) == {dt.date(YEAR + 3, 12, 31)}
    assert "CDHT-P001" in _cli(path, "--out", tmp_path / "c.csv", "--profile", tmp_path / "none.yaml").output


@pytest.mark.oracle
def test_libreoffice_draws_the_reports_charts(demo, tmp_path):
    """LibreOffice opens the Ministry report and draws each native chart (HTML export writes one
    picture per chart) over the numbers of the report's own tables."""
    import os
    import re
    import subprocess
    import tempfile

    from scripts.libreoffice import soffice_path

    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = R.ministry_report(R.long_table(_province(demo), children=[_inbox(demo)]), tmp_path / "bo.xlsx")
    profile = Path(tempfile.mkdtemp(prefix="cdht-lo-report-"))
    try:
        proc = subprocess.run([soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                               "--convert-to", "html", "--outdir", str(tmp_path / "html"), str(out)],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(profile)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    page = tmp_path / "html" / "bo.html"
    assert page.is_file(), proc.stderr
    pictures = re.findall(r'<img src="([^"]+\.png)"', page.read_text(encoding="utf-8", errors="replace"))
    assert len(pictures) == len(_charts(out)) == 3
    assert all((tmp_path / "html" / p).stat().st_size > 2000 for p in pictures)   # drawn, not empty frames
