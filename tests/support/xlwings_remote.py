"""Real ``xw.Book`` objects without Excel: the payload xlwings' remote clients send.

xlwings' remote engine (``xlwings/pro/_xlremote.py``) builds a Book from the JSON dict
that its Excel clients (the VBA ``RunRemotePython`` module, Office.js / xlwings Lite)
post; writes are recorded as actions instead of touching a file. This module builds
that dict from a real .xlsx so tests can drive add-in code with ``xw.Book(json=...)``
and assert on the recorded actions.

Payload (keys read by xlwings 0.37.8; all sheets, also hidden and very hidden ones)::

    {"client": "Office.js" | "VBA",        # VBA: "version" must equal xw.__version__
     "version": xw.__version__,
     "book": {"name": "x.xlsx", "active_sheet_index": 0, "selection": "A1",
              "calculation": "Automatic"},   # calculation: Office.js only, optional
     "names": [{"name": "xa_1_1", "sheet_index": 0, "address": "E7",
                "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None},
               {"name": "ghi_chu", "sheet_index": 0, "address": "B3:B5",   # VBA: "Sheet1!ghi_chu"
                "book_scope": False, "scope_sheet_name": "Sheet1", "scope_sheet_index": 0}],
     "sheets": [{"name": "Sheet1", "visibility": "Visible" | "Hidden" | "VeryHidden",
                 "values": [["text", 1, 2.5, True, "2024-05-01T00:00:00.000Z", ""]],
                 "used_range_address": "A1:F1" | None,
                 "pictures": [], "tables": [...], "shapes": [], "charts": [], "notes": []}]}

``values`` is the rectangle A1:<last used cell>, every row equally long. Dates and
times arrive as ISO strings ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (Office.js: ``Date
.toISOString()`` of the serial read as UTC; VBA: ``Format(d, "yyyy-mm-ddTHH:mm:ss.000Z")``);
xlwings turns them back into naive ``datetime``. Empty cells are ``""`` from Office.js
and ``null`` from VBA; both read back as None. Values are what Excel last calculated:
formula cells of a file openpyxl wrote are empty unless ``values_from`` points to a
recalculated copy (see ``scripts.libreoffice``). ``tests.support.strict_excel`` wraps such a
Book so that it refuses, like Excel, what the workbook's protection forbids.

Recorded actions (``actions(book)``), each a dict with the keys ``func``, ``args``
(always a list), ``values``, ``sheet_position``, ``start_row``, ``start_column``,
``row_count``, ``column_count`` (positions and rows/columns 0-based; unused keys None):

- ``rng.value = [[...]]`` -> ``func="setValues"``, ``args=[None]``, ``values`` = the 2D
  block (None as "", a date as "2024-06-01", a datetime as "2024-06-01 14:30:00"),
  plus the range's position and size. A scalar is sent as [[value]].
- ``rng.color = "#FFC7CE"`` -> ``func="setRangeColor"``, ``args=["#FFC7CE"]`` plus the
  range position (a string passes through as given; an RGB tuple becomes "#ffc7ce").
- ``book.sheets.add("Báo cáo")`` -> ``func="addSheet"``, ``args=[index0, "Báo cáo"]``,
  no position (new sheets go last by default, unlike desktop Excel; it becomes active).
- ``book.app.alert(prompt, title=...)`` -> ``func="alert"``,
  ``args=[prompt, title, buttons, mode, callback]`` (buttons defaults to "ok", other
  missing ones are ""), no position.

Writes do not update the snapshot: reading a range after writing it in the same
script returns the old value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # PolyForm Noncommercial

import openpyxl  # noqa: E402
import xlwings as xw  # noqa: E402
from openpyxl.utils.cell import coordinate_from_string, get_column_letter  # noqa: E402

__all__ = ["payload_from_xlsx", "actions"]

_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
_CALCULATION = {"auto": "Automatic", "manual": "Manual", "autoNoTable": "AutomaticExceptTables"}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 0, as Office.js converts dates


def _iso(value: dt.datetime, client: str) -> str:
    """A date/time cell as the client serialises it."""
    if client == "VBA":
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value.isoformat(timespec="milliseconds") + "Z"


def _cell(value, client: str):
    """One cell value as the client sends it in JSON."""
    if value is None:
        return "" if client == "Office.js" else None
    if isinstance(value, dt.datetime):
        return _iso(value.replace(tzinfo=None), client)
    if isinstance(value, dt.date):
        return _iso(dt.datetime.combine(value, dt.time()), client)
    if isinstance(value, dt.time):
        return _iso(dt.datetime.combine(_EXCEL_EPOCH.date(), value), client)
    if isinstance(value, dt.timedelta):
        return _iso(_EXCEL_EPOCH + value, client)
    return value


def _sheet_prefix(sheet_name: str) -> str:
    """Sheet name as Excel prefixes a local name in VBA's ``Name.Name``."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet_name):
        return sheet_name
    return "'" + sheet_name.replace("'", "''") + "'"


