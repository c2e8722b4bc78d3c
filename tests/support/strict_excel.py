"""A strict Excel double: xlwings' real remote-engine Book, held to the rules desktop Excel enforces.

xlwings' remote engine records every write and refuses none: it carries values only, no sheet or
workbook protection. Desktop Excel does refuse, with run-time error 1004. :class:`StrictBook`
wraps the real ``xw.Book(json=...)`` (every read and every allowed write still goes to xlwings'
own objects and is recorded as its actions) and raises :class:`ExcelError` where Excel would:

* a **value** write (``rng.value = …``, ``clear_contents``) that covers a **locked cell of a
  protected sheet**;
* a **format** write (``rng.color``, ``number_format``) on a protected sheet whose
  ``formatCells`` is protected — Excel refuses it on every cell, locked or not;
* **hiding / showing, adding, deleting or renaming a sheet** while the workbook structure is locked
  (``Sheet.to_pdf`` is xlwings' visibility toggle, so it fails there too);
* **exporting a hidden sheet** (``sheet.api.ExportAsFixedFormat``).

The protection comes from the real workbook file, read with openpyxl: the structure lock, each
sheet's ``sheetProtection`` flags and password hash, and each cell's locked state (the cell's own
style; a cell absent from the file takes its row's style, else its column's, else locked — as
Excel does when a value is typed there).

The desktop (COM) protection surface the add-in uses is modelled on ``sheet.api`` /
``book.api`` with Excel's names and defaults: ``ProtectContents``, ``ProtectDrawingObjects``,
``ProtectScenarios``, ``Protection.Allow…``, ``EnableSelection``, ``Unprotect(Password)`` (a wrong
password raises), ``Protect(Password, DrawingObjects=True, Contents=True, Scenarios=True,
UserInterfaceOnly=False, AllowFormattingCells=False, …)`` — omitted options take Excel's
defaults, so a re-protection that forgets one changes the flags — and ``ExportAsFixedFormat``
(writes a small PDF stand-in and records it in :attr:`StrictBook.exports`).
:meth:`StrictBook.protection` is the comparable snapshot of every flag.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.protection import hash_password

__all__ = ["ExcelError", "StrictBook", "FLAGS", "COM_ALLOW"]

# openpyxl's sheetProtection attributes (True = the action is protected, i.e. forbidden)
FLAGS = ("objects", "scenarios", "formatCells", "formatColumns", "formatRows", "insertColumns",
         "insertRows", "insertHyperlinks", "deleteColumns", "deleteRows", "selectLockedCells",
         "selectUnlockedCells", "sort", "autoFilter", "pivotTables")
# COM Protect(...) argument / Protection property → the openpyxl flag it allows
COM_ALLOW = {"AllowFormattingCells": "formatCells", "AllowFormattingColumns": "formatColumns",
             "AllowFormattingRows": "formatRows", "AllowInsertingColumns": "insertColumns",
             "AllowInsertingRows": "insertRows", "AllowInsertingHyperlinks": "insertHyperlinks",
             "AllowDeletingColumns": "deleteColumns", "AllowDeletingRows": "deleteRows",
             "AllowSorting": "sort", "AllowFiltering": "autoFilter",
             "AllowUsingPivotTables": "pivotTables"}
XL_TYPE_PDF = 0


class ExcelError(Exception):
    """What Excel raises through COM for a forbidden action (run-time error 1004)."""

    number = 1004

    def __init__(self, what: str):
        super().__init__(f"Run-time error 1004: {what}")
        self.what = what


@dataclass
class SheetProtection:
    """One sheet's protection, as the file holds it and as COM changes it."""

    protected: bool
    flags: dict[str, bool]
    password_hash: str | None
    cells: dict[tuple[int, int], bool] = field(default_factory=dict)   # (row, col) → locked
    rows: dict[int, bool] = field(default_factory=dict)                # styled rows
    cols: list[tuple[int, int, bool]] = field(default_factory=list)    # styled column spans

    def locked(self, row: int, col: int) -> bool:
        if (row, col) in self.cells:
            return self.cells[(row, col)]
        if row in self.rows:
            return self.rows[row]
        for lo, hi, locked in self.cols:
            if lo <= col <= hi:
                return locked
        return True

    def snapshot(self) -> tuple:
        return (self.protected, self.password_hash, tuple(sorted(self.flags.items())))


