"""``cdht addin bundle``: one folder (and a .zip of it) that installs the add-in on a Windows PC with
no network — Python itself is the one prerequisite.

What the folder ``cdht-addin-<version>/`` holds:

* ``wheels/``: the cdht wheel and a wheel of every runtime dependency and of the ``addin`` extra,
  for each supported Python version (:data:`SUPPORTED_PYTHONS`, the minor versions from
  ``requires-python`` for which every dependency has a Windows 64-bit wheel — 3.11 to 3.14; 3.15
  does not resolve yet). pip resolves and downloads them (``pip install --dry-run --report`` and
  ``pip download --only-binary=:all: --platform … --python-version … --implementation cp``); this
  module never chooses a version itself. One correction pip cannot make: with ``--platform``, pip
  evaluates environment markers against *this* machine, so on Linux ``pywin32; platform_system ==
  "Windows"`` (xlwings) would be left out and the offline install on Windows would fail. After each
  resolution the requirements of every resolved package are evaluated for the **target** (Windows,
  that Python) with ``packaging``; a missing or unsatisfied one is added as a top-level requirement
  and pip resolves again, until nothing is missing.
* ``cdht.xlam`` (:func:`cdht_addin.build_xlam.build_addin`);
* ``cai-dat.cmd``: double-click; finds a 64-bit Python of a bundled version (``py -3.x``, else
  ``python``), installs with ``pip install --no-index --find-links "%~dp0wheels"`` and runs
  ``cdht addin install --xlam "%~dp0cdht.xlam"``. The file is ASCII only with CRLF line ends:
  cmd.exe reads a .cmd file in the console's OEM code page (not UTF-8, and ``chcp 65001`` inside a
  batch file is unreliable), while ``%~dp0`` — the folder, which may have spaces and Vietnamese
  letters — is expanded by cmd.exe in Unicode and handed to Python unchanged, so it is only ever
  used quoted and never ends in a backslash before the closing quote (``"%~dp0wheels"``; a
  trailing ``\\"`` would escape the quote for the C runtime). Its two messages come from the
  catalogue, written without diacritics (ASCII);
* ``HUONG-DAN.txt``: short Vietnamese instructions (UTF-8 with BOM, so Notepad shows the letters);
* ``lite/``: a ready ``requirements.txt`` for xlwings Lite naming this version's wheel, the wheel
  and ``main.py`` — the Sở puts the folder on its web server (``--lite-url``: its address).

The cdht wheel: from a source checkout (editable install) pip builds it (``pip wheel --no-deps``,
setuptools as pyproject.toml says); from a regular (non-editable) install, which has no source tree,
the installed files are packed back into a wheel with ``wheel pack`` after each was checked against
the hash pip recorded when installing it (RECORD): exactly the files that run here, no build step.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cdht_addin.install import InstallError, Report

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14")
WINDOWS = "win_amd64"
EXTRA = "addin"
LITE_PLACEHOLDER = "https://may-chu-cua-so.example/cdht"
CMD_FILE = "cai-dat.cmd"
README_FILE = "HUONG-DAN.txt"
WHEELS = "wheels"
_MARKER = ".cdht-bundle"  # in a folder this command made (and may replace)

__all__ = ["SUPPORTED_PYTHONS", "Resolved", "bundle", "cdht_wheel", "cmd_text", "install_args",
           "lite_requirements", "resolve", "resolve_all", "supported_pythons"]


@dataclass(frozen=True)
class Resolved:
    """One wheel pip chose: project name, version and the wheel's file name."""

    name: str
    version: str
    filename: str


# --- versions and environments -------------------------------------------------------------------

def _cdht_metadata():
    from importlib.metadata import metadata

    return metadata("cdht")


def supported_pythons(pythons=None) -> tuple[str, ...]:
    """The versions to bundle: those asked for, each checked against cdht's ``requires-python``."""
    from packaging.specifiers import SpecifierSet

    requires = _cdht_metadata()["Requires-Python"] or ""
    chosen = tuple(pythons) if pythons else SUPPORTED_PYTHONS
    for version in chosen:
        if not re.fullmatch(r"3\.\d{1,2}", version) or not SpecifierSet(requires).contains(f"{version}.0"):
            raise InstallError("CDHT-A014", python=version, requires=requires or "?",
                               supported=", ".join(SUPPORTED_PYTHONS))
    return chosen