def _range_name(defined_name, sheetnames: list[str]):
    """(sheet index, address without $) of a name referring to one range, else None."""
    if defined_name.name.startswith("_xlnm."):
        return None
    try:
        destinations = list(defined_name.destinations)
    except Exception:  # constants, formulas: clients send only range names
        return None
    if len(destinations) != 1 or destinations[0][0] not in sheetnames:
        return None
    sheet, address = destinations[0]
    return sheetnames.index(sheet), address.replace("$", "")


def _names(wb, client: str) -> list[dict]:
    sheetnames = wb.sheetnames
    names = []
    for defined_name in wb.defined_names.values():
        target = _range_name(defined_name, sheetnames)
        if target:
            names.append(
                {"name": defined_name.name, "sheet_index": target[0], "address": target[1],
                 "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None}
            )
    for scope_index, ws in enumerate(wb.worksheets):
        for defined_name in ws.defined_names.values():
            target = _range_name(defined_name, sheetnames)
            if target:
                name = defined_name.name
                if client == "VBA":
                    name = f"{_sheet_prefix(ws.title)}!{name}"
                names.append(
                    {"name": name, "sheet_index": target[0], "address": target[1],
                     "book_scope": False, "scope_sheet_name": ws.title,
                     "scope_sheet_index": scope_index}
                )
    return names


def _tables(ws) -> list[dict]:
    tables = []
    for table in ws.tables.values():
        (c1, r1), (c2, r2) = (coordinate_from_string(part) for part in table.ref.split(":"))
        headers, totals = bool(table.headerRowCount), bool(table.totalsRowCount)
        body = f"{c1}{r1 + headers}:{c2}{r2 - totals}"
        tables.append(
            {"name": table.displayName, "range_address": table.ref,
             "header_row_range_address": f"{c1}{r1}:{c2}{r1}" if headers else None,
             "data_body_range_address": body,
             "total_row_range_address": f"{c1}{r2}:{c2}{r2}" if totals else None,
             "show_headers": headers, "show_totals": totals,
             "table_style": table.tableStyleInfo.name if table.tableStyleInfo else None,
             "show_autofilter": table.autoFilter is not None}
        )
    return tables


def _values(ws, values_ws, client: str) -> tuple[list[list], str | None]:
    """Rectangle A1:<last used cell> of ``values_ws`` sized by ``ws``, and the used range."""
    if ws.max_row == 1 and ws.max_column == 1 and ws["A1"].value is None:
        return ([[""]] if client == "Office.js" else [[]]), None
    rows = values_ws.iter_rows(
        min_row=1, max_row=ws.max_row, min_col=1, max_col=ws.max_column, values_only=True
    )
    values = [[_cell(v, client) for v in row] for row in rows]
    used = f"{get_column_letter(ws.min_column)}{ws.min_row}:" \
           f"{get_column_letter(ws.max_column)}{ws.max_row}"
    return values, used


def payload_from_xlsx(
    path: Path,
    active_sheet: str | None = None,
    caller_name: str | None = None,
    *,
    values_from: Path | None = None,
    client: str = "Office.js",
    selection: str | None = None,
) -> dict:
    """The dict an xlwings client would post for the workbook ``path``.

    Structure (sheets, visibility, names, tables, selection) comes from ``path``;
    cell values from ``values_from`` (a recalculated copy, matched by sheet name) or
    from ``path``'s cached values. ``active_sheet`` names the active sheet (default:
    the file's), ``caller_name`` the book name the client reports (default: the file
    name), ``client`` is "Office.js" (default) or "VBA". The result went through
    ``json.dumps``/``json.loads``, exactly like a real request body; pass a fresh
    payload to each ``xw.Book(json=...)`` since the remote Book mutates it.
    """
    if client not in ("Office.js", "VBA"):
        raise ValueError(f"unsupported client {client!r}")
    wb = openpyxl.load_workbook(path)
    values_wb = openpyxl.load_workbook(values_from or path, data_only=True)
    try:
        active_index = (
            wb.sheetnames.index(active_sheet) if active_sheet else wb.index(wb.active)
        )
        if selection is None:
            view = wb.worksheets[active_index].sheet_view
            selection = (view.selection[0].sqref if view.selection else None) or "A1"
        book = {"name": caller_name or Path(path).name,
                "active_sheet_index": active_index, "selection": str(selection)}
        if client == "Office.js":
            calc_mode = wb.calculation.calcMode if wb.calculation else None
            book["calculation"] = _CALCULATION.get(calc_mode or "auto", "Automatic")
        sheets = []
        for ws in wb.worksheets:
            values, used = _values(ws, values_wb[ws.title], client)
            sheets.append(
                {"name": ws.title, "visibility": _VISIBILITY[ws.sheet_state],
                 "values": values, "used_range_address": used,
                 "pictures": [], "tables": _tables(ws), "shapes": [], "charts": [],
                 "notes": []}
            )
        payload = {"client": client, "version": xw.__version__, "book": book,
                   "names": _names(wb, client), "sheets": sheets}
    finally:
        wb.close()
        values_wb.close()
    return json.loads(json.dumps(payload))


def actions(book) -> list[dict]:
    """The actions a remote ``xw.Book`` has recorded so far (see module docstring)."""
    return book.json()["actions"]
