"""Without python-calamine (xlwings Lite runs in Pyodide, which has no wheel for it) the raw read
falls back to openpyxl for values and gives the same submission, fingerprint and level."""
import sys

from cdht.ops.assess import check
from cdht_generator.api import generate
from cdht.edition import load_edition
from tests.corpus import PASSING
from cdht.fill import fill


def test_openpyxl_fallback_reads_the_same(tmp_path, monkeypatch):
    path = fill(generate(load_edition(), "xa", 2026, tmp_path / "t")[0], tmp_path / "x.xlsx", PASSING["xa"])
    with_calamine = check(path)
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # import now raises ImportError
    without = check(path)
    assert without.level == with_calamine.level == 2
    assert without.sub.values == with_calamine.sub.values
    assert not without.sub.tampered and not with_calamine.sub.tampered
    assert [f.code for f in without.findings] == [f.code for f in with_calamine.findings]
