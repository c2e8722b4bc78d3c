"""Build the real cdht.xlam into a temporary folder and read it back.

VBA is read with oletools' olevba (independent of pyOpenVBA, which writes it);
the ribbon with zipfile and ElementTree.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xlwings
from oletools.olevba import VBA_Parser

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("addin") is None:  # not installed with `pip install -e .` yet
    sys.path.insert(0, str(REPO_ROOT))

from cdht_addin import build_xlam as xlam  # noqa: E402

EXPECTED_ENTRY_POINTS = [
    "tinh_muc_do",
    "kiem_tra_minh_chung",
    "gop_bao_cao",
    "xuat_ban_tong_hop",
    "chuyen_mau_nam",
    "tao_ho_so",
    "gioi_thieu",
]
TAB_LABEL = "Cộng đồng học tập"
RIBBON_MODULE = "RibbonCDHT"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RUNPYTHON = re.compile(r'RunPython\s+"import cdht_addin; cdht_addin\.(\w+)\(')
SUB_BLOCK = re.compile(
    r"^[ \t]*(?:Public[ \t]+|Private[ \t]+)?Sub[ \t]+(\w+)[ \t]*\(([^)]*)\)(.*?)^[ \t]*End Sub",
    re.M | re.S | re.I,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return xlam.build_addin(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def vba_modules(built: Path) -> dict[str, str]:
    """Module name -> source, as olevba reads them from the built file."""
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def ribbon(built: Path) -> ET.Element:
    """Root of the ribbon part that the package's root relationship points to."""
    with zipfile.ZipFile(built) as z:
        rels = ET.fromstring(z.read("_rels/.rels"))
        targets = [r.get("Target") for r in rels.iter(f"{{{RELS_NS}}}Relationship")
                   if r.get("Type") == xlam.CUSTOMUI_REL_TYPE]
        assert len(targets) == 1
        return ET.fromstring(z.read(targets[0].lstrip("/")))


def _subs(source: str) -> dict[str, tuple[str, str]]:
    """Sub name (lower case) -> (parameter list, body)."""
    return {name.lower(): (params, body) for name, params, body in SUB_BLOCK.findall(source)}


def _buttons(ribbon: ET.Element) -> list[ET.Element]:
    return list(ribbon.iter(f"{{{xlam.CUSTOMUI_NS}}}button"))


def test_built_file_name_and_location(built: Path) -> None:
    assert built.name == "cdht.xlam"
    assert built.is_file()
    assert zipfile.is_zipfile(built)


@pytest.mark.oracle
def test_modules_present_and_ascii(vba_modules: dict[str, str]) -> None:
    assert RIBBON_MODULE in vba_modules
    assert "xlwings" in vba_modules
    assert "RibbonMyAddin" not in vba_modules  # the template's example is gone
    for name, source in vba_modules.items():
        assert source.isascii(), f"VBA module {name} is not ASCII"


@pytest.mark.oracle
def test_xlwings_module_version_and_project(vba_modules: dict[str, str]) -> None:
    source = vba_modules["xlwings"]
    versions = re.findall(r'^Public Const XLWINGS_VERSION As String = "([^"]*)"', source, re.M)
    assert versions == [xlwings.__version__]
    assert xlam.XLWINGS_VERSION == xlwings.__version__
    projects = re.findall(r'^Public Const PROJECT_NAME As String = "([^"]*)"', source, re.M)
    assert projects == ["cdht"]
    assert "Public Function RunPython(" in source


def test_customui_part_and_relationship(built: Path) -> None:
    with zipfile.ZipFile(built) as z:
        assert xlam.CUSTOMUI_PART in z.namelist()
        rels = ET.fromstring(z.read("_rels/.rels"))
        ribbon_rels = [r for r in rels.iter(f"{{{RELS_NS}}}Relationship")
                       if r.get("Type") == xlam.CUSTOMUI_REL_TYPE]
        assert [r.get("Target").lstrip("/") for r in ribbon_rels] == [xlam.CUSTOMUI_PART]
        content_types = z.read("[Content_Types].xml").decode("utf-8")
        assert 'Extension="xml"' in content_types or f'PartName="/{xlam.CUSTOMUI_PART}"' in content_types
        assert z.read(xlam.CUSTOMUI_PART) == (REPO_ROOT / "macros" / "customUI.xml").read_bytes()


def test_ribbon_tab_label(ribbon: ET.Element) -> None:
    assert ribbon.tag == f"{{{xlam.CUSTOMUI_NS}}}customUI"
    tabs = list(ribbon.iter(f"{{{xlam.CUSTOMUI_NS}}}tab"))
    assert [tab.get("label") for tab in tabs] == [TAB_LABEL]
    assert len(_buttons(ribbon)) == len(EXPECTED_ENTRY_POINTS)


