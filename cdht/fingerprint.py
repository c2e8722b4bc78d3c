"""The layout fingerprint: a hash of what a template fixes — formulas, fixed texts, sheets, names.

The generator stores it in ``_meta`` and the document properties; every reader recomputes it from
the submitted file. What people may type — the cells of the input names of the contract
(:func:`cdht.contract.input_names`) and the evidence register — and the tool sheets are outside
it, so filling a template never changes it, while editing a formula, a fixed text, a sheet or a
defined name does. Two adapters feed the same core: an openpyxl workbook (the generator) and a
raw package read (``cdht.xlsx.fastread``); tests check they agree on every generated file.

What it does not cover, and cannot prove: it is an unkeyed hash (anyone can recompute it), and the
identity in ``_meta`` (year, unit, registry facts) is outside it. The readers compare the locked
identity cells with ``_meta`` (:mod:`cdht.read.identity`); only the Sở's Ed25519 signature over
identity, registry facts and this digest (:mod:`cdht.signing`) proves who issued what.
"""
from __future__ import annotations

import hashlib

# Bump when the definition of the items below changes: readers refuse a scheme they do not know
# instead of calling every earlier template tampered.
FINGERPRINT_SCHEME = "1"
import re
from typing import Iterable

from cdht.contract import SHEET_META, TOOL_SHEETS, input_names, input_ranges

_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def coord_of(coord: str) -> tuple[int, int]:
    """``"B12"`` → (12, 2). Memoised: every file of a template repeats the same coordinates."""
    rc = _COORDS.get(coord)
    if rc is None:
        i = next(k for k, ch in enumerate(coord) if ch.isdigit())
        rc = int(coord[i:]), col_index(coord[:i])
        if len(_COORDS) > 200_000:
            _COORDS.clear()
        _COORDS[coord] = rc
    return rc


_COORDS: dict[str, tuple[int, int]] = {}


def parse_ref(text: str) -> tuple[str, int, int, int, int] | None:
    """``'Sheet'!$A$5:$H$304`` → (sheet, row1, col1, row2, col2); None when not a plain reference."""
    m = _REF.match(text.strip())
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    c1, r1 = col_index(m.group(3)), int(m.group(4))
    c2, r2 = (col_index(m.group(5)), int(m.group(6))) if m.group(5) else (c1, r1)
    return sheet, r1, c1, r2, c2


def input_area(names: dict[str, str], tier) -> list[tuple[str, int, int, int, int]]:
    """The rectangles people may type into, resolved through the workbook's own names."""
    key = (id(tier), tuple(names.items()))  # (every file of a template lists its names in one order)
    if key not in _AREA_CACHE:
        if len(_AREA_CACHE) > 64:
            _AREA_CACHE.clear()
        _AREA_CACHE[key] = _input_area(names, tier)
    return _AREA_CACHE[key]


_AREA_CACHE: dict = {}


def _input_area(names, tier):
    out = []
    for n in input_names(tier) + input_ranges():
        ref = parse_ref(names[n]) if n in names else None
        if ref and n in input_ranges():
            # the register's rows are unlocked whole (row formats): whatever is typed right of
            # its last column is outside the template too (the readers ignore it)
            ref = (ref[0], ref[1], 1, ref[3], MAX_COLUMN)
        if ref:
            out.append(ref)
    return out


MAX_COLUMN = 16384  # XFD


_UNQUOTED_SHEET = re.compile(r"(?<![\w.'\]\\])([^\W\d][\w.]*)!")
_BOOL_CALL = re.compile(r"\b(TRUE|FALSE)\(\)")
_CANON: dict[str, str] = {}


def canonical_formula(text: str) -> str:
    """A formula (or a defined name's reference) in one spelling whichever program saved it last:
    sheet names always quoted (``_ds!$A$1`` → ``'_ds'!$A$1``) and ``TRUE()``/``FALSE()`` as
    ``TRUE``/``FALSE`` — how LibreOffice (and Excel, for names) rewrite what the generator wrote.
    String literals are left alone. The generator's own spelling is already canonical, so stored
    fingerprints do not change."""
    out = _CANON.get(text)
    if out is None:
        out = text
        if "!" in text or "()" in text:
            parts = text.split('"')  # even parts are outside string literals ("" escapes included)
            for i in range(0, len(parts), 2):
                part = parts[i]
                if "()" in part:
                    part = _BOOL_CALL.sub(r"\1", part)
                if "!" in part:
                    part = _UNQUOTED_SHEET.sub(r"'\1'!", part)
                parts[i] = part
            out = '"'.join(parts)
        if len(_CANON) > 100_000:
            _CANON.clear()
        _CANON[text] = out
    return out