def target_environment(version: str, platforms) -> dict:
    """The marker environment of the target: Windows 64-bit CPython ``version``, or — for any other
    platform (tests build for this machine) — this machine with ``version``."""
    from packaging.markers import default_environment

    env = dict(default_environment())
    env.update(python_version=version, python_full_version=f"{version}.0",
               implementation_name="cpython", platform_python_implementation="CPython")
    if any(p.startswith("win") for p in platforms):
        env.update(os_name="nt", sys_platform="win32", platform_system="Windows",
                   platform_machine="AMD64" if WINDOWS in platforms else "x86", platform_release="10",
                   platform_version="10.0")
    return env


# --- pip -------------------------------------------------------------------------------------------

def _pip(args: list[str], what: dict) -> subprocess.CompletedProcess:
    """Run this Python's pip; a failure becomes a coded stop (network, no wheel, other)."""
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise _pip_error(proc.stderr, what)
    return proc


_NETWORK = re.compile(r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|"
                      r"Name or service not known|Connection refused|ConnectTimeout|ProxyError|"
                      r"getaddrinfo failed|Network is unreachable|SSLError|Could not fetch URL")


def _pip_error(stderr: str, what: dict) -> InstallError:
    lines = [line.strip() for line in stderr.strip().splitlines()]
    errors = [line.removeprefix("ERROR:").strip() for line in lines if line.startswith("ERROR:")]
    reason = (errors or lines or ["pip không báo lý do"])[-1][:300]
    # building the cdht wheel fetches only setuptools, which every index has: not found = not reached
    unreached = "python" not in what and "No matching distribution found" in stderr
    if _NETWORK.search(stderr) or unreached:
        return InstallError("CDHT-A012", index=what.get("index") or "PyPI", reason=reason)
    if "python" in what:
        missing = re.search(r"No matching distribution found for (\S+)", stderr)
        package = missing.group(1) if missing else _conflicting(stderr)
        return InstallError("CDHT-A013", package=package, python=what["python"],
                            platform=", ".join(what["platforms"]), reason=reason)
    return InstallError("CDHT-A015", reason=reason)


def _conflicting(stderr: str) -> str:
    named = re.findall(r"The conflict is caused by:\s*\n\s*(\S+)", stderr)
    return named[0] if named else "(nhiều gói)"


def _target_args(version: str, platforms, index_url: str | None) -> list[str]:
    args = ["--only-binary=:all:", "--python-version", version, "--implementation", "cp",
            "--disable-pip-version-check", "--quiet"]
    for platform in platforms:
        args += ["--platform", platform]
    return args + (["--index-url", index_url] if index_url else [])


def _dry_run(requirements: list[str], version: str, platforms, index_url, work: Path,
             pins: dict | None = None) -> dict:
    report, constraints = work / f"report-{version}.json", work / "pins.txt"
    constraints.write_text("".join(f"{name}=={v}\n" for name, v in (pins or {}).items()), "utf-8")
    _pip(["install", "--dry-run", "--ignore-installed", "--target", str(work / "target"),
          "--report", str(report), "--constraint", str(constraints),
          *_target_args(version, platforms, index_url), *requirements],
         {"python": version, "platforms": platforms, "index": index_url})
    return json.loads(report.read_text("utf-8"))


