"""The "Tổng quan" sheet of a merged parent (issue 16): the merge fills it, its numbers match the
merged rows (recomputed here from "Đơn vị cấp dưới" and by cdht.ops.report), it is the sheet the
book opens on, its charts are native, and LibreOffice opens and draws the merged parent."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cdht import contract as L
from cdht.cli.demo import run_demo
from cdht.ops import report as R
from cdht.xlsx.names import named_bounds

YEAR = 2026
pytestmark = pytest.mark.slow  # builds the demo province


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("dashboard-demo") / str(YEAR), YEAR)


def _block(wb, name: str) -> list[list]:
    ws, r1, c1, r2, c2 = named_bounds(wb, name)
    return [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def _labels(wb, name: str) -> list:
    ws, r1, _, r2, _ = named_bounds(wb, name)
    return [ws.cell(r, 1).value for r in range(r1, r2 + 1)]


def _children(wb) -> list[dict]:
    ws, r1, c1, _, c2 = named_bounds(wb, L.N_CHILDREN)
    header = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=r1 + 1, min_col=c1, max_col=c2, values_only=True)
            if row[0] not in (None, "")]


def _receipt(row: dict) -> str:
    s = row["Trạng thái"]
    if s in (None, "", L.Status.NOT_SUBMITTED.value):
        return L.Status.NOT_SUBMITTED.value
    if s in (L.Status.RETURNED.value, L.Status.LATE.value):
        return s
    return L.Status.LATE.value if row["Đúng hạn"] == "Không" else L.Status.RECEIVED.value


def _parents(demo) -> list[Path]:
    return [*demo.districts.values(), demo.province]


def test_every_merged_parent_opens_on_its_overview_with_native_charts(demo):
    for path in _parents(demo):
        wb = openpyxl.load_workbook(path)
        assert wb.active.title == L.SHEET_OVERVIEW, path.name
        assert not wb[L.SHEET_OVERVIEW].protection.sheet  # a tool sheet: both writers may fill it
        assert str(wb[L.SHEET_OVERVIEW]["A3"].value).startswith("Cập nhật 2")
        wb.close()
        with zipfile.ZipFile(path) as z:
            charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
        # completeness, levels, indicators (stacked), levels by year (stacked) and, on a province
        # over districts, communes by district (stacked)
        over_districts = path == demo.province
        assert len(charts) == (5 if over_districts else 4) and all("barChart>" in c for c in charts)
        assert sum('grouping val="stacked"' in c for c in charts) == (3 if over_districts else 2)
        assert all(f"'{L.SHEET_OVERVIEW}'!" in c for c in charts)  # bound to the sheet's own cells


def test_overview_numbers_are_recomputed_from_the_merged_rows(demo):
    for path in _parents(demo):
        wb = openpyxl.load_workbook(path, data_only=True)
        rows = _children(wb)
        n = len(rows)
        receipts = [_receipt(r) for r in rows]
        got = [r for r, s in zip(rows, receipts) if s in (L.Status.RECEIVED.value, L.Status.LATE.value)]
        want = [n, len(got)] + [receipts.count(s.value) for s in
                                (L.Status.RECEIVED, L.Status.LATE, L.Status.RETURNED, L.Status.NOT_SUBMITTED)]
        block = _block(wb, L.N_OV_COMPLETENESS)
        assert _labels(wb, L.N_OV_COMPLETENESS) == L.OVERVIEW_COMPLETENESS
        assert [b[0] for b in block] == want and n > 0, path.name
        assert [b[1] for b in block] == [round(100 * c / n, 1) for c in want]
        words = {"Chưa đạt": 0, "Mức độ 1": 1, "Mức độ 2": 2}
        levels = _block(wb, L.N_OV_LEVELS)
        assert [lv[0] for lv in levels] == [sum(words.get(r["Mức độ tự đánh giá"]) == k for r in got) for k in (0, 1, 2)]
        inds = _labels(wb, L.N_OV_INDICATORS)
        for ind, (units, l2, l1, fail, rate1, rate2) in zip(inds, _block(wb, L.N_OV_INDICATORS)):
            verdicts = [r[ind] for r in rows if r[ind] in ("MĐ1", "MĐ2", "Không đạt")]
            assert [units, l2, l1, fail] == [len(verdicts), verdicts.count("MĐ2"), verdicts.count("MĐ1"),
                                             verdicts.count("Không đạt")], (path.name, ind)
            assert rate1 == (round(100 * (l1 + l2) / units, 1) if units else 0.0)
            assert rate2 == (round(100 * l2 / units, 1) if units else 0.0)

        # the same figures as cdht report's dashboard (pandas, by its own reading of the book)
        dash = R.dashboard_data(R.long_table(path))
        c = dict(zip(dash.completeness["item"], dash.completeness["count"]))
        assert [c[k] for k in L.OVERVIEW_COMPLETENESS[1:]] == want[1:]
        lv = dash.levels.set_index("level")
        assert [[int(lv.loc[k, "self_assessed"]), int(lv.loc[k, "recognised"])] for k in (0, 1, 2)] == levels
        rec = dash.recognitions
        assert [r[0] for r in _block(wb, L.N_OV_RECOGNITIONS)] == [rec["in_force_level1"], rec["in_force_level2"],
                                                                   rec["newly_recognised"], rec["expiring"]]
        rates = dash.indicators.set_index("indicator")
        for ind, row in zip(inds, _block(wb, L.N_OV_INDICATORS)):
            if ind in rates.index:
                r = rates.loc[ind]
                assert row[:2] == [int(r["units"]), int(r["pass_level2"])] and row[1] + row[2] == int(r["pass_level1"])
                assert row[4:] == [float(r["rate_level1"]), float(r["rate_level2"])]
        expiring = [e for e in _block(wb, L.N_OV_EXPIRING) if e[0] not in (None, "")]
        assert sorted(e[0] for e in expiring) == sorted(dash.expiring["unit"])
        wb.close()


@pytest.mark.oracle
def test_libreoffice_opens_the_merged_parent_and_draws_its_overview(demo, tmp_path):
    from scripts.libreoffice import soffice_path

    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path = next(iter(demo.districts.values()))
    profile = Path(tempfile.mkdtemp(prefix="cdht-lo-dashboard-"))
    try:
        proc = subprocess.run([soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                               "--convert-to", "html", "--outdir", str(tmp_path / "html"), str(path)],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(profile)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    page = tmp_path / "html" / (path.stem + ".html")
    assert page.is_file(), proc.stderr
    text = page.read_text(encoding="utf-8", errors="replace")
    assert L.SHEET_OVERVIEW in text
    pictures = re.findall(r'<img src="([^"]+\.png)"', text)
    assert len(pictures) >= 3
    assert all((tmp_path / "html" / p).stat().st_size > 2000 for p in pictures)  # drawn, not empty frames


def test_a_parent_older_than_the_dashboard_is_merged_without_it(demo):
    """A parent issued before "Tổng quan" existed has none of its names: the file writer leaves
    it as it is (no sheet added, no error) and still writes everything else."""
    from cdht.ops.merge import Placement, SheetUpdate, write_updates
    from cdht.ops.results_sheet import load_for_write

    wb = load_for_write(next(iter(demo.districts.values())))
    for name in [n for n in wb.defined_names if n.startswith("tq_")]:
        del wb.defined_names[name]
    del wb[L.SHEET_OVERVIEW]
    wb.active = 0
    sheets = list(wb.sheetnames)
    write_updates(wb, [SheetUpdate(L.N_OV_COMPLETENESS, Placement.BLOCK, [[1, 50.0]] * 6, 2),
                       SheetUpdate(L.N_CHILDREN, Placement.SUMMARY, [["Đầy đủ: thử"]])])
    assert wb.sheetnames == sheets and wb.active.title == sheets[0]
    assert wb[L.SHEET_CHILDREN]["A2"].value == "Đầy đủ: thử"
