"""scripts/bench.py keeps working (its numbers are read by people, not asserted here: the guide
keeps timing out of tests). A tiny merge run checks the corpus it builds is accepted whole."""
from __future__ import annotations

from scripts import bench


def test_merge_benchmark_runs_on_a_small_corpus(tmp_path, capsys):
    out = bench.bench_merge(6, tmp_path)
    assert out["files"] == 6 and out["all_accepted"] is True
    assert out["bare_s"] > 0 and out["dry_run_s"] > 0 and out["merge_s"] > 0
    assert {"dry_ratio", "merge_ratio", "targets_met"} <= set(out)
    line = capsys.readouterr().out
    assert "merge: files=6" in line and "targets:" in line


def test_benchmark_corpus_keeps_the_evidence_register_typeable(tmp_path):
    """The corpus is written the way a commune types: evidence cells keep their row's protection."""
    import openpyxl

    from cdht import contract as L
    _, inbox = bench.merge_corpus(1, tmp_path)
    wb = openpyxl.load_workbook(next(inbox.glob("*.xlsx")))
    ws = wb[L.SHEET_EVIDENCE]
    first = L.HEADER_ROW + 1
    assert ws.cell(first, 1).value and not ws.cell(first, 1).protection.locked
    wb.close()
