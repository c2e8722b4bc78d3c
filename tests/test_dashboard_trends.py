""""Tổng quan" over the years and by district (issue 16): ``cdht merge --previous`` adds the earlier
years' merged parents to the trend blocks, a later merge without it keeps them, a wrong previous
book is a coded finding that never stops the merge, and a province over districts counts each
district's communes. Every number is recomputed here from the rows of the books themselves
("Đơn vị cấp dưới" of this year's and last year's parents, and of each district)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from cdht import contract as L
from cdht.cli.demo import run_demo
from cdht.xlsx.names import named_bounds
from tests.support.cli import run
from tests.test_dashboard import _children, _labels, _receipt

YEAR = 2026
pytestmark = pytest.mark.slow  # builds the demo province twice (two years)

_GOT = (L.Status.RECEIVED.value, L.Status.LATE.value)
_WORDS = {"Chưa đạt": 0, "Mức độ 1": 1, "Mức độ 2": 2}


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    base = tmp_path_factory.mktemp("trends")
    return {y: run_demo(base / str(y), y) for y in (YEAR - 1, YEAR)}


def _block(wb, name: str) -> list[list]:
    ws, r1, c1, r2, c2 = named_bounds(wb, name)
    return [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def _rows(path: Path) -> list[dict]:
    return _children(openpyxl.load_workbook(path))


def _self_levels(rows: list[dict]) -> list[int]:
    got = [r for r in rows if _receipt(r) in _GOT]
    return [sum(_WORDS.get(r["Mức độ tự đánh giá"]) == k for r in got) for k in (0, 1, 2)]


def _rate(rows: list[dict], ind: str):
    verdicts = [r[ind] for r in rows if r[ind] in ("MĐ1", "MĐ2", "Không đạt")]
    return round(100 * sum(v in ("MĐ1", "MĐ2") for v in verdicts) / len(verdicts), 1) if verdicts else None


def _in_force(path: Path) -> dict[str, int]:
    """Each unit's best level among the register rows the merge marked in force ("Có")."""
    wb = openpyxl.load_workbook(path)
    best: dict[str, int] = {}
    for unit, _, level, *rest in _block(wb, L.N_REGISTER):
        if unit not in (None, "") and rest[4] == "Có":
            best[unit] = max(best.get(unit, 0), int(level))
    return best


def _copy(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, folder / path.name))


def _merge(*args) -> dict:
    res = run("merge", *args, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_a_district_shows_last_year_beside_this_year(years, tmp_path):
    last, now = years[YEAR - 1], years[YEAR]
    code = "MAU-H02"
    parent = _copy(now.districts[code], tmp_path)
    out = _merge(parent, now.out / "nop-huyen" / code, "--previous", last.districts[code])
    assert out["written"] and not [f for f in out["findings"] if f["code"].startswith("CDHT-R")]
    wb = openpyxl.load_workbook(parent)
    trend = _block(wb, L.N_OV_TREND_LEVELS)
    assert [r[0] for r in trend] == [str(YEAR - 1), str(YEAR), None, None, None]
    levels = _block(wb, L.N_OV_LEVELS)  # this year's row is the levels block of this year
    assert trend[1][1:] == [lv[0] for lv in levels] + [levels[1][1], levels[2][1]]
    last_rows, now_rows = _rows(last.districts[code]), _rows(parent)
    assert trend[0][1:4] == _self_levels(last_rows) and trend[1][1:4] == _self_levels(now_rows)
    assert _block(wb, L.N_OV_TREND_YEARS) == [[str(YEAR - 1), str(YEAR), None, None, None]]
    for ind, row in zip(_labels(wb, L.N_OV_TREND_INDICATORS), _block(wb, L.N_OV_TREND_INDICATORS)):
        assert row[:2] == [_rate(last_rows, ind), _rate(now_rows, ind)], ind
        assert row[2:] == [None] * 3

    # a later merge (the ribbon's, or the command's) without --previous keeps last year's figures
    again = _merge(parent, now.out / "nop-huyen" / code)
    assert again["written"]
    wb2 = openpyxl.load_workbook(parent)
    assert _block(wb2, L.N_OV_TREND_LEVELS) == trend
    assert _block(wb2, L.N_OV_TREND_INDICATORS) == _block(wb, L.N_OV_TREND_INDICATORS)


def test_a_wrong_previous_book_is_a_coded_finding_and_the_merge_goes_on(years, tmp_path):
    last, now = years[YEAR - 1], years[YEAR]
    parent = _copy(now.districts["MAU-H01"], tmp_path)
    out = _merge(parent, now.out / "nop-huyen" / "MAU-H01",
                 "--previous", last.province,                    # another tier
                 "--previous", last.districts["MAU-H02"],        # another district
                 "--previous", now.districts["MAU-H01"])         # the same year
    assert out["written"]
    assert sorted(f["code"] for f in out["findings"] if f["code"].startswith("CDHT-R")) == [
        "CDHT-R003", "CDHT-R004", "CDHT-R005"]
    wb = openpyxl.load_workbook(parent)
    assert [r[0] for r in _block(wb, L.N_OV_TREND_LEVELS)] == [str(YEAR), None, None, None, None]


def test_the_province_counts_each_districts_communes(years, tmp_path):
    now = years[YEAR]
    wb = openpyxl.load_workbook(now.province)
    block = [r for r in _block(wb, L.N_OV_DISTRICTS) if r[0] not in (None, "")]
    assert [r[0] for r in block] == sorted(now.districts)
    assert len(_block(wb, L.N_OV_DISTRICTS)) == len(now.districts)  # one row per registry district
    for row in block:
        district = now.districts[row[0]]
        rows = _rows(district)
        got = [r for r in rows if _receipt(r) in _GOT]
        best = _in_force(district)
        assert row[2:] == [len(rows), len(got), *_self_levels(rows),
                           sum(best.get(r["Mã đơn vị"]) == 1 for r in rows),
                           sum(best.get(r["Mã đơn vị"]) == 2 for r in rows)], row[0]
    districts = {r["Mã đơn vị"]: r["Tên đơn vị"] for r in _rows(now.province)}
    assert {r[0]: r[1] for r in block} == districts
    district_wb = openpyxl.load_workbook(now.districts["MAU-H01"])
    assert L.N_OV_DISTRICTS not in district_wb.defined_names  # a district's communes have no lower units


def test_a_district_not_in_this_merges_folder_keeps_its_counts(years, tmp_path):
    """Nothing is lost (issue 18): a district merged before whose file is not in the folder this
    time keeps its row in "Đơn vị cấp dưới" and its counts in the per-district block, instead of
    the blank counts of a district never read; the district that is in the folder is counted anew."""
    now = years[YEAR]
    parent = _copy(now.province, tmp_path / "tinh")
    wb = openpyxl.load_workbook(parent)
    before = {r[0]: r for r in _block(wb, L.N_OV_DISTRICTS) if r[0] not in (None, "")}
    assert len(before) >= 2 and all(isinstance(r[2], int) for r in before.values())
    first, *others = sorted(now.districts)
    inbox = tmp_path / "inbox"
    _copy(now.out / "nop-tinh" / now.districts[first].name, inbox)
    out = _merge(parent, inbox)
    assert out["written"]
    after = {r[0]: r for r in _block(openpyxl.load_workbook(parent), L.N_OV_DISTRICTS) if r[0] not in (None, "")}
    assert after == before
    assert [c["district"] for c in out["communes"]] == [first] * len(out["communes"])  # only it was read
    assert {r["Mã đơn vị"] for r in _rows(parent) if _receipt(r) in _GOT} >= set(others)
