"""Workbook-scoped defined names → cells, for openpyxl workbooks: the one home of the
``wb.defined_names[name].destinations`` idiom (code reads and writes by name, never by
coordinates), and :func:`put`, the one way a value is written into a cell as data."""
from __future__ import annotations


def named_range(wb, name: str):
    """``(worksheet, "A4:AB1004")``: the sheet and the reference (no ``$``) that ``name`` points at.
    Raises ``KeyError`` when the workbook has no such name."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet], ref.replace("$", "")


def named_bounds(wb, name: str):
    """``(worksheet, first_row, first_col, last_row, last_col)`` of ``name`` (1-based)."""
    from openpyxl.utils.cell import range_boundaries  # (not at import: a dry-run merge never loads openpyxl)

    ws, ref = named_range(wb, name)
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return ws, min_row, min_col, max_row, max_col


def first_row(wb, name: str) -> int:
    """The first row of the range ``name`` (a list's header row, a register's first data row)."""
    return named_bounds(wb, name)[1]


def named_cell(wb, name: str):
    """The (top-left) cell ``name`` points at."""
    ws, r1, c1, _, _ = named_bounds(wb, name)
    return ws.cell(r1, c1)


def put(cell, value) -> None:
    """Write a value as data: text stays text even when it starts with '=' (never a formula)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
