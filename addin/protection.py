"""Writing into an issued workbook the way Excel allows it under the workbook's own protection.

Every input sheet of a template is protected (password :data:`cdht_generator.builder.DEFAULT_PASSWORD`
unless the Sở chose another, with formatting cells locked) and the workbook structure is locked.
Excel refuses, with run-time error 1004, a value written into a locked cell, any format written on
such a sheet (even on an unlocked cell), and hiding, adding, deleting or renaming a sheet.

So the buttons:

* write **values** only into unlocked cells or unprotected tool sheets (no unprotecting needed);
* write **formats** (the flag colours) inside :func:`formattable`: on desktop Excel the sheet is
  unprotected with the workbook's password, written, and protected again with exactly the options
  it had (read from COM before: ``ProtectDrawingObjects``, ``ProtectScenarios``, every
  ``Protection.Allow…``); where that is impossible (no password fits, or an engine without
  Excel's protection API such as xlwings' remote engine) nothing is formatted there and the
  caller says so;
* export a sheet with the sheet's own ``ExportAsFixedFormat`` (:func:`export_pdf`), never
  xlwings' ``to_pdf``, which hides the other sheets and so fails under the structure lock.

Passwords tried, in order: the ``CDHT_PASSWORD`` environment variable (a Sở that generated its
templates with ``cdht generate --password``), then the default one.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from cdht import contract as L

PASSWORD_ENV = "CDHT_PASSWORD"
XL_TYPE_PDF = 0  # XlFixedFormatType.xlTypePDF
ALLOW = ("AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows", "AllowInsertingColumns",
         "AllowInsertingRows", "AllowInsertingHyperlinks", "AllowDeletingColumns", "AllowDeletingRows",
         "AllowSorting", "AllowFiltering", "AllowUsingPivotTables")

__all__ = ["passwords", "protection_options", "formattable", "export_pdf", "PASSWORD_ENV"]


def passwords() -> list[str]:
    """The passwords to try on a protected sheet, the Sở's own first."""
    from cdht_generator.builder import DEFAULT_PASSWORD

    own = os.environ.get(PASSWORD_ENV, "").strip()
    return list(dict.fromkeys(p for p in (own, DEFAULT_PASSWORD) if p))


def protection_options(sheet) -> dict | None:
    """The keyword arguments of COM ``Worksheet.Protect`` that give ``sheet`` back its current
    protection; ``{}`` for an unprotected sheet; None where the engine has no protection API."""
    try:
        api = sheet.api
        if not api.ProtectContents:
            return {}
        allowed = api.Protection
        options = {"DrawingObjects": bool(api.ProtectDrawingObjects), "Contents": True,
                   "Scenarios": bool(api.ProtectScenarios)}
        options.update({name: bool(getattr(allowed, name)) for name in ALLOW})
        return options
    except Exception:  # noqa: BLE001 - remote engine (api is a dict), macOS, a closed book
        return None


def _unprotect(api) -> str | None:
    """Unprotect with the first password that fits; None when none does."""
    for password in passwords():
        try:
            api.Unprotect(password)
            return password
        except Exception:  # noqa: BLE001 - a wrong password is COM error 1004
            continue
    return None


@contextmanager
def formattable(sheet):
    """Yield True when formats may be written on ``sheet`` inside the block (unprotected, allows
    formatting, or unprotected here and protected again on exit with exactly its options), else
    False (then write no format there)."""
    options = protection_options(sheet)
    if options is None:  # no protection API: only the tool sheets are known to be unprotected
        yield sheet.name in L.TOOL_SHEETS
        return
    if not options or options["AllowFormattingCells"]:
        yield True
        return
    password = _unprotect(sheet.api)
    if password is None:
        yield False
        return
    try:
        yield True
    finally:
        sheet.api.Protect(password, **options)


def export_pdf(sheet, pdf: Path) -> bool:
    """Export ``sheet`` alone to ``pdf`` with its own ``ExportAsFixedFormat`` (no sheet is hidden or
    shown, so the structure lock is respected); False where the engine has no such export."""
    try:
        export = sheet.api.ExportAsFixedFormat
    except Exception:  # noqa: BLE001 - remote engine: api is a dict
        return False
    export(XL_TYPE_PDF, str(pdf))
    return True
