"""Re-save a workbook's package the way other spreadsheet programs spell the same XML.

Each variant is a real XML rewrite (ElementTree), never a text substitution, so the result is the
same workbook to any conforming reader: attributes in another order, the main namespace under a
prefix (``<x:c>``, as .NET's Open XML SDK and some exporters write), inline strings moved to the
shared-string table (as Excel, LibreOffice, WPS and OnlyOffice save them).
"""
from __future__ import annotations

import io
import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _serialise(root: ET.Element, prefix: str | None) -> bytes:
    # ElementTree picks prefixes from its global registry: set the one wanted for this write
    ET.register_namespace(prefix or "", MAIN)
    ET.register_namespace("r", REL)
    try:
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)
    finally:
        ET.register_namespace("", MAIN)


def reorder_attributes(root: ET.Element) -> None:
    """Every element's attributes in reverse order (``<c s="1" t="n" r="B7">``)."""
    for el in root.iter():
        items = list(el.attrib.items())
        el.attrib.clear()
        el.attrib.update(reversed(items))


def drop_cell_refs(root: ET.Element) -> None:
    """Cells without their optional ``r`` attribute (each follows the one before in its row):
    only possible when a row's cells are contiguous from column A, so only those rows lose it."""
    for row in root.iter(_q("row")):
        cells = row.findall(_q("c"))
        cols = [_column(c.get("r", "")) for c in cells]
        if cols == list(range(1, len(cells) + 1)):
            for c in cells:
                c.attrib.pop("r", None)


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch) - 64
    return n


def to_shared_strings(root: ET.Element, table: list[str]) -> None:
    """Inline strings become indices into the shared-string table ``table`` (appended to)."""
    for c in root.iter(_q("c")):
        if c.get("t") != "inlineStr":
            continue
        is_ = c.find(_q("is"))
        text = "".join(t.text or "" for t in is_.iter(_q("t"))) if is_ is not None else ""
        if is_ is not None:
            c.remove(is_)
        c.set("t", "s")
        v = ET.SubElement(c, _q("v"))
        v.text = str(len(table))
        table.append(text)


def _sst(table: list[str]) -> bytes:
    root = ET.Element(_q("sst"), {"count": str(len(table)), "uniqueCount": str(len(table))})
    for s in table:
        t = ET.SubElement(ET.SubElement(root, _q("si")), _q("t"))
        t.text = s
        if s != s.strip():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return _serialise(root, None)


def _add_sst_part(parts: dict[str, bytes]) -> None:
    ET.register_namespace("", CT)
    ct = ET.fromstring(parts["[Content_Types].xml"])
    ET.SubElement(ct, f"{{{CT}}}Override", {"PartName": "/xl/sharedStrings.xml", "ContentType": SST_TYPE})
    parts["[Content_Types].xml"] = ET.tostring(ct, encoding="utf-8", xml_declaration=True)
    ET.register_namespace("", PKG_REL)
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    ET.SubElement(rels, f"{{{PKG_REL}}}Relationship",
                  {"Id": "rIdSst", "Type": SST_REL, "Target": "sharedStrings.xml"})
    parts["xl/_rels/workbook.xml.rels"] = ET.tostring(rels, encoding="utf-8", xml_declaration=True)
    ET.register_namespace("", MAIN)


def resave(src: Path, dst: Path, *, reorder: bool = False, prefix: str | None = None,
           shared_strings: bool = False, no_refs: bool = False, workbook_too: bool = True) -> Path:
    """Copy ``src`` to ``dst`` with its sheet (and workbook) XML rewritten as asked."""
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    table: list[str] = []
    for name in list(parts):
        if not (_SHEET_PART.match(name) or (workbook_too and name == "xl/workbook.xml")):
            continue
        ET.register_namespace("", MAIN)
        root = ET.fromstring(parts[name])
        if shared_strings and name != "xl/workbook.xml":
            to_shared_strings(root, table)
        if no_refs and name != "xl/workbook.xml":
            drop_cell_refs(root)
        if reorder:
            reorder_attributes(root)
        parts[name] = _serialise(root, prefix)
    if shared_strings and table:
        assert "xl/sharedStrings.xml" not in parts
        parts["xl/sharedStrings.xml"] = _sst(table)
        _add_sst_part(parts)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    dst.write_bytes(buf.getvalue())
    return dst
