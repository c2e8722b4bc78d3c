"""The very hidden "_meta" sheet: the template's identity, fingerprint and seal code, also written
as custom document properties ``cdht_<key>``. Written last: the fingerprint covers every other sheet."""
from __future__ import annotations

import datetime as dt
import json

from openpyxl.packaging.custom import StringProperty

from cdht import __version__
from cdht import contract as L
from cdht.fingerprint import FINGERPRINT_SCHEME, digest, openpyxl_items, seal_code
from cdht_generator.builder import template_id

KEYS = ["template_id", "edition_id", "edition_version", "tier", "year", "unit_code", "parent_code",
        "generator_version", "fingerprint", "seal", "protected_sheets", "sheet_digests", "fingerprint_scheme"]


def write(book) -> dict:
    """Add ``_meta`` and the document properties; returns the metadata values."""
    ws = book.wb.create_sheet(L.SHEET_META)
    book.name(L.N_SEAL, ws, f"B{KEYS.index('seal') + 1}")  # before fingerprinting: names are in it
    meta = values(book)
    for i, (k, v) in enumerate(meta.items(), start=1):
        ws.cell(i, 1, k)
        ws.cell(i, 2, v)
    ws.sheet_state = "veryHidden"
    book.protect(ws)
    props = book.wb.properties
    for k, v in meta.items():
        book.wb.custom_doc_props.append(StringProperty(name=f"cdht_{k}", value=str(v)))
    props.creator = f"cdht {__version__}"
    props.title = meta["template_id"]
    props.created = props.modified = dt.datetime(book.year + 1, 1, 1)
    return meta


def values(book) -> dict:
    """The metadata of the workbook as built so far (its fingerprint, seal and per-sheet digests)."""
    items = openpyxl_items(book.wb, book.tier)
    fp = digest(items)
    unit = book.unit
    protected = [s.title for s in book.wb.worksheets if s.protection.sheet] + [L.SHEET_META]
    meta = {
        "template_id": template_id(book.edition, book.tier.code, book.year, unit.code if unit else None),
        "edition_id": book.edition.id,
        "edition_version": book.edition.spec.version,
        "tier": book.tier.code,
        "year": book.year,
        "unit_code": unit.code if unit else "",
        "parent_code": (unit.parent or "") if unit else "",
        "generator_version": __version__,
        "fingerprint": fp,
        "seal": seal_code(fp),
        "protected_sheets": json.dumps(protected, ensure_ascii=False),
        "sheet_digests": json.dumps({k: digest({k: v}) for k, v in items.items()}, ensure_ascii=False),
        "fingerprint_scheme": FINGERPRINT_SCHEME,
    }
    assert list(meta) == KEYS
    return meta


def relabel(book, meta: dict, new_id: str, extra_key: str, extra_value: str) -> dict:
    """Give a built workbook another template id (outside the fingerprint) and one more key
    (a department form: its own id and ``contributor``); returns the new metadata."""
    ws = book.wb[L.SHEET_META]
    ws.cell(1, 2, new_id)
    n = ws.max_row + 1
    ws.cell(n, 1, extra_key)
    ws.cell(n, 2, extra_value)
    for p in book.wb.custom_doc_props:
        if p.name == "cdht_template_id":
            p.value = new_id
    book.wb.custom_doc_props.append(StringProperty(name=f"cdht_{extra_key}", value=extra_value))
    book.wb.properties.title = new_id
    return {**meta, "template_id": new_id, extra_key: extra_value}