def _sheet_protection(ws) -> SheetProtection:
    p = ws.protection
    state = SheetProtection(bool(p.sheet), {f: bool(getattr(p, f)) for f in FLAGS}, p.password or None)
    state.cells = {(r, c): bool(cell.protection.locked) for (r, c), cell in ws._cells.items()}
    state.rows = {r: bool(d.protection.locked) for r, d in ws.row_dimensions.items() if d.has_style}
    for letter, d in ws.column_dimensions.items():
        if d.has_style:
            lo = d.min or column_index_from_string(letter)
            state.cols.append((lo, d.max or lo, bool(d.protection.locked)))
    return state


def _hash(password) -> str | None:
    return hash_password(password) if password else None


# ------------------------------------------------------------------------------------------------
# the workbook
# ------------------------------------------------------------------------------------------------

class StrictBook:
    """The real remote ``xw.Book`` ``book`` under the protection of the workbook file ``path``."""

    def __init__(self, book, path: str | Path):
        self._book = book
        self.path = Path(path)
        wb = openpyxl.load_workbook(self.path)
        try:
            security = wb.security
            self.structure_locked = bool(security and security.lockStructure)
            self.structure_hash = (security.workbookPassword if security else None) or None
            self.sheet_state = {ws.title: _sheet_protection(ws) for ws in wb.worksheets}
        finally:
            wb.close()
        self.exports: list[tuple[str, Path]] = []
        self._sheets: dict[str, StrictSheet] = {}

    # -- reads pass through ----------------------------------------------------------------------
    def __getattr__(self, name):
        return getattr(self._book, name)

    @property
    def name(self):
        return self._book.name

    @property
    def fullname(self):
        return self._book.fullname

    @property
    def app(self):
        return self._book.app

    def json(self):
        return self._book.json()

    @property
    def sheets(self) -> "StrictSheets":
        return StrictSheets(self)

    @property
    def names(self) -> "StrictNames":
        return StrictNames(self)

    @property
    def api(self) -> "BookApi":
        return BookApi(self)

    # -- helpers ---------------------------------------------------------------------------------
    def sheet(self, real_sheet) -> "StrictSheet":
        name = real_sheet.name
        if name not in self._sheets or self._sheets[name]._sheet is not real_sheet:
            self._sheets[name] = StrictSheet(self, real_sheet)
        return self._sheets[name]

    def require_structure_unlocked(self, what: str) -> None:
        if self.structure_locked:
            raise ExcelError(f"{what}: the workbook structure is protected")

    def protection(self) -> dict:
        """Every protection flag, comparable before / after a button."""
        return {"structure": (self.structure_locked, self.structure_hash),
                "sheets": {n: s.snapshot() for n, s in self.sheet_state.items()}}


class BookApi:
    """COM ``Workbook``: the structure lock."""

    def __init__(self, book: StrictBook):
        self._b = book

    @property
    def ProtectStructure(self) -> bool:  # noqa: N802 - COM names
        return self._b.structure_locked

    def Unprotect(self, Password=None):  # noqa: N802,N803
        if self._b.structure_locked and self._b.structure_hash and _hash(Password) != self._b.structure_hash:
            raise ExcelError("Unprotect: the password you supplied is not correct")
        self._b.structure_locked = False

    def Protect(self, Password=None, Structure=True, Windows=False):  # noqa: N802,N803
        self._b.structure_locked, self._b.structure_hash = bool(Structure), _hash(Password)


