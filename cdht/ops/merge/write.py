"""Step 7b, write: the :class:`~cdht.ops.merge.updates.SheetUpdate` list into an openpyxl workbook
(the parent file; saved afterwards by :func:`cdht.xlsx.save.save_safely`)."""
from __future__ import annotations

from cdht import contract as L
from cdht.xlsx.fastread import named_rows
from cdht.xlsx.names import named_bounds, named_cell, named_range, put, put_rows

from cdht.ops.merge.updates import SUMMARY_CELL, Placement, SheetUpdate


def write_updates(wb, updates: list[SheetUpdate], raw=None) -> None:
    """Apply every update to ``wb``. ``raw``: the parent's raw read
    (``cdht.xlsx.fastread.read_raw``), which says which cells of a named range hold something —
    only those are cleared (touching every cell of a 5,000-row register would create them)."""
    for u in updates:
        _WRITERS[u.placement](wb, u, raw)


def _below_header(wb, u: SheetUpdate, raw) -> None:
    ws, header, _, _, _ = named_bounds(wb, u.name)
    if ws.max_row > header:
        ws.delete_rows(header + 1, ws.max_row - header)
    _put_rows(ws, header + 1, u)


def _in_range(wb, u: SheetUpdate, raw) -> None:
    ws, r1, c1, _, _ = named_bounds(wb, u.name)
    if raw is not None:
        _, first, old = named_rows(raw, u.name)
        for i, row in enumerate(old):
            for j, v in enumerate(row):
                if v is not None:
                    ws.cell(first + i, c1 + j).value = None
    else:
        for row in ws[named_range(wb, u.name)[1]]:
            for c in row:
                c.value = None
    _put_rows(ws, r1, u)


def _append(wb, u: SheetUpdate, raw) -> None:
    ws, header, _, _, _ = named_bounds(wb, u.name)
    _put_rows(ws, max(ws.max_row, header) + 1, u)


def _row(wb, u: SheetUpdate, raw) -> None:
    from cdht_generator.workbook import writable_cell

    ws, _, c1, _, _ = named_bounds(wb, u.name)
    for j, v in enumerate(u.rows[0]):
        if v is not None:
            put(writable_cell(ws, u.row, c1 + j), v)  # a new cell takes its input row's protection


def _cell(wb, u: SheetUpdate, raw) -> None:
    put(named_cell(wb, u.name), u.rows[0][0])


def _summary(wb, u: SheetUpdate, raw) -> None:
    ws, _ = named_range(wb, u.name)
    put(ws[SUMMARY_CELL], u.rows[0][0])


def _block(wb, u: SheetUpdate, raw) -> None:
    """Exactly the named cells (a dashboard block of "Tổng quan"); a parent without the name (a
    template older than the dashboard) is left as it is. The sheet becomes the one a merged parent
    opens on."""
    if u.name not in wb.defined_names:
        return
    ws, r1, c1, _, _ = named_bounds(wb, u.name)
    for i, values in enumerate(u.rows):
        for j, v in enumerate(values[:u.width]):
            put(ws.cell(r1 + i, c1 + j), None if v == "" else v)
        for col in u.date_columns:
            ws.cell(r1 + i, c1 + col - 1).number_format = "dd/mm/yyyy"
    if wb.active is not ws:
        for other in wb.worksheets:
            other.sheet_view.tabSelected = other is ws
        wb.active = ws


_WRITERS = {Placement.BELOW_HEADER: _below_header, Placement.IN_RANGE: _in_range,
            Placement.APPEND: _append, Placement.CELL: _cell, Placement.SUMMARY: _summary,
            Placement.ROW: _row, Placement.BLOCK: _block}


def _put_rows(ws, first_row: int, u: SheetUpdate) -> None:
    """Write the rows into empty cells (new rows, or cleared; "" leaves a cell untouched), then
    the update's date formats and fills."""
    from openpyxl.styles import PatternFill

    put_rows(ws, first_row, 1, u.rows)
    # one fill object per colour: openpyxl finds a reused object in its style table by identity
    fills = {k: PatternFill("solid", fgColor=c) for k, c in {**u.fills, "": L.COLOR_NONE}.items()}
    for i, values in enumerate(u.rows):
        for col in u.date_columns:
            ws.cell(first_row + i, col).number_format = "dd/mm/yyyy"
        for col in u.text_columns:
            ws.cell(first_row + i, col).number_format = L.TEXT_FORMAT
        if u.fill_column is not None:
            ws.cell(first_row + i, u.fill_column).fill = fills.get(values[u.fill_column - 1], fills[""])