def _norm(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(float(v))
    return str(v)


def layout_items(sheets: Iterable[tuple[str, str, Iterable[tuple[int, int, str, str, object]]]],
                 names: dict[str, str], tier) -> dict[str, list[str]]:
    """Canonical items per sheet and for ``#names``.

    ``sheets`` yields (title, state, cells) with cells as (row, column, coordinate, "f" | "c", value)."""
    singles: dict[str, set[tuple[int, int]]] = {}
    ranges: dict[str, list[tuple[int, int, int, int]]] = {}
    for sheet, r1, c1, r2, c2 in input_area(names, tier):
        if (r1, c1) == (r2, c2):
            singles.setdefault(sheet, set()).add((r1, c1))
        else:
            ranges.setdefault(sheet, []).append((r1, c1, r2, c2))
    out: dict[str, list[str]] = {}
    for title, state, cells in sheets:
        if title in TOOL_SHEETS or title == SHEET_META:
            continue
        single, rects = singles.get(title, ()), ranges.get(title, ())
        items = []
        append = items.append
        for row, col, coord, kind, v in cells:  # (the hot loop of every read: kept flat)
            if v is None or v == "" or (single and (row, col) in single):
                continue
            for r1, c1, r2, c2 in rects:
                if r1 <= row <= r2 and c1 <= col <= c2:
                    break
            else:
                if kind == "f":
                    append((row, col, "F|" + coord + "|" + canonical_formula(v if type(v) is str else str(v))))
                else:
                    append((row, col, "C|" + coord + "|" + (v if type(v) is str else _norm(v))))
        items.sort()
        out[title] = [f"S|{title}|{state}"] + [it[2] for it in items]
    out["#names"] = _names_items(names)
    return out


_NAMES_ITEMS: dict = {}


def _names_items(names: dict[str, str]) -> list[str]:
    """The ``#names`` items: memoised, since every file of a template has the same names."""
    key = tuple(names.items())
    hit = _NAMES_ITEMS.get(key)
    if hit is None:
        if len(_NAMES_ITEMS) > 64:
            _NAMES_ITEMS.clear()
        hit = _NAMES_ITEMS[key] = sorted(f"N|{n}|{canonical_formula(t)}" for n, t in names.items())
    return list(hit)


def openpyxl_items(wb, tier) -> dict[str, list[str]]:
    names = {n: d.attr_text for n, d in wb.defined_names.items()}

    def cells(ws):
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield c.row, c.column, c.coordinate, ("f" if c.data_type == "f" else "c"), c.value

    return layout_items(((ws.title, ws.sheet_state, cells(ws)) for ws in wb.worksheets), names, tier)


def digest(items: dict[str, list[str]]) -> str:
    h = hashlib.sha256()  # of every item followed by a newline, sheets in name order
    for key in sorted(items):
        if items[key]:
            h.update(("\n".join(items[key]) + "\n").encode("utf-8"))
    return h.hexdigest()


def layout_fingerprint(wb, tier=None) -> str:
    """Fingerprint of an openpyxl workbook; ``tier`` defaults to the one its ``_meta`` names."""
    if tier is None:
        from cdht.edition import find_edition
        meta = {r[0]: r[1] for r in wb[SHEET_META].iter_rows(max_col=2, values_only=True) if r[0]}
        tier = find_edition(str(meta["edition_id"])).tier(str(meta["tier"]))
    return digest(openpyxl_items(wb, tier))


def seal_code(fingerprint: str) -> str:
    """The short code printed beside the signature (from the layout fingerprint)."""
    return fingerprint[:4].upper() + "-" + fingerprint[4:8].upper()