class StrictSheets:
    def __init__(self, book: StrictBook):
        self._b = book
        self._real = book._book.sheets

    def __getitem__(self, key):
        return self._b.sheet(self._real[key])

    def __iter__(self):
        return (self._b.sheet(s) for s in self._real)

    def __len__(self):
        return len(self._real)

    def __call__(self, key):
        return self[key]

    @property
    def active(self):
        return self._b.sheet(self._real.active)

    def add(self, *args, **kwargs):
        self._b.require_structure_unlocked("Sheets.Add")
        return self._b.sheet(self._real.add(*args, **kwargs))

    def __getattr__(self, name):
        return getattr(self._real, name)


class StrictNames:
    def __init__(self, book: StrictBook):
        self._b = book
        self._real = book._book.names

    def __getitem__(self, key):
        return StrictName(self._b, self._real[key])

    def __iter__(self):
        return (StrictName(self._b, n) for n in self._real)

    def __len__(self):
        return len(self._real)

    def __contains__(self, key):
        return key in [n.name for n in self._real]

    def __getattr__(self, name):
        return getattr(self._real, name)


class StrictName:
    def __init__(self, book: StrictBook, real):
        self._b, self._real = book, real

    @property
    def refers_to_range(self):
        rng = self._real.refers_to_range
        return StrictRange(self._b.sheet(rng.sheet), rng)

    def __getattr__(self, name):
        return getattr(self._real, name)


# ------------------------------------------------------------------------------------------------
# sheets
# ------------------------------------------------------------------------------------------------

class StrictSheet:
    def __init__(self, book: StrictBook, real):
        object.__setattr__(self, "_b", book)
        object.__setattr__(self, "_sheet", real)

    def __getattr__(self, name):
        return getattr(self._sheet, name)

    def __setattr__(self, name, value):
        if name == "name":
            self._b.require_structure_unlocked("Worksheet.Name")
            old = self._sheet.name
            self._sheet.name = value
            self._b.sheet_state[value] = self._b.sheet_state.pop(old)
        elif name == "visible":
            self._b.require_structure_unlocked("Worksheet.Visible")
            self._sheet.visible = value
        else:
            setattr(self._sheet, name, value)

    @property
    def state(self) -> SheetProtection:
        return self._b.sheet_state[self._sheet.name]

    @property
    def book(self):
        return self._b

    def range(self, *args):
        return StrictRange(self, self._sheet.range(*args))

    def __getitem__(self, key):
        return StrictRange(self, self._sheet[key])

    @property
    def cells(self):
        return StrictRange(self, self._sheet.cells)

    @property
    def used_range(self):
        return StrictRange(self, self._sheet.used_range)

    def delete(self):
        self._b.require_structure_unlocked("Worksheet.Delete")
        return self._sheet.delete()

    def to_pdf(self, path=None, layout=None, show=False, quality="standard"):
        """xlwings' ``Sheet.to_pdf``: it hides every other sheet, exports, shows them again."""
        for other in self._b.sheets:
            if other.name != self.name and other.visible:
                other.visible = False
        self.api.ExportAsFixedFormat(XL_TYPE_PDF, str(path))

    @property
    def api(self) -> "SheetApi":
        return SheetApi(self)


class _Protection:
    """COM ``Worksheet.Protection``: what a protected sheet still allows."""

    def __init__(self, state: SheetProtection):
        for com, flag in COM_ALLOW.items():
            setattr(self, com, not state.flags[flag])