def _missing(items: dict, env: dict) -> list:
    """Requirements of the resolved packages that hold on the target but are absent or unsatisfied."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    missing = []
    for item in items.values():
        extras = ("", *(item.get("requested_extras") or ()))
        for text in item["metadata"].get("requires_dist") or ():
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({**env, "extra": e}) for e in extras):
                continue
            got = items.get(canonicalize_name(req.name))
            if got is None or not req.specifier.contains(got["metadata"]["version"], prereleases=True):
                missing.append(req)
    return missing


def resolve(wheel: Path, version: str, platforms=(WINDOWS,), index_url: str | None = None) -> list[Resolved]:
    """Every wheel ``cdht[addin]`` needs on the target (Python ``version`` on ``platforms``), as pip
    resolves it from the index, with the target's markers (see module docstring).

    A requirement missing for the target (``pywin32``) is resolved on its own with everything already
    chosen pinned (cheap: pip reads only the new packages); one whose resolved version does not fit
    the target is added to the top-level requirements and everything is resolved again."""
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name

    env = target_environment(version, platforms)
    added: dict[str, SpecifierSet] = {}
    items: dict = {}
    requirements = [f"{wheel}[{EXTRA}]"]
    with tempfile.TemporaryDirectory(prefix="cdht-resolve-") as tmp:
        for _ in range(8):
            pins = {name: i["metadata"]["version"] for name, i in items.items() if name != "cdht"}
            report = _dry_run(requirements, version, platforms, index_url, Path(tmp), pins)
            items.update({canonicalize_name(i["metadata"]["name"]): i for i in report["install"]})
            missing = _missing(items, env)
            if not missing:
                return [Resolved(i["metadata"]["name"], i["metadata"]["version"],
                                 i["download_info"]["url"].rsplit("/", 1)[-1]) for i in items.values()]
            for req in missing:
                name = canonicalize_name(req.name)
                added[name] = added.get(name, SpecifierSet()) & req.specifier
            requirements = [f"{name}{added[name]}" for name in sorted({canonicalize_name(r.name) for r in missing})]
            if any(canonicalize_name(r.name) in items for r in missing):  # a version that does not fit
                items = {}
                requirements = [f"{wheel}[{EXTRA}]"] + [f"{name}{spec}" for name, spec in sorted(added.items())]
    raise InstallError("CDHT-A013", package=", ".join(sorted(added)), python=version,
                       platform=", ".join(platforms), reason="pip không chọn được các gói này cho máy đích")


def resolve_all(wheel: Path, versions, platforms=(WINDOWS,), index_url: str | None = None) -> dict:
    """:func:`resolve` for each version, side by side (each pip waits mostly on the index); the first
    version that fails, in the order given, stops with its coded message."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, len(versions))) as pool:
        futures = {v: pool.submit(resolve, wheel, v, platforms, index_url) for v in versions}
        return {v: f.result() for v, f in futures.items()}


def _download(resolved: list[Resolved], version: str, platforms, index_url, dest: Path) -> None:
    pins = [f"{r.name}=={r.version}" for r in resolved if r.name.lower() != "cdht"]
    _pip(["download", "--no-deps", "--dest", str(dest), *_target_args(version, platforms, index_url), *pins],
         {"python": version, "platforms": platforms, "index": index_url})


# --- the cdht wheel --------------------------------------------------------------------------------

