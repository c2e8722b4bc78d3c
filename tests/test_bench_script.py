"""scripts/bench.py keeps working (its numbers are read by people, not asserted here: the guide
keeps timing out of tests). Tiny merge runs check the corpus it builds is accepted whole, that
copies under other identities are distinct units, and that the whole command is what is timed."""
from __future__ import annotations

import zipfile

import pytest

from scripts import bench


def _units(folder):
    from cdht.read.submission import read_workbook
    subs = [read_workbook(p) for p in sorted(folder.glob("*.xlsx"))]
    return [(s.unit_code, s.unit_name, s.sha256, s.tampered) for s in subs]


def test_merge_benchmark_times_the_whole_command(tmp_path, capsys):
    """On openpyxl-written sources (no LibreOffice here: fast), replicated past the corpus size."""
    corpus = bench.merge_corpus(2, tmp_path / "corpus")
    out = bench.bench_merge(5, tmp_path, repeat=1, corpus=corpus)
    assert out["files"] == 5 and out["all_accepted"] is True and out["runs"] == 1
    assert out["bare_s"] > 0 and out["dry_run_s"] > 0 and out["merge_s"] > 0
    assert out["cpu"]["dry"] > 0 and out["cpu"]["merge"] > 0  # the commands' own CPU, workers included
    assert {"dry_ratio", "merge_ratio", "cpu_ratios", "ranges", "targets_met"} <= set(out)
    written = tmp_path / "n5" / "run0" / "tong-hop.xlsx"  # the timed merge really wrote its parent
    assert written.read_bytes() != corpus[0].read_bytes()
    line = capsys.readouterr().out
    assert "merge: files=5" in line and "targets:" in line and "CPU:" in line


def test_replicated_copies_are_distinct_intact_units(tmp_path):
    _, inbox = bench.merge_corpus(2, tmp_path / "corpus")
    bench.replicate(inbox, 5, tmp_path / "copies")
    units = _units(tmp_path / "copies")
    assert [u[0] for u in units] == [bench._code(k) for k in range(1, 6)]
    assert [u[1] for u in units] == [bench._name(k) for k in range(1, 6)]
    assert len({u[2] for u in units}) == 5 and not any(u[3] for u in units)


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


@pytest.mark.oracle
@pytest.mark.slow
def test_resaved_corpus_is_written_by_libreoffice_and_accepted(tmp_path):
    from scripts.libreoffice import soffice_path
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    parent, lo = bench.resaved_corpus(tmp_path / "cache", distinct=2)
    files = sorted(lo.glob("*.xlsx"))
    assert len(files) == 2
    with zipfile.ZipFile(files[0]) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")
    assert bench.resaved_corpus(tmp_path / "cache", distinct=2) == (parent, lo)  # built once
    out = bench.bench_merge(3, tmp_path, repeat=1, corpus=(parent, lo))
    assert out["all_accepted"] is True
    assert not any(u[3] for u in _units(tmp_path / "n3" / "inbox"))
