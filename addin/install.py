"""``cdht addin install`` / ``uninstall``: put ``cdht.xlam`` where Excel loads it as trusted and tell
xlwings' VBA which Python to run — the steps a district's IT officer used to do by hand.

What install does, for the Windows user profile ``U`` (``%USERPROFILE%``, or ``--profile-dir``):

1. copies ``cdht.xlam`` into ``U\\AppData\\Roaming\\Microsoft\\Excel\\XLSTART`` (or a folder given):
   Excel opens every add-in there at start-up, and XLSTART is a trusted location by default;
2. removes the downloaded-file mark (the ``Zone.Identifier`` stream, Windows only), so Excel does
   not block the macros of a copy that came from the internet or an e-mail;
3. writes ``INTERPRETER_WIN`` into the user's settings file ``U\\.cdht\\cdht.conf``, the file the
   add-in's xlwings module reads (``GetConfigFilePath``: ``Environ("USERPROFILE") & "\\.cdht\\cdht.conf"``)
   with ``Open … For Input`` / ``Input #`` — i.e. in the **Windows ANSI code page**, not UTF-8, one
   ``"KEY","value"`` line each (the format of xlwings' own ``Write #``). A path under the profile is
   written with ``%LOCALAPPDATA%`` / ``%APPDATA%`` / ``%USERPROFILE%`` (xlwings expands the value
   with ``WScript.Shell.ExpandEnvironmentStrings``, which is Unicode), so a user folder with
   Vietnamese letters and spaces stays out of the file; a value the code page cannot hold is
   refused (CDHT-A011) rather than written as ``?``.

Other keys already in the settings file are kept. ``uninstall`` removes the add-in and the key.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

ADDIN_FILE = "cdht.xlam"
PROJECT = "cdht"  # xlwings PROJECT_NAME of the add-in (cdht_addin.build_xlam.DEFAULT_PROJECT_NAME)
KEY = "INTERPRETER_WIN"
XLSTART = ("AppData", "Roaming", "Microsoft", "Excel", "XLSTART")
DEFAULT_CODEPAGE = "cp1258"  # Vietnamese Windows; the real one is read from Windows (GetACP)
# environment variables xlwings expands in a setting, longest folder first
_PROFILE_VARS = (("LOCALAPPDATA", ("AppData", "Local")), ("APPDATA", ("AppData", "Roaming")),
                 ("USERPROFILE", ()))

__all__ = ["InstallError", "Report", "install", "uninstall", "ansi_codepage", "conf_value"]


class InstallError(Exception):
    """A coded stop: ``code`` and the facts of its message (cdht/messages.py)."""

    def __init__(self, code: str, **facts):
        super().__init__(code)
        self.code, self.facts = code, facts


@dataclass
class Report:
    """What was done, one Vietnamese line per step (printed by the command)."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.lines.append(text)


def on_windows() -> bool:
    return sys.platform == "win32"


def ansi_codepage() -> str:
    """The code page VBA's ``Input #`` reads text files in: Windows' ANSI code page."""
    if on_windows():
        import ctypes

        return f"cp{ctypes.windll.kernel32.GetACP()}"
    return DEFAULT_CODEPAGE


def profile_folder(profile_dir: str | Path | None) -> Path:
    """The Windows user profile: given, else ``%USERPROFILE%`` on Windows; elsewhere a coded stop."""
    if profile_dir is not None:
        return Path(profile_dir)
    if not on_windows() or not os.environ.get("USERPROFILE"):
        raise InstallError("CDHT-A010")
    return Path(os.environ["USERPROFILE"])


def _under(path: Path, folder: Path) -> tuple[str, ...] | None:
    try:
        return Path(os.path.normcase(path)).relative_to(os.path.normcase(folder)).parts
    except ValueError:
        return None


def conf_value(interpreter: str | Path, profile: Path) -> str:
    """The interpreter as written in the settings file: relative to the profile's folders where it
    lies under them (``%LOCALAPPDATA%\\Programs\\Python\\…``), else as given (Windows spelling)."""
    path = Path(interpreter)
    for var, parts in _PROFILE_VARS:
        rest = _under(path, profile.joinpath(*parts))
        if rest is not None:
            return "\\".join((f"%{var}%",) + rest)
    return str(PureWindowsPath(str(interpreter))) if on_windows() else str(interpreter)


