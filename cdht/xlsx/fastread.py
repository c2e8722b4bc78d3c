"""Open a workbook once, fast: values with python-calamine, the rest straight from the package parts.

calamine gives cell values (and is what bulk merges are measured against) but no defined names,
formulas, error values or protection; those come from ``xl/workbook.xml`` and each sheet's XML,
read from the same zip in one pass. The result feeds the reader and the layout fingerprint
(``cdht.fingerprint.layout_items``), so a submitted file is checked without openpyxl.
"""
from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from posixpath import join as pjoin, normpath

from cdht.fingerprint import coord_of

_SHEET = re.compile(rb'<sheet\b([^>]*)/>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_NAME = re.compile(rb'<definedName\b([^>]*)>(.*?)</definedName>', re.S)
_NAME_ATTR = re.compile(rb'\bname="([^"]*)"')
_REL = re.compile(rb'<Relationship\b([^>]*)/>')
_F = re.compile(rb'<f\b([^>]*?)(?:/>|>(.*?)</f>)', re.S)
_ANY_F = re.compile(rb'<f[ >/]')
_PLAIN_F = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*><f>([^<]*)</f>')  # the common case, one pass
_ECELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?\bt="e"[^>]*?(?<!/)>(?:<f\b[^>]*?(?:/>|>.*?</f>))?<v>(.*?)</v>', re.S)
_PROT = re.compile(rb'<sheetProtection\b([^>]*)/>')
_CUSTOM = re.compile(rb'<property\b[^>]*name="([^"]+)"[^>]*>\s*<vt:\w+>(.*?)</vt:\w+>', re.S)


def _text(raw: bytes) -> str:
    s = raw.decode("utf-8")
    return html.unescape(s) if "&" in s else s


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode(): html.unescape(v.decode("utf-8")) for k, v in _ATTR.findall(raw)}


@dataclass
class RawSheet:
    name: str
    state: str = "visible"
    protected: bool = False
    formulas: dict[str, str] = field(default_factory=dict)   # coord → "=…"
    errors: dict[str, str] = field(default_factory=dict)     # coord → "#REF!"
    values: list[list] | None = None                         # from A1, calamine

    def value(self, coord: str):
        if coord in self.errors:
            return self.errors[coord]
        row, col = coord_of(coord)
        vals = self.values or []
        if row - 1 < len(vals) and col - 1 < len(vals[row - 1]):
            v = vals[row - 1][col - 1]
            return None if v == "" else v
        return None


@dataclass
class RawBook:
    sheets: dict[str, RawSheet]
    names: dict[str, str]              # workbook-scoped defined names → reference text
    custom_props: dict[str, str]
    structure_locked: bool


_DECODED: tuple[dict[bytes, str], dict[bytes, str]] = ({}, {})  # b"B7" → "B7"; formula text → "=…"


def _formulas(xml: bytes, sheet: RawSheet) -> None:
    if b't="e"' in xml:
        for coord, v in _ECELL.findall(xml):
            sheet.errors[coord.decode()] = html.unescape(v.decode()) or "#VALUE!"
    first = _ANY_F.search(xml)  # (not b"<f": <formula1> of a validation matches that)
    if first is None:
        return
    if b"<f " not in xml and b"<f/" not in xml:  # no shared / array formulas: all plain <f>text</f>
        coords, texts = _DECODED
        if len(texts) > 50_000:
            coords.clear(), texts.clear()
        for coord, text in _PLAIN_F.findall(xml, max(0, xml.rfind(b"<c ", 0, first.start()))):
            # every file of a template repeats the same coordinates and formula texts: decode once
            c, f = coords.get(coord), texts.get(text)
            if c is None:
                c = coords[coord] = coord.decode()
            if f is None:
                f = text.decode("utf-8")
                f = texts[text] = "=" + (html.unescape(f) if "&" in f else f)
            sheet.formulas[c] = f
        return
    shared: dict[str, tuple[str, str]] = {}
    for m in _F.finditer(xml, first.start()):  # find formulas, then the cell each one sits in (skips empty cells fast)
        start = xml.rfind(b'<c r="', 0, m.start()) + 6
        coord = xml[start:xml.index(b'"', start)].decode()
        fa = _attrs(m.group(1)) if b"t=" in m.group(1) else {}
        text = html.unescape(m.group(2).decode("utf-8")) if m.group(2) is not None else ""
        if fa.get("t") == "shared":
            si = fa.get("si", "")
            if text:
                shared[si] = (coord, text)
            elif si in shared:
                from openpyxl.formula.translate import Translator
                origin, master = shared[si]
                text = Translator("=" + master, origin=origin).translate_formula(coord)[1:]
        sheet.formulas[coord] = "=" + text


def _block(xml: bytes, tag: bytes) -> bytes:
    """The ``<tag>…</tag>`` element of workbook.xml (empty when absent)."""
    start = xml.find(b"<" + tag)
    end = xml.find(b"</" + tag + b">", start)
    return xml[start:end] if start >= 0 and end >= 0 else b""