class SheetApi:
    """COM ``Worksheet``: protection and the sheet's own PDF export."""

    def __init__(self, sheet: StrictSheet):
        self._s = sheet

    @property
    def ProtectContents(self) -> bool:  # noqa: N802
        return self._s.state.protected

    @property
    def ProtectDrawingObjects(self) -> bool:  # noqa: N802
        return self._s.state.protected and self._s.state.flags["objects"]

    @property
    def ProtectScenarios(self) -> bool:  # noqa: N802
        return self._s.state.protected and self._s.state.flags["scenarios"]

    @property
    def Protection(self) -> _Protection:  # noqa: N802
        return _Protection(self._s.state)

    @property
    def Visible(self):  # noqa: N802
        return self._s.visible

    def Unprotect(self, Password=None):  # noqa: N802,N803
        state = self._s.state
        if state.protected and state.password_hash and _hash(Password) != state.password_hash:
            raise ExcelError("Unprotect: the password you supplied is not correct")
        state.protected = False

    def Protect(self, Password=None, DrawingObjects=True, Contents=True, Scenarios=True,  # noqa: N802,N803
                UserInterfaceOnly=False, **allow):
        unknown = set(allow) - set(COM_ALLOW)
        if unknown:
            raise TypeError(f"Protect() got unexpected arguments {sorted(unknown)}")
        if UserInterfaceOnly:
            raise ExcelError("Protect: UserInterfaceOnly is not kept in the saved file")
        state = self._s.state
        state.protected = bool(Contents)
        state.password_hash = _hash(Password)
        state.flags["objects"], state.flags["scenarios"] = bool(DrawingObjects), bool(Scenarios)
        for com, flag in COM_ALLOW.items():
            state.flags[flag] = not allow.get(com, False)

    def ExportAsFixedFormat(self, Type, Filename=None, *args, **kwargs):  # noqa: N802,N803
        if Type != XL_TYPE_PDF:
            raise ExcelError(f"ExportAsFixedFormat: type {Type!r}")
        if not self._s.visible:
            raise ExcelError("ExportAsFixedFormat: the sheet is hidden")
        out = Path(Filename)
        out.write_bytes(b"%PDF-1.4\n% strict Excel double: " + self._s.name.encode("utf-8") + b"\n%%EOF\n")
        self._s.book.exports.append((self._s.name, out))


# ------------------------------------------------------------------------------------------------
# ranges
# ------------------------------------------------------------------------------------------------

class StrictRange:
    def __init__(self, sheet: StrictSheet, real):
        object.__setattr__(self, "_s", sheet)
        object.__setattr__(self, "_rng", real)

    def __getattr__(self, name):
        value = getattr(self._rng, name)
        if name in ("last_cell", "current_region", "rows", "columns"):
            return StrictRange(self._s, value) if hasattr(value, "row") else value
        if callable(value) and name in ("expand", "resize", "offset", "end", "options"):
            def wrapped(*a, **k):
                return StrictRange(self._s, value(*a, **k))
            return wrapped
        return value

    def __getitem__(self, key):
        return StrictRange(self._s, self._rng[key])

    def __setattr__(self, name, value):
        if name in ("value", "formula", "formula2"):
            self._check_contents(self._target_shape(value))
        elif name in ("color", "number_format"):
            self._check_format()
        setattr(self._rng, name, value)

    @property
    def sheet(self):
        return self._s

    def clear_contents(self):
        self._check_contents(self._rng.shape)
        self._rng.clear_contents()

    def clear(self):
        self._check_contents(self._rng.shape)
        self._check_format()
        self._rng.clear()

    def _target_shape(self, value) -> tuple[int, int]:
        """The cells a value write covers: a single cell expands to a 2-D value's shape."""
        rows, cols = self._rng.shape
        if (rows, cols) == (1, 1) and isinstance(value, (list, tuple)) and value:
            if isinstance(value[0], (list, tuple)):
                return len(value), max(len(r) for r in value)
            return 1, len(value)
        return rows, cols

    def _check_contents(self, shape: tuple[int, int]) -> None:
        state = self._s.state
        if not state.protected:
            return
        r0, c0 = self._rng.row, self._rng.column
        for r in range(r0, r0 + shape[0]):
            for c in range(c0, c0 + shape[1]):
                if state.locked(r, c):
                    raise ExcelError(f"value written to locked cell '{self._s.name}'!{get_column_letter(c)}{r} "
                                     "of a protected sheet")

    def _check_format(self) -> None:
        state = self._s.state
        if state.protected and state.flags["formatCells"]:
            raise ExcelError(f"format of '{self._s.name}'!{self._rng.address} changed on a protected sheet "
                             "that does not allow formatting cells")