def default_interpreter() -> Path:
    """``pythonw.exe`` beside this Python (no console window), else this Python."""
    exe = Path(sys.executable)
    windowed = exe.with_name("pythonw.exe")
    return windowed if windowed.is_file() else exe


def conf_file(profile: Path) -> Path:
    return profile / f".{PROJECT}" / f"{PROJECT}.conf"


def _read_conf(path: Path, codepage: str) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    text = path.read_bytes().decode(codepage, errors="replace")
    return [(row[0], row[1] if len(row) > 1 else "") for row in csv.reader(io.StringIO(text)) if row]


def _write_conf(path: Path, rows: list[tuple[str, str]], codepage: str) -> None:
    """``"KEY","value"`` lines, CRLF, in ``codepage`` (as xlwings' VBA ``Write #`` writes them)."""
    text = "".join(f'"{k}","{v}"\r\n' for k, v in rows)
    try:
        data = text.encode(codepage)
    except UnicodeEncodeError:
        raise InstallError("CDHT-A011", codepage=codepage) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _unblock(path: Path) -> bool:
    """Remove the downloaded-file mark (NTFS stream ``Zone.Identifier``); True when one was there."""
    if not on_windows():
        return False
    try:
        os.remove(f"{path}:Zone.Identifier")
        return True
    except OSError:
        return False


def install(xlam: str | Path, profile_dir: str | Path | None = None, folder: str | Path | None = None,
            interpreter: str | Path | None = None, codepage: str | None = None) -> Report:
    """Install ``xlam`` for the user of ``profile_dir`` (see module docstring)."""
    profile = profile_folder(profile_dir)
    codepage = codepage or ansi_codepage()
    value = conf_value(interpreter or default_interpreter(), profile)
    if '"' in value:
        raise InstallError("CDHT-A011", codepage=codepage)
    conf = conf_file(profile)
    rows = [(k, v) for k, v in _read_conf(conf, codepage) if k.upper() != KEY] + [(KEY, value)]
    _write_conf(conf, rows, codepage)  # first: a refused value leaves nothing half-installed
    report = Report()
    target_dir = Path(folder) if folder else profile.joinpath(*XLSTART)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / ADDIN_FILE
    shutil.copyfile(xlam, target)
    report.add(f"Đã chép add-in vào: {target}")
    report.add("Đã gỡ dấu 'tệp tải từ Internet'." if _unblock(target)
               else "Tệp add-in không mang dấu 'tệp tải từ Internet'.")
    report.add(f"Đã ghi {KEY} = {value} vào {conf} (bảng mã {codepage}, như VBA của xlwings đọc).")
    report.add("Mở lại Excel: thẻ 'Cộng đồng học tập' hiện trên ribbon.")
    return report


def uninstall(profile_dir: str | Path | None = None, folder: str | Path | None = None,
              codepage: str | None = None) -> Report:
    """Remove the add-in and its interpreter setting (other settings are kept)."""
    profile = profile_folder(profile_dir)
    codepage = codepage or ansi_codepage()
    report = Report()
    target = (Path(folder) if folder else profile.joinpath(*XLSTART)) / ADDIN_FILE
    if target.exists():
        target.unlink()
        report.add(f"Đã xóa add-in: {target}")
    else:
        report.add(f"Không có add-in tại: {target}")
    conf = conf_file(profile)
    rows = _read_conf(conf, codepage)
    kept = [(k, v) for k, v in rows if k.upper() != KEY]
    if len(kept) != len(rows):
        if kept:
            _write_conf(conf, kept, codepage)
        else:
            conf.unlink()
            if not any(conf.parent.iterdir()):
                conf.parent.rmdir()
        report.add(f"Đã xóa {KEY} khỏi {conf}.")
    report.add("Mở lại Excel để thẻ 'Cộng đồng học tập' biến mất.")
    return report