def _workbook_parts(sheets_xml: bytes, names_xml: bytes, rels_xml: bytes) -> tuple[list, dict]:
    """([(sheet, state, part path)], workbook-scoped names): memoised, since every file of one
    template lists the same sheets and names."""
    key = (sheets_xml, names_xml, rels_xml)
    hit = _WB_PARTS.get(key)
    if hit is None:
        rels = {a.get("Id"): a.get("Target") for a in (_attrs(r) for r in _REL.findall(rels_xml))}
        listed = []
        for raw in _SHEET.findall(sheets_xml):
            a = _attrs(raw)
            target = rels.get(a.get("r:id", ""), "")
            listed.append((a.get("name", ""), a.get("state", "visible"),
                           target.lstrip("/") if target.startswith("/") else normpath(pjoin("xl", target))))
        names = {}
        for attrs, text in _NAME.findall(names_xml):
            if b"localSheetId" in attrs:
                continue
            m = _NAME_ATTR.search(attrs)
            n = _text(m.group(1)) if m else ""
            if not n.startswith("_xlnm."):
                names[n] = _text(text)
        if len(_WB_PARTS) > 64:
            _WB_PARTS.clear()
        hit = _WB_PARTS[key] = (listed, names)
    return hit[0], dict(hit[1])


_WB_PARTS: dict = {}


def read_raw(source, skip=(), zipped: zipfile.ZipFile | None = None) -> RawBook:
    """Read names, sheet states, protection, formulas, errors and values of a workbook in one pass.

    ``source`` is a path or the file's bytes; sheets named in ``skip`` are listed but not read;
    ``zipped``: ``source`` (bytes) already opened as a zip."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        with open(source, "rb") as fh:
            data = fh.read()
    with (zipped or zipfile.ZipFile(io.BytesIO(data))) as z:
        wb_xml = z.read("xl/workbook.xml")
        listed, names = _workbook_parts(_block(wb_xml, b"sheets"), _block(wb_xml, b"definedNames"),
                                        z.read("xl/_rels/workbook.xml.rels"))
        sheets = {name: RawSheet(name, state) for name, state, _ in listed}
        targets = {name: target for name, _, target in listed}
        structure_locked = bool(re.search(rb'<workbookProtection\b[^>]*lockStructure="(1|true)"', wb_xml))
        custom = {}
        if "docProps/custom.xml" in z.namelist():
            custom = {k.decode(): html.unescape(v.decode("utf-8")) for k, v in _CUSTOM.findall(z.read("docProps/custom.xml"))}
        for name, sheet in sheets.items():
            if name in skip:
                continue
            try:
                xml = z.read(targets[name])
            except KeyError:
                continue
            at = xml.rfind(b"<sheetProtection")  # after the cells: found from the end at once
            pm = _PROT.match(xml, at) if at >= 0 else None
            sheet.protected = bool(pm and re.search(rb'\bsheet="(1|true)"', pm.group(1)))
            _formulas(xml, sheet)
    wanted = [s for n, s in sheets.items() if n not in skip]
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # e.g. xlwings Lite (Pyodide) has no calamine wheel: openpyxl reads the values
        _values_with_openpyxl(data, wanted)
        return RawBook(sheets, names, custom, structure_locked)
    cal = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for sheet in wanted:
        try:
            sheet.values = cal.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        except Exception:
            sheet.values = []
    return RawBook(sheets, names, custom, structure_locked)


def _values_with_openpyxl(data: bytes, sheets: list[RawSheet]) -> None:
    """Cell values from A1, shaped like calamine's (``""`` for empty), read with openpyxl."""
    import warnings

    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in sheets:
            if sheet.name not in wb.sheetnames:
                sheet.values = []
                continue
            rows = [["" if v is None else v for v in row] for row in wb[sheet.name].iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            sheet.values = [r + [""] * (width - len(r)) for r in rows]
    finally:
        wb.close()


_LETTERS = [""]


def _letters(col: int) -> str:
    while col >= len(_LETTERS):
        _LETTERS.append(_col_letters(len(_LETTERS)))
    return _LETTERS[col]


def _col_letters(col: int) -> str:
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def raw_items(rb: RawBook, tier) -> dict[str, list[str]]:
    """Layout items of a raw read, in the same canonical form as the generator's (openpyxl) ones."""
    from cdht.fingerprint import layout_items

    def cells(s: RawSheet) -> list:
        out = [(*coord_of(coord), coord, "f", f) for coord, f in s.formulas.items()]
        taken = s.formulas.keys() | s.errors.keys()
        letters = [_letters(c) for c in range(max(map(len, s.values), default=0) + 1)]
        for r, row in enumerate(s.values, start=1):
            rs = str(r)
            out += [(r, c, letters[c] + rs, "c", v) for c, v in enumerate(row, start=1)
                    if v != "" and v is not None and letters[c] + rs not in taken]
        return out

    return layout_items(((s.name, s.state, cells(s)) for s in rb.sheets.values() if s.values is not None),
                        rb.names, tier)


def named_rows(rb, name: str) -> tuple[str | None, int, list[list]]:
    """(sheet, first row number, rows) of a named range in a raw read; integral floats as ints."""
    from cdht.fingerprint import parse_ref

    ref = parse_ref(rb.names.get(name, ""))
    if ref is None or ref[0] not in rb.sheets:
        return None, 0, []
    sheet, r1, c1, r2, c2 = ref
    rows = []
    for row in (rb.sheets[sheet].values or [])[r1 - 1:r2]:
        vals = [None if v == "" else (int(v) if isinstance(v, float) and v.is_integer() else v)
                for v in row[c1 - 1:c2]]
        rows.append(vals + [None] * (c2 - c1 + 1 - len(vals)))
    return sheet, r1, rows
