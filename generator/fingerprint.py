"""The layout fingerprint: a hash of what a template fixes — formulas, locked cells, sheets, names.

The generator stores it in ``_meta`` and the document properties; a reader recomputes it from the
submitted file. Input (unlocked) cells and the tool sheets are outside it, so filling a template
never changes it, while editing a formula, a locked text, a sheet or a defined name does.
"""
from __future__ import annotations

import hashlib

from .layout import SHEET_META, TOOL_SHEETS


def _norm(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(float(v))
    return str(v)


def layout_items(wb) -> dict[str, list[str]]:
    """Canonical items per sheet (``"<sheet>"``) and for defined names (``"#names"``)."""
    out: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        if ws.title in TOOL_SHEETS or ws.title == SHEET_META:
            continue
        items = [f"S|{ws.title}|{ws.sheet_state}"]
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None or not c.protection.locked:
                    continue  # inputs: what people type (even text starting with "=") is not layout
                if c.data_type == "f":
                    items.append(f"F|{c.coordinate}|{v}")
                else:
                    items.append(f"C|{c.coordinate}|{_norm(v)}")
        out[ws.title] = items
    out["#names"] = sorted(f"N|{n}|{d.attr_text}" for n, d in wb.defined_names.items())
    return out


def digest(items: dict[str, list[str]]) -> str:
    h = hashlib.sha256()
    for key in sorted(items):
        for it in items[key]:
            h.update(it.encode("utf-8"))
            h.update(b"\n")
    return h.hexdigest()


def layout_fingerprint(wb) -> str:
    return digest(layout_items(wb))


def seal_code(fingerprint: str) -> str:
    """The short code printed beside the signature (from the layout fingerprint)."""
    return fingerprint[:4].upper() + "-" + fingerprint[4:8].upper()
