"""``cdht addin install`` / ``uninstall`` on Linux against a made-up Windows profile folder whose
user name has Vietnamese letters and spaces (``--profile-dir``); the files it leaves are read the
way xlwings' VBA reads them (ANSI code page, ``"KEY","value"`` lines)."""
from __future__ import annotations

import sys

import pytest

from tests.support.cli import run

from cdht_addin import install as I

pytestmark = pytest.mark.oracle
USER = "Nguyễn Văn A"


@pytest.fixture
def profile(tmp_path):
    """C:\\Users\\Nguyễn Văn A with Python installed for that user (python.org's default folder)."""
    home = tmp_path / "Users" / USER
    python = home / "AppData" / "Local" / "Programs" / "Python" / "Python311" / "pythonw.exe"
    python.parent.mkdir(parents=True)
    python.write_bytes(b"MZ")
    return home, python


@pytest.fixture(scope="module")
def xlam(tmp_path_factory):
    from cdht_addin.build_xlam import build_addin
    return build_addin(tmp_path_factory.mktemp("dist"))


def _xlstart(home):
    return home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"


def test_install_puts_the_addin_in_xlstart_and_the_interpreter_in_the_ansi_settings_file(profile, xlam):
    home, python = profile
    res = run("addin", "install", "--xlam", xlam, "--profile-dir", home, "--python", python, "--codepage", "cp1258")
    assert res.exit_code == 0, res.output
    installed = _xlstart(home) / "cdht.xlam"
    assert installed.read_bytes() == xlam.read_bytes()
    conf = home / ".cdht" / "cdht.conf"
    raw = conf.read_bytes()
    # what VBA's Input # reads: ANSI bytes, one quoted pair a line, CRLF; the Vietnamese user folder
    # is not in it (xlwings expands %LOCALAPPDATA% with WScript.Shell, in Unicode)
    assert raw == b'"INTERPRETER_WIN","%LOCALAPPDATA%\\Programs\\Python\\Python311\\pythonw.exe"\r\n'
    assert str(installed) in res.output and str(conf) in res.output and "cp1258" in res.output


def test_install_keeps_other_settings_and_uninstall_removes_only_its_own(profile, xlam):
    home, python = profile
    conf = home / ".cdht" / "cdht.conf"
    conf.parent.mkdir(parents=True)
    conf.write_bytes('"PYTHONPATH","D:\\Văn ban"\r\n"INTERPRETER_WIN","C:\\cu\\python.exe"\r\n'.encode("cp1258"))
    assert run("addin", "install", "--xlam", xlam, "--profile-dir", home, "--python", python,
               "--codepage", "cp1258").exit_code == 0
    lines = conf.read_bytes().decode("cp1258").splitlines()
    assert lines == ['"PYTHONPATH","D:\\Văn ban"',
                     '"INTERPRETER_WIN","%LOCALAPPDATA%\\Programs\\Python\\Python311\\pythonw.exe"']

    res = run("addin", "uninstall", "--profile-dir", home, "--codepage", "cp1258")
    assert res.exit_code == 0, res.output
    assert not (_xlstart(home) / "cdht.xlam").exists()
    assert conf.read_bytes().decode("cp1258").splitlines() == ['"PYTHONPATH","D:\\Văn ban"']


def test_uninstall_leaves_no_empty_settings_folder(profile, xlam):
    home, python = profile
    run("addin", "install", "--xlam", xlam, "--profile-dir", home, "--python", python)
    res = run("addin", "uninstall", "--profile-dir", home)
    assert res.exit_code == 0 and not (home / ".cdht").exists()
    assert "Đã xóa add-in" in res.output


def test_a_given_folder_is_used_instead_of_xlstart(profile, xlam, tmp_path):
    home, python = profile
    folder = tmp_path / "Thư mục tin cậy"
    assert run("addin", "install", "--xlam", xlam, "--profile-dir", home, "--python", python,
               "--folder", folder).exit_code == 0
    assert (folder / "cdht.xlam").is_file() and not _xlstart(home).exists()


def test_an_interpreter_the_code_page_cannot_hold_is_refused_before_anything_is_written(profile, xlam, tmp_path):
    home, _ = profile
    python = tmp_path / "Phần mềm" / "Python311" / "pythonw.exe"  # outside the profile, not ANSI
    res = run("addin", "install", "--xlam", xlam, "--profile-dir", home, "--python", python, "--codepage", "cp1252")
    assert res.exit_code == 1 and "CDHT-A011" in res.output and "cp1252" in res.output
    assert not _xlstart(home).exists() and not (home / ".cdht").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="the non-Windows message")
def test_without_windows_or_a_profile_it_says_so(xlam):
    for args in (("install", "--xlam", xlam), ("uninstall",)):
        res = run("addin", *args)
        assert res.exit_code == 1 and "CDHT-A010" in res.output and "Traceback" not in res.output


def test_conf_value_maps_the_profile_folders():
    from pathlib import Path
    home = Path("/p") / USER
    assert I.conf_value(home / "AppData" / "Roaming" / "x" / "py.exe", home) == "%APPDATA%\\x\\py.exe"
    assert I.conf_value(home / "py" / "python.exe", home) == "%USERPROFILE%\\py\\python.exe"


def test_without_xlam_the_addin_is_built_from_this_installation(profile):
    """The default: cdht.xlam built now (cdht addin build) and installed; its VBA calls RunPython."""
    from oletools.olevba import VBA_Parser

    home, python = profile
    res = run("addin", "install", "--profile-dir", home, "--python", python)
    assert res.exit_code == 0, res.output
    installed = _xlstart(home) / "cdht.xlam"
    vba = VBA_Parser(str(installed))
    try:
        code = "\n".join(source for _, _, _, source in vba.extract_macros())
    finally:
        vba.close()
    assert 'RunPython "import cdht_addin; cdht_addin.tinh_muc_do()"' in code


def test_uninstall_of_nothing_says_so(profile):
    home, _ = profile
    res = run("addin", "uninstall", "--profile-dir", home)
    assert res.exit_code == 0 and "Không có add-in tại" in res.output
