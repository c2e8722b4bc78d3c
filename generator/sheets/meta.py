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
# Written after KEYS, only on a workbook issued for a registry unit, from a profile, or signed (a
# blank template without either keeps exactly KEYS): the registry facts it was issued with, the
# profile they come from, and the Sở's signature (cdht.signing) over them and the layout digest.
IDENTITY_KEYS = ["unit_name", "parent_name", "disadvantaged", "children", "profile"]
SIGNATURE_KEY = "signature"


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
        if k in KEYS or v not in (None, ""):  # (an empty property is read differently by the fast path)
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
    facts = identity(book)
    if facts:
        meta.update(facts)
    if book.signing_key is not None:
        from cdht.signing import sign_with, signed_payload
        meta[SIGNATURE_KEY] = sign_with(signed_payload(meta), book.signing_key)
    return meta


def identity(book) -> dict:
    """The registry facts of an issued workbook (empty for a blank template with neither a
    profile nor a signing key): name, parent, disadvantaged-area status ("Có"/"Không"), the
    expected lower units (JSON list of codes, a parent's) and the profile's name."""
    unit = book.unit
    if unit is None and book.profile is None and book.signing_key is None:
        return {}
    from cdht import rules as R
    parent = book.parent_unit
    children = [u.code for u in book.expected_children()]
    return {
        "unit_name": unit.name if unit else "",
        "parent_name": parent.name if parent else "",
        "disadvantaged": (R.CO if unit.hardship else R.KHONG) if unit else "",
        "children": json.dumps(children, ensure_ascii=False) if children else "",
        "profile": book.profile.name if book.profile is not None else "",
    }


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
