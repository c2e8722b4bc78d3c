"""Workbook-scoped defined names → cells, for openpyxl workbooks: the one home of the
``wb.defined_names[name].destinations`` idiom (code reads and writes by name, never by
coordinates), and :func:`put`, the one way a value is written into a cell as data."""
from __future__ import annotations

import re

from cdht.xlsx.book import plain_value


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


# What no sheet can hold: XML 1.0's illegal characters (C0 controls but tab, line feed, return;
# lone surrogates; U+FFFE/U+FFFF) and more than Excel's 32,767 characters in one cell.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CELL_MAX_CHARS = 32767


def sheet_text(text: str) -> str:
    """``text`` as a cell can hold it: vertical tab and form feed (line breaks pasted from Word)
    made line feeds, other illegal characters removed, cut to Excel's cell limit (ending "…").
    The readers report such characters in a source (CDHT-W028); this is the last guard of every
    write, for texts that reach a sheet inside a message (a hostile ``_meta`` value quoted in a
    finding) or from anywhere else."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text)
    return text if len(text) <= CELL_MAX_CHARS else text[:CELL_MAX_CHARS - 1] + "…"


# What Excel reads as something other than the text typed into a cell (a live book is written the
# way a person types: Range.Value): numbers ("00004" → 4, "1234567e8901" → 1.23E+14, "12%"), dates
# and times ("01/02/2027", "2026-12-02 20:37:49", "Mar 2026", "1/2"), TRUE / FALSE, error values
# ("#N/A"), a formula (= + - @), and a leading apostrophe (taken as the text prefix).
_EXCEL_WORDS = re.compile(r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
                          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|[ap]\.?m\.?)\b")
_EXCEL_NUMERIC = re.compile(r"[\d\s+\-.,/:()%$€£¥₫e]*\d[\d\s+\-.,/:()%$€£¥₫e]*")


def excel_literal(text: str) -> str:
    """``text`` (cleaned: :func:`sheet_text`) as it must be typed into a live Excel cell to stay
    exactly that text: with Excel's text prefix ``'`` when Excel would read it as a number, a
    date or time, a truth value, an error value or a formula — a unit code "00004" kept, not made
    the number 4 — and as it is otherwise. The prefix is not part of the cell's value. (A file
    written with openpyxl needs none: its cells are typed as text there, :func:`put`.)"""
    text = sheet_text(text)
    bare = text.strip().casefold()
    if (text[:1] in ("=", "+", "-", "@", "'") or bare[:1] == "#" or bare in ("true", "false")
            or _EXCEL_NUMERIC.fullmatch(_EXCEL_WORDS.sub("", bare))):
        return "'" + text
    return text


def put(cell, value) -> None:
    """Write a value as data: text stays text even when it starts with '=' (never a formula), and
    holds only what a cell can (:func:`sheet_text`); a numpy scalar is written as the Python number
    it holds (:func:`cdht.xlsx.book.plain_value`: openpyxl may have been imported without numpy)."""
    if isinstance(value, str):
        value = sheet_text(value)
    else:
        value = plain_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def put_rows(ws, first_row: int, first_col: int, rows) -> None:
    """:func:`put` of each value of ``rows`` (a list of rows) into the cells from (``first_row``,
    ``first_col``) on; "" and None leave their cell untouched. In bulk, for the thousands of cells of
    a merged list (some 40 a unit): each distinct text is made a cell's text once (:func:`sheet_text`)
    and stored as :func:`put` leaves it — openpyxl's own check of a text (``Cell.check_string``)
    refuses a subset of what ``sheet_text`` removed and cuts at the same length, so it is not run
    a second time; other values go through :func:`put`."""
    texts: dict[str, str] = {}
    cell_at = ws.cell
    for r, values in enumerate(rows, first_row):
        for c, v in enumerate(values, first_col):
            if v is None or v == "":
                continue
            cell = cell_at(r, c)
            if type(v) is str:
                text = texts.get(v)
                if text is None:
                    text = texts[v] = sheet_text(v)
                cell._value, cell.data_type = text, "s"  # = put(cell, v): text, never a formula
            else:
                put(cell, v)