@pytest.mark.oracle
def test_every_button_calls_runpython_of_an_entry_point(
    ribbon: ET.Element, vba_modules: dict[str, str]
) -> None:
    for button in _buttons(ribbon):
        action = button.get("onAction")
        assert action, f"button {button.get('id')} has no onAction"
        module, _, sub = action.rpartition(".")
        module = module or RIBBON_MODULE
        assert module in vba_modules, f"{action}: no VBA module {module}"
        subs = _subs(vba_modules[module])
        assert sub.lower() in subs, f"{action}: no Sub {sub} in {module}"
        params, body = subs[sub.lower()]
        assert re.fullmatch(r"\s*(ByRef\s+)?control\s+As\s+IRibbonControl\s*", params, re.I), params
        called = RUNPYTHON.findall(body)
        assert len(called) == 1, f"{action}: expected one RunPython call, got {called}"
        assert called[0] in EXPECTED_ENTRY_POINTS
        assert button.get("label") and button.get("imageMso") and button.get("supertip")


@pytest.mark.oracle
def test_runpython_names_are_exactly_the_entry_points(
    ribbon: ET.Element, vba_modules: dict[str, str]
) -> None:
    in_vba = RUNPYTHON.findall(vba_modules[RIBBON_MODULE])
    assert sorted(in_vba) == sorted(EXPECTED_ENTRY_POINTS)
    in_ribbon = []
    for button in _buttons(ribbon):
        module, _, sub = button.get("onAction").rpartition(".")
        _, body = _subs(vba_modules[module or RIBBON_MODULE])[sub.lower()]
        in_ribbon += RUNPYTHON.findall(body)
    assert sorted(in_ribbon) == sorted(EXPECTED_ENTRY_POINTS)


@pytest.mark.oracle
def test_folder_picker_quotes_path_for_python(vba_modules: dict[str, str]) -> None:
    _, body = _subs(vba_modules[RIBBON_MODULE])["gopbaocao"]
    assert "Application.FileDialog(" in body
    assert 'Replace(folder, "\\", "\\\\")' in body
    assert "Replace(folder, \"'\", \"\\'\")" in body
    assert "RunPython \"import cdht_addin; cdht_addin.gop_bao_cao('\" & folder & \"')\"" in body


def test_renamed_from_template(built: Path) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(built) as book:
        assert book.vba_project().name == "CDHT"
        assert book.validate() == []
    with zipfile.ZipFile(built) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
        assert 'name="_cdht.conf"' in workbook
        assert "myaddin" not in workbook.lower()
        assert "MyAddin" not in z.read(xlam.CUSTOMUI_PART).decode("utf-8")


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    again = xlam.build_addin(tmp_path)
    assert again.read_bytes() == built.read_bytes()


def test_missing_macros_dir_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="macros"):
        xlam.build_addin(tmp_path / "out", macros_dir=tmp_path / "khong_co")
    assert not (tmp_path / "out" / "cdht.xlam").exists()


def test_version_mismatch_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlam, "XLWINGS_VERSION", "0.0.1")
    with pytest.raises(xlam.XlwingsVersionError, match="0.0.1"):
        xlam.build_addin(tmp_path)
    assert not (tmp_path / "cdht.xlam").exists()


def test_non_ascii_vba_is_refused(tmp_path: Path) -> None:
    macros = tmp_path / "macros"
    macros.mkdir()
    source = (REPO_ROOT / "macros" / "cdht.bas").read_text("ascii")
    (macros / "cdht.bas").write_text(source + "' Tính mức độ\n", encoding="utf-8")
    (macros / "customUI.xml").write_bytes((REPO_ROOT / "macros" / "customUI.xml").read_bytes())
    with pytest.raises(xlam.AddinBuildError, match="ASCII"):
        xlam.build_addin(tmp_path / "out", macros_dir=macros)


def test_entry_points_exist() -> None:
    """Fails until the addin package defines the five entry points (intended)."""
    import cdht_addin as addin

    missing = [fn for fn in EXPECTED_ENTRY_POINTS if not callable(getattr(addin, fn, None))]
    assert not missing, f"addin lacks callables: {missing}"


def test_build_without_the_addin_extra_says_what_to_install(monkeypatch, tmp_path):
    """A core install (no xlwings) asked to build the add-in gets a coded message, no traceback."""
    from click.testing import CliRunner

    from cdht.cli.main import main

    monkeypatch.setitem(sys.modules, "xlwings", None)  # as if the addin extra were not installed
    r = CliRunner().invoke(main, ["addin", "build", "--out", str(tmp_path)])
    assert r.exit_code == 1
    assert "[CDHT-A006]" in r.output and 'cdht[addin-build]' in r.output and "xlwings" in r.output
    assert not list(tmp_path.iterdir())


@pytest.mark.oracle
def test_export_button_says_what_it_does(ribbon: ET.Element) -> None:
    """"Xuất bản tổng hợp" exports the summary sheet to PDF (cdht_addin.buttons.xuat_ban_tong_hop):
    its tooltip says so and promises no Excel file."""
    button = next(b for b in _buttons(ribbon) if b.get("onAction", "").endswith("XuatBanTongHop"))
    tip = f"{button.get('screentip')} {button.get('supertip')}"
    assert "PDF" in tip and "Bản tổng hợp" in tip and "tệp Excel" not in tip
