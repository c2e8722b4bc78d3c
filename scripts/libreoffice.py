"""LibreOffice headless as a recalculation oracle for the tests and for scripts/render_docs.py.

openpyxl and XlsxWriter write formulas without (correct) cached values, and a plain
``soffice --convert-to`` keeps whatever cached values a file carries. ``recalc``
therefore runs LibreOffice with a private, throw-away user profile whose
``registrymodifications.xcu`` sets Calc's "recalculation on file load" for OOXML
(``OOXMLRecalcMode``) to 0 = always. Every formula is then recomputed by a real
spreadsheet engine, and ``recalculated_values`` reads the results back with openpyxl.

The converted files are an oracle only: LibreOffice's output is lossy (very hidden
sheets become hidden, some properties change type), so never ship or compare
structure against it - only values.

It lives in ``scripts/``, beside the picture renderer that uses it, and not in ``cdht/``: LibreOffice
is a development oracle, never something the product runs; tests import it from here too
(``from scripts import libreoffice``), as scripts never import ``tests/``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import openpyxl

__all__ = ["soffice_path", "recalc", "recalculated_values"]

# 0 = always recalculate, 1 = never recalculate, 2 = ask (headless: treated as never).
ALWAYS_RECALC = 0
NEVER_RECALC = 1


def soffice_path() -> str | None:
    """Path of the LibreOffice binary, or None when LibreOffice isn't installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile_xcu(recalc_mode: int) -> str:
    """registrymodifications.xcu setting the load-time recalculation of OOXML and ODF."""
    items = "".join(
        f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f"<prop oor:name={quoteattr(prop)} oor:op=\"fuse\" oor:type=\"xs:int\">"
        f"<value>{int(recalc_mode)}</value></prop></item>\n"
        for prop in ("OOXMLRecalcMode", "ODFRecalcMode")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n"
    )


def recalc(
    paths: list[Path],
    out_dir: Path,
    timeout: float = 300,
    *,
    recalc_mode: int = ALWAYS_RECALC,
) -> dict[Path, Path]:
    """Recalculate ``paths`` in LibreOffice and save them as xlsx into ``out_dir``.

    All files go through ONE soffice process (start-up dominates the cost). The
    inputs must have distinct base names, since LibreOffice names each output
    ``<stem>.xlsx`` in ``out_dir``. Returns {input path as given: output path}. Raises
    RuntimeError (with soffice's output) when soffice is missing, times out or
    fails to produce any output. ``recalc_mode`` exists to demonstrate the stale
    default (``NEVER_RECALC``); leave it at ``ALWAYS_RECALC`` otherwise.
    """
    paths = [Path(p) for p in paths]
    out_dir = Path(out_dir).resolve()
    if not paths:
        return {}
    stems = [p.stem.casefold() for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError(f"input files must have distinct base names: {paths}")
    outputs = {p: out_dir / f"{p.stem}.xlsx" for p in paths}
    for src, dst in outputs.items():
        if src.resolve() == dst:
            raise ValueError(f"output would overwrite its input: {src}")
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    for dst in outputs.values():
        dst.unlink(missing_ok=True)

    profile = Path(tempfile.mkdtemp(prefix="cdht-lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(
            _profile_xcu(recalc_mode), encoding="utf-8"
        )
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir),
            *(str(p.resolve()) for p in paths),
        ]
        # Own session, so a timeout can kill soffice.bin too (soffice is a wrapper).
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**os.environ, "HOME": str(profile)},
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            raise RuntimeError(
                f"soffice timed out after {timeout} s\nstdout:\n{stdout}\nstderr:\n{stderr}"
            ) from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    missing = [str(src) for src, dst in outputs.items() if not dst.is_file()]
    if missing:
        raise RuntimeError(
            f"soffice (exit {proc.returncode}) produced no output for {missing}\n"
            f"stdout:\n{stdout}\nstderr:\n{stderr}"
        )
    return outputs


def recalculated_values(path: Path, names: list[str]) -> dict[str, object]:
    """Cached values of workbook-scoped, single-cell defined ``names`` in ``path``.

    Meant for a file written by ``recalc``; on a file openpyxl wrote, formula cells
    read as None (no cached value).
    """
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        result = {}
        for name in names:
            if name not in wb.defined_names:
                raise KeyError(f"no workbook-scoped defined name {name!r} in {path}")
            destinations = list(wb.defined_names[name].destinations)
            if len(destinations) != 1 or ":" in destinations[0][1]:
                raise ValueError(f"defined name {name!r} is not a single cell: {destinations}")
            sheet, coord = destinations[0]
            result[name] = wb[sheet][coord.replace("$", "")].value
        return result
    finally:
        wb.close()
