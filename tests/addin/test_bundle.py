"""``cdht addin bundle``: the offline install folder, judged by pip itself.

(a) for every bundled Python, pip resolves every dependency of ``cdht[addin]`` to a wheel Windows
    64-bit CPython of that version can install (``pip install --dry-run --report`` with
    ``--platform win_amd64 --python-version``; metadata only, nothing downloaded), Windows-only
    dependencies included;
(b) a bundle built for THIS machine (its platform tags as ``--platform``, this Python) installs into a fresh
    venv with the very ``pip install`` line of ``cai-dat.cmd`` and no network (no index, proxies
    and index pointed at a closed port), and the installed ``cdht addin install`` leaves the add-in
    and the settings file in a made-up Windows profile whose user name has Vietnamese letters;
(c) ``cai-dat.cmd`` is ASCII with CRLF, installs with ``--no-index`` and uses ``%~dp0`` only quoted.

pip downloads go through pip's cache (warm after the first run); the heavy bundle is built once
per module.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.cli import run

import cdht
from cdht_addin import bundle as B

ROOT = Path(__file__).resolve().parents[2]
HOST_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
USER = "Nguyễn Văn A"
WHEEL = f"cdht-{cdht.__version__}-py3-none-any.whl"


def _host_platforms() -> list[str]:
    """The platform tags this interpreter installs (pip's --platform takes them one by one)."""
    from packaging.tags import sys_tags

    tags = list(dict.fromkeys(t.platform for t in sys_tags() if t.platform != "any"))
    if any(t.startswith("win") for t in tags):
        pytest.skip("the host bundle test builds for a non-Windows machine (Windows has test (a))")
    return tags


def _offline_env(tmp: Path) -> dict:
    """pip with no configuration, no index and every proxy on a closed port: the network is unusable."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    dead = "http://127.0.0.1:9"
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=f"{dead}/simple", PIP_RETRIES="0",
               HTTP_PROXY=dead, HTTPS_PROXY=dead, http_proxy=dead, https_proxy=dead,
               PIP_CACHE_DIR=str(tmp / "no-cache"))
    return env


@pytest.fixture(scope="module")
def host_bundle(tmp_path_factory):
    """The bundle for this machine, written under a folder with spaces and Vietnamese letters."""
    out = tmp_path_factory.mktemp("bundle") / "Gói cài đặt Sở GD"
    platforms = [a for tag in _host_platforms() for a in ("--platform", tag)]
    res = run("addin", "bundle", "--out", out, "--python", HOST_PYTHON, *platforms,
              "--lite-url", "https://so-gddt.example.gov.vn/cdht/")
    assert res.exit_code == 0, res.output
    folder = out / f"cdht-addin-{cdht.__version__}"
    assert str(folder) in res.output
    return folder


# --- (a) every dependency has a Windows wheel for every bundled Python ----------------------------

@pytest.fixture(scope="module")
def windows(host_bundle):
    """pip's resolution for Windows 64-bit, every bundled Python (metadata only, versions side by side)."""
    return B.resolve_all(host_bundle / B.WHEELS / WHEEL, B.SUPPORTED_PYTHONS)


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.parametrize("version", B.SUPPORTED_PYTHONS)
def test_every_dependency_resolves_to_a_windows_wheel(windows, version):
    from packaging.requirements import Requirement
    from packaging.tags import compatible_tags, cpython_tags
    from packaging.utils import canonicalize_name, parse_wheel_filename

    resolved = windows[version]
    py = tuple(int(x) for x in version.split("."))
    target = set(cpython_tags(py, platforms=[B.WINDOWS])) | set(compatible_tags(py, platforms=[B.WINDOWS]))
    for r in resolved:
        assert r.filename.endswith((f"-{B.WINDOWS}.whl", "-none-any.whl")), r
        _, _, _, tags = parse_wheel_filename(r.filename)
        assert tags & target, f"{r.filename} does not install on CPython {version} win_amd64"
    names = {canonicalize_name(r.name) for r in resolved}
    env = B.target_environment(version, (B.WINDOWS,))
    wanted = {canonicalize_name(Requirement(t).name) for t in cdht_requirements()
              if not Requirement(t).marker or Requirement(t).marker.evaluate({**env, "extra": B.EXTRA})}
    assert wanted - names == set()
    # what pip alone leaves out on a Linux host (markers read against this machine)
    assert {"pywin32", "tzdata"} <= names


def cdht_requirements() -> list[str]:
    from importlib.metadata import requires

    return requires("cdht") or []


# --- (b) the bundle installs with no network and the install command leaves its files -------------

def _cmd_line(folder: Path, start: str) -> list[str]:
    """The line of cai-dat.cmd that starts with ``start``, as its arguments after the Python."""
    text = (folder / B.CMD_FILE).read_bytes().decode("ascii")
    line = next(x for x in text.split("\r\n") if x.startswith(start))
    line = line.replace("%~dp0", str(folder) + os.sep).removeprefix("%PY% ")
    return shlex.split(line)


@pytest.fixture(scope="module")
def offline_venv(host_bundle, tmp_path_factory):
    """A fresh venv where the bundle was installed by cai-dat.cmd's own pip line, with no network."""
    tmp = tmp_path_factory.mktemp("offline")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip = _cmd_line(host_bundle, "%PY% -m pip install")
    assert "--no-index" in pip
    res = subprocess.run([python, *pip], cwd=tmp, env=_offline_env(tmp), capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    return tmp, python


@pytest.mark.oracle
@pytest.mark.slow
def test_the_host_bundle_installs_offline_and_installs_the_addin(host_bundle, offline_venv):
    tmp, python = offline_venv
    env = _offline_env(tmp)
    home = tmp / "Users" / USER
    pythonw = home / "AppData" / "Local" / "Programs" / "Python" / "Python311" / "pythonw.exe"
    pythonw.parent.mkdir(parents=True)
    pythonw.write_bytes(b"MZ")
    install = _cmd_line(host_bundle, "%PY% -m cdht.cli.main addin install")
    res = subprocess.run([python, *install, "--profile-dir", str(home), "--python", str(pythonw),
                          "--codepage", "cp1258"], cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    where = subprocess.run([python, "-c", "import cdht; print(cdht.__file__)"], cwd=tmp, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert str(tmp / "venv") in where and str(ROOT) not in where  # the bundle's cdht ran, not this checkout
    xlstart = home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "cdht.xlam"
    assert xlstart.read_bytes() == (host_bundle / "cdht.xlam").read_bytes()
    assert (home / ".cdht" / "cdht.conf").read_bytes() == \
        b'"INTERPRETER_WIN","%LOCALAPPDATA%\\Programs\\Python\\Python311\\pythonw.exe"\r\n'


_REPACK = """import sys
from pathlib import Path
from cdht_addin.bundle import cdht_wheel
from cdht_addin.install import InstallError
try:
    print(cdht_wheel(Path(sys.argv[1])))
except InstallError as e:
    print(e.code, e.facts)
"""


@pytest.mark.oracle
@pytest.mark.slow
def test_a_non_editable_install_packs_back_the_wheel_it_was_installed_from(host_bundle, offline_venv):
    """No source tree: the installed files, checked against RECORD, are packed with ``wheel pack``."""
    tmp, python = offline_venv
    subprocess.run([python, "-m", "pip", "install", "-q", "wheel"], check=True, cwd=tmp,
                   capture_output=True)  # the addin-build extra brings it; the bundle did not need it
    res = subprocess.run([python, "-c", _REPACK, str(tmp / "repacked")], cwd=tmp, capture_output=True, text=True)
    repacked = Path(res.stdout.strip())
    assert repacked.name == WHEEL, res.stdout + res.stderr
    with zipfile.ZipFile(repacked) as new, zipfile.ZipFile(host_bundle / B.WHEELS / WHEEL) as old:
        names = {n for n in old.namelist() if not n.endswith("/RECORD")}
        assert {n for n in new.namelist() if not n.endswith("/RECORD")} == names
        assert all(new.read(n) == old.read(n) for n in names)

    site = subprocess.run([python, "-c", "import cdht; print(cdht.__file__)"], cwd=tmp, capture_output=True,
                          text=True, check=True).stdout.strip()
    with open(site, "a", encoding="utf-8") as f:
        f.write("# sửa sau khi cài\n")
    res = subprocess.run([python, "-c", _REPACK, str(tmp / "tampered")], cwd=tmp, capture_output=True, text=True)
    assert res.stdout.startswith("CDHT-A016") and site in res.stdout, res.stdout + res.stderr


@pytest.mark.oracle
@pytest.mark.slow
def test_the_folder_and_its_zip_hold_the_same_files(host_bundle):
    files = {p.relative_to(host_bundle.parent).as_posix() for p in host_bundle.rglob("*") if p.is_file()}
    with zipfile.ZipFile(host_bundle.parent / f"{host_bundle.name}.zip") as z:
        assert {n for n in z.namelist() if not n.endswith("/")} == files
    top = {p.name for p in host_bundle.iterdir()}
    assert {B.CMD_FILE, B.README_FILE, "cdht.xlam", B.WHEELS, "lite"} <= top
    readme = (host_bundle / B.README_FILE).read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf") and f"Python {HOST_PYTHON}".encode() in readme


# --- (c) cai-dat.cmd -------------------------------------------------------------------------------

def _check_cmd(text: str, pythons) -> None:
    raw = text.encode("ascii")  # cmd.exe reads it in the OEM code page: ASCII reads the same in all
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert "--no-index" in text and '--find-links "%~dp0wheels"' in text
    # every %~dp0 (the folder: spaces, Vietnamese letters) sits inside quotes, never before \"
    assert text.count("%~dp0") == len(re.findall(r'"%~dp0[^"\\\r\n]+"', text)) == 2
    assert "setlocal enabledelayedexpansion" not in text.lower()  # '!' in a folder name stays literal
    for version in pythons:
        assert f"call :probe py -{version}" in text and f"({version.replace('.', ', ')})" in text
    assert "CDHT-A018" in text and "CDHT-A019" in text


def test_cmd_text_is_ascii_crlf_offline_and_quotes_its_folder():
    _check_cmd(B.cmd_text(cdht.__version__, B.SUPPORTED_PYTHONS), B.SUPPORTED_PYTHONS)


@pytest.mark.oracle
@pytest.mark.slow
def test_the_bundled_cmd_is_the_checked_text(host_bundle):
    _check_cmd((host_bundle / B.CMD_FILE).read_bytes().decode("ascii"), (HOST_PYTHON,))


# --- Lite ------------------------------------------------------------------------------------------

def _wheel_line(path: Path) -> str:
    lines = [x.strip() for x in path.read_text("utf-8").splitlines() if x.strip() and not x.startswith("#")]
    return next(x for x in lines if x.endswith(".whl"))


@pytest.mark.oracle
@pytest.mark.slow
def test_lite_requirements_name_the_built_wheel(host_bundle):
    built = [p.name for p in (host_bundle / B.WHEELS).glob("cdht-*.whl")]
    assert len(built) == 1
    line = _wheel_line(host_bundle / "lite" / "requirements.txt")
    assert line == f"https://so-gddt.example.gov.vn/cdht/{built[0]}"
    assert (host_bundle / "lite" / built[0]).read_bytes() == (host_bundle / B.WHEELS / built[0]).read_bytes()
    # the repository's requirements.txt (pasted by hand) names the same file
    assert _wheel_line(ROOT / "addin" / "lite" / "requirements.txt").rsplit("/", 1)[-1] == built[0]
    assert (host_bundle / "lite" / "main.py").read_bytes() == (ROOT / "addin" / "lite" / "main.py").read_bytes()


# --- coded stops -----------------------------------------------------------------------------------

def test_a_python_cdht_does_not_support_is_refused(tmp_path):
    res = run("addin", "bundle", "--out", tmp_path, "--python", "3.10")
    assert res.exit_code == 1 and "CDHT-A014" in res.output and "3.10" in res.output
    assert list(tmp_path.iterdir()) == []


def test_a_lite_url_that_is_not_a_web_address_is_refused(tmp_path):
    res = run("addin", "bundle", "--out", tmp_path, "--lite-url", "\\\\may-chu\\cdht")
    assert res.exit_code == 1 and "CDHT-A020" in res.output and list(tmp_path.iterdir()) == []


def test_a_folder_it_did_not_make_is_never_replaced(tmp_path):
    mine = tmp_path / f"cdht-addin-{cdht.__version__}"
    mine.mkdir()
    (mine / "cua-toi.txt").write_text("giữ nguyên", "utf-8")
    res = run("addin", "bundle", "--out", tmp_path)
    assert res.exit_code == 1 and "CDHT-A017" in res.output
    assert (mine / "cua-toi.txt").read_text("utf-8") == "giữ nguyên"


@pytest.mark.oracle
def test_no_network_to_the_index_is_a_coded_stop(tmp_path, monkeypatch):
    for key, value in _offline_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.upper().startswith("PIP_") and k not in _offline_env(tmp_path)]:
        monkeypatch.delenv(key)
    res = run("addin", "bundle", "--out", tmp_path / "out", "--python", HOST_PYTHON,
              "--index-url", "http://127.0.0.1:9/simple")
    assert res.exit_code == 1 and "CDHT-A012" in res.output and "http://127.0.0.1:9/simple" in res.output, \
        res.output


@pytest.mark.oracle
@pytest.mark.slow
def test_a_dependency_without_a_wheel_for_the_target_is_a_coded_stop(host_bundle):
    """xlwings, pandas, pydantic-core… have no pure-Python wheel: on a platform nobody builds for, pip
    finds none, and the message names the package pip stopped at."""
    from cdht_addin.install import InstallError

    with pytest.raises(InstallError) as stop:
        B.resolve(host_bundle / B.WHEELS / WHEEL, HOST_PYTHON, ("plan9_x86",))
    package = stop.value.facts["package"]
    assert stop.value.code == "CDHT-A013" and package and package in stop.value.facts["reason"]
    assert package.split(">")[0].split("=")[0] not in {"openpyxl", "xlsxwriter", "click", "olefile", "docxtpl"}
    assert stop.value.facts["python"] == HOST_PYTHON and stop.value.facts["platform"] == "plan9_x86"