def _source_tree() -> Path | None:
    """The checkout this cdht runs from (editable install or a plain checkout), if any."""
    import cdht

    root = Path(cdht.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and re.search(r'^name\s*=\s*"cdht"', pyproject.read_text("utf-8"), re.M):
        return root
    return None


def cdht_wheel(dest: Path, index_url: str | None = None) -> Path:
    """The wheel of this cdht in ``dest``: built by pip from the source tree (its build backend comes
    from ``index_url``), else packed back from the installed files (checked against RECORD) with
    ``wheel pack``."""
    dest.mkdir(parents=True, exist_ok=True)
    source = _source_tree()
    with tempfile.TemporaryDirectory(prefix="cdht-wheel-") as tmp:
        if source is not None:
            _pip(["wheel", "--no-deps", "--disable-pip-version-check", "--quiet", "--wheel-dir", tmp,
                  *(["--index-url", index_url] if index_url else []), str(source)], {"index": index_url})
        else:
            _repack_installed(Path(tmp))
        built = next(Path(tmp).glob("cdht-*.whl"), None)
        if built is None:
            raise InstallError("CDHT-A015", reason="không thấy tệp cdht-*.whl sau khi dựng")
        return Path(shutil.copy2(built, dest / built.name))


_NOT_PACKED = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def _repack_installed(out: Path) -> None:
    import base64
    import hashlib
    from importlib.metadata import distribution

    dist = distribution("cdht")
    tree = out / "tree"
    for file in dist.files or ():
        parts = file.parts
        if parts[0] == ".." or "__pycache__" in parts or (parts[0].endswith(".dist-info") and parts[-1] in _NOT_PACKED):
            continue
        path = Path(file.locate())
        if file.hash is not None:
            digest = base64.urlsafe_b64encode(hashlib.new(file.hash.mode, path.read_bytes()).digest()).rstrip(b"=")
            if digest.decode() != file.hash.value:
                raise InstallError("CDHT-A016", path=str(path))
        target = tree.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    proc = subprocess.run([sys.executable, "-m", "wheel", "pack", "--dest-dir", str(out), str(tree)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise InstallError("CDHT-A015", reason=(proc.stderr.strip().splitlines() or ["wheel pack"])[-1])


# --- the files of the bundle ----------------------------------------------------------------------

def _ascii(text: str) -> str:
    """Vietnamese without diacritics (cmd.exe shows ASCII the same in every code page)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("—", "-").replace("–", "-").encode("ascii", "replace").decode("ascii")


def _echo(text: str) -> str:
    escaped = re.sub(r"([\^&|<>])", r"^\1", _ascii(text)).replace("%", "%%")
    return f"echo {escaped}"


def install_args(version: str, wheels: str | Path) -> list[str]:
    """Arguments after ``python`` of the offline install (cai-dat.cmd; the test runs the same)."""
    return ["-m", "pip", "install", "--no-index", "--find-links", str(wheels), "--disable-pip-version-check",
            "--no-warn-script-location", f"cdht[{EXTRA}]=={version}"]


def _quoted(arg: str) -> str:
    return f'"{arg}"' if re.search(r"[\s\[\]%=&|<>^(),;]", arg) else arg


def cmd_text(version: str, pythons) -> str:
    """The text of cai-dat.cmd (ASCII, CRLF; see module docstring)."""
    from cdht.messages import finding

    allowed = ", ".join(f"({p.replace('.', ', ')})" for p in pythons)
    probe = (f"%* -c \"import struct, sys; sys.exit(not (struct.calcsize('P') == 8 and "
             f"sys.version_info[:2] in ({allowed},)))\" >nul 2>&1")
    no_python = finding("CDHT-A018", versions=", ".join(pythons)).text()
    failed = finding("CDHT-A019").text()
    lines = [
        "@echo off",
        f"rem cai-dat.cmd - cai add-in Excel \"Cong dong hoc tap\" (cdht {version}) khong can mang.",
        "rem Chi ky tu ASCII: cmd.exe doc tep .cmd theo bang ma OEM. Thu muc chua tep nay (co the co",
        "rem dau, dau cach) chi dung trong dau ngoac kep.",
        "setlocal",
        'set "PY="',
        *[f"if not defined PY call :probe py -{p}" for p in reversed(pythons)],
        "if not defined PY call :probe python",
        "if not defined PY goto nopython",
        "%PY% " + " ".join(_quoted(a) for a in install_args(version, f"%~dp0{WHEELS}")),
        "if errorlevel 1 goto failed",
        '%PY% -m cdht.cli.main addin install --xlam "%~dp0cdht.xlam"',
        "if errorlevel 1 goto failed",
        "echo.",
        _echo("Đã cài xong. Mở lại Excel: thẻ \"Cộng đồng học tập\" hiện trên ribbon."),
        "pause",
        "exit /b 0",
        "",
        ":probe",
        probe,
        'if not errorlevel 1 set "PY=%*"',
        "exit /b 0",
        "",
        ":nopython",
        _echo(no_python),
        "pause",
        "exit /b 1",
        "",
        ":failed",
        _echo(failed),
        "pause",
        "exit /b 1",
    ]
    return "\r\n".join(lines) + "\r\n"


def readme_text(version: str, pythons, lite_url: str | None) -> str:
    versions = ", ".join(pythons)
    lite = (f"đặt cả thư mục lite\\ lên máy chủ web tại {lite_url}/" if lite_url else
            f"đặt cả thư mục lite\\ lên máy chủ web của Sở rồi sửa địa chỉ {LITE_PLACEHOLDER} trong "
            "lite\\requirements.txt thành địa chỉ đó (hoặc tạo lại gói với --lite-url)")
    lines = [
        f"CÀI ADD-IN EXCEL \"CỘNG ĐỒNG HỌC TẬP\" (cdht {version}) — KHÔNG CẦN MẠNG",
        "",
        f"Cần có trước (duy nhất): Python {versions}, bản Windows 64-bit, tải từ",
        "https://www.python.org/downloads/windows/ (chọn \"Install for current user\"). Mọi thứ khác có",
        "sẵn trong thư mục này.",
        "",
        "1. Chép thư mục này vào máy (tệp .zip: nhấp phải → Extract All).",
        "2. Đóng Excel. Bấm đúp cai-dat.cmd (Windows hỏi thì chọn Run / Chạy).",
        "3. Chờ dòng \"Da cai xong\", bấm một phím để đóng cửa sổ.",
        "4. Mở Excel: thẻ \"Cộng đồng học tập\" hiện trên ribbon.",
        "",
        "Lỗi: cửa sổ hiện mã CDHT-… và cách sửa. Gỡ add-in: py -m cdht.cli.main addin uninstall.",
        "",
        "Trong thư mục: cai-dat.cmd (cài đặt), cdht.xlam (add-in), wheels\\ (gói Python cho Windows",
        f"64-bit, Python {versions}), lite\\ (xlwings Lite: {lite}).",
    ]
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def lite_requirements(wheel_name: str, lite_url: str | None) -> str:
    """Lite's requirements.txt: the repository's (xlwings pin) with the line of this wheel."""
    from importlib.resources import files

    template = files("cdht_addin.lite").joinpath("requirements.txt").read_text("utf-8")
    base = (lite_url or LITE_PLACEHOLDER).rstrip("/")
    head = ["# xlwings Lite: dán tệp này vào thẻ requirements.txt của xlwings Lite.",
            f"# Tệp {wheel_name} (cùng thư mục) phải có tại {base}/ (máy chủ web của Sở, cho phép CORS)."]
    keep = [line for line in template.splitlines() if line.strip() and not line.lstrip().startswith("#")
            and not line.strip().endswith(".whl")]
    return "\n".join(head + keep + [f"{base}/{wheel_name}"]) + "\n"


# --- the command -----------------------------------------------------------------------------------

def _folder(out: Path, version: str) -> Path:
    folder = out / f"cdht-addin-{version}"
    if folder.exists():
        if not (folder / _MARKER).is_file():
            raise InstallError("CDHT-A017", folder=str(folder))
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / _MARKER).write_text(version, "utf-8")
    return folder


def _check_url(lite_url: str | None) -> str | None:
    if lite_url is not None and not re.match(r"https?://[^\s/]+", lite_url):
        raise InstallError("CDHT-A020", url=lite_url)
    return lite_url.rstrip("/") if lite_url else None


def bundle(out: str | Path, pythons=None, platforms=(WINDOWS,), index_url: str | None = None,
           lite_url: str | None = None) -> Report:
    """Make ``out/cdht-addin-<version>/`` and ``out/cdht-addin-<version>.zip`` (module docstring)."""
    from cdht import __version__

    pythons = supported_pythons(pythons)
    lite_url = _check_url(lite_url)
    platforms = tuple(platforms) or (WINDOWS,)
    folder = _folder(Path(out), __version__)
    report = Report()
    wheels = folder / WHEELS
    wheel = cdht_wheel(wheels, index_url)
    report.add(f"Đã dựng {wheel.name}.")
    for version, resolved in resolve_all(wheel, pythons, platforms, index_url).items():
        _download(resolved, version, platforms, index_url, wheels)
        report.add(f"Python {version}: {len(resolved)} gói ({', '.join(platforms)}).")
    from cdht_addin.build_xlam import build_addin

    build_addin(folder)
    (folder / CMD_FILE).write_bytes(cmd_text(__version__, pythons).encode("ascii"))
    (folder / README_FILE).write_bytes(readme_text(__version__, pythons, lite_url).encode("utf-8"))
    lite = folder / "lite"
    lite.mkdir()
    (lite / "requirements.txt").write_text(lite_requirements(wheel.name, lite_url), "utf-8")
    shutil.copy2(wheel, lite / wheel.name)
    from importlib.resources import files

    (lite / "main.py").write_bytes(files("cdht_addin.lite").joinpath("main.py").read_bytes())
    archive = shutil.make_archive(str(folder), "zip", root_dir=folder.parent, base_dir=folder.name)
    report.add(f"Đã tạo thư mục {folder} và tệp {archive}.")
    report.add(f"Máy đích cần Python {', '.join(pythons)} (64-bit); bấm đúp {CMD_FILE} để cài.")
    return report
