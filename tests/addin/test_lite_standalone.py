"""xlwings Lite as documented (docs/addin-install.md): ``addin/lite/main.py`` is pasted alone into
Lite's editor and ``addin/lite/requirements.txt`` into its requirements tab.

The file's source is executed here outside the package (no ``cdht_addin.lite`` parent, as Lite
runs it) and every ``@script`` it defines is run on a remote-engine book under the strict Excel
double; ``/data`` (Lite's Files panel) is a folder of real child workbooks."""
from __future__ import annotations

import ast
import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.support import xlwings_remote
from tests.support.strict_excel import StrictBook

import xlwings as xw  # noqa: E402  (after xlwings_remote: licence key)

import cdht
from cdht import contract as L
from cdht import rules as R
from cdht.edition import load_edition
from cdht.fill import evidence_for, fill
from cdht.units import SAMPLE_UNITS, read_units
from cdht_generator.api import generate

pytestmark = pytest.mark.oracle
LITE = Path(__file__).resolve().parents[2] / "addin" / "lite"
EDITION = load_edition(None)
YEAR = 2025
UNITS, _ = read_units(SAMPLE_UNITS)


def _scripts(source: str) -> list[str]:
    """The functions main.py decorates with ``@script`` (Lite's buttons)."""
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
            and any((d.id if isinstance(d, ast.Name) else getattr(d, "attr", "")) == "script"
                    for d in node.decorator_list)]


def _pasted_alone() -> dict:
    """main.py executed as Lite runs it: a top-level module named ``main``, no parent package."""
    source = (LITE / "main.py").read_text(encoding="utf-8")
    namespace = {"__name__": "main", "__file__": "main.py", "__package__": None}
    exec(compile(source, "main.py", "exec"), namespace)  # noqa: S102 - the file under test
    return namespace


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    root = tmp_path_factory.mktemp("lite")
    tier = EDITION.tier("xa")
    values = {f.key: R.DAT for f in tier.fields.values() if f.type == "verdict"}
    values.update({"tong_so_cong_dan": 1000, "vung_kho_khan": R.KHONG, "xa_4_2": 3, "xa_4_3": 3, "xa_4_4": 2,
                   "xa_5_1_so_cong_dan_hoc_tap": 800, "xa_5_2_so_duoc_dao_tao": 600, "xa_5_2_so_dai_hoc": 150})
    data = root / "data"
    for code in ("MAU-X0101", "MAU-X0102"):
        template = generate(EDITION, "xa", YEAR, root / "mau", units=UNITS, unit_code=code)[0]
        fill(template, data / template.name, values, evidence_for(tier, dt.date(YEAR, 6, 1)))
    parent = generate(EDITION, "huyen", YEAR, root / "mau", units=UNITS, unit_code="MAU-H01")[0]
    return {"xa": data / f"CDHT_{YEAR}_xa_MAU-X0101.xlsx", "huyen": parent, "data": data}


def test_requirements_name_the_cdht_wheel():
    lines = [line.strip() for line in (LITE / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    wheel = f"cdht-{cdht.__version__}-py3-none-any.whl"
    assert [line for line in lines if line.endswith("/" + wheel)], lines
    assert f"xlwings=={xw.__version__}" in lines


def test_main_py_defines_the_three_buttons():
    assert _scripts((LITE / "main.py").read_text(encoding="utf-8")) == [
        "tinh_muc_do", "kiem_tra_minh_chung", "gop_bao_cao"]


@pytest.mark.parametrize("kind", ["xa", "huyen"])
@pytest.mark.parametrize("button", _scripts((LITE / "main.py").read_text(encoding="utf-8")))
def test_every_button_of_main_py_pasted_alone(workbooks, tmp_path, kind, button):
    namespace = _pasted_alone()
    namespace["DATA"] = workbooks["data"]  # Lite's Files panel (/data)
    path = shutil.copy(workbooks[kind], tmp_path / workbooks[kind].name)
    book = StrictBook(xw.Book(json=xlwings_remote.payload_from_xlsx(path)), path)
    before = book.protection()
    namespace[button](book)
    actions = xlwings_remote.actions(book)
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1 and "Traceback" not in alerts[0]
    results = [a for a in actions if a["func"] == "setValues"]
    assert results, f"{button} wrote nothing"
    if button == "gop_bao_cao":
        assert "Đã đọc 2 tệp" in alerts[0]
        texts = [v for a in results for row in a["values"] for v in row]
        assert any(isinstance(v, str) and "Mức độ" in v for v in texts)
    else:
        assert "Mức độ (tính lại từ số liệu)" in alerts[0]
    sheets = [s.name for s in book.sheets]
    assert {a["sheet_position"] for a in results} == {sheets.index(L.SHEET_RESULTS)}
    assert book.protection() == before
