"""Open a workbook once, fast: values with python-calamine, the rest straight from the package parts.

calamine gives cell values (and is what bulk merges are measured against) but no defined names,
formulas, error values or protection; those come from ``xl/workbook.xml`` and each sheet's XML,
read from the same zip in one pass. The result feeds the reader and the layout fingerprint
(``cdht.fingerprint.layout_items``), so a submitted file is checked without openpyxl.

Two ways to read those parts, same result on the files our generator writes:

* the fast path — byte patterns tuned to how openpyxl (and Excel, LibreOffice) spell the XML: one
  pass, no tree. It only pre-screens: a sheet whose XML it cannot vouch for (comments, CDATA, a
  prefixed main namespace) is handed to the real parser at once;
* :func:`read_raw` with ``strict=True`` — a namespace-aware XML parse (``xml.etree`` iterparse) that
  takes any attribute order, namespace prefix (``<x:c>``), shared or inline strings and cells
  without an ``r`` attribute. A layout check never calls a file tampered on the fast path alone:
  it re-reads strictly first (:func:`confirm`, used by ``cdht.read.tamper``).
"""
from __future__ import annotations

import html
import io
import marshal
import re
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from posixpath import join as pjoin, normpath

from cdht.contract import SHEET_META, TOOL_SHEETS
from cdht.fingerprint import coord_of, col_index, digest, input_area

_SHEET = re.compile(rb'<sheet\b([^>]*)/>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_NAME = re.compile(rb'<definedName\b([^>]*)>(.*?)</definedName>', re.S)
_NAME_ATTR = re.compile(rb'\bname="([^"]*)"')
_LOCAL_ATTR = re.compile(rb'\blocalSheetId="([^"]*)"')
_REL = re.compile(rb'<Relationship\b([^>]*)/>')
_F = re.compile(rb'<f\b([^>]*?)(?:/>|>(.*?)</f>)', re.S)
_ANY_F = re.compile(rb'<f[ >/]')
# the common case, one pass: a cell's own formula, no attributes or only ones that leave its text
# as it is (LibreOffice writes every formula as <f aca="false">)
_PLAIN_F = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*><f(?: [^>]*)?>([^<]*)</f>')
_SHARED_F = re.compile(rb'<f\b[^>]*?(?:\bt=|/)')  # a shared / array / data-table formula, or an empty one
_ECELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?\bt="e"[^>]*?(?<!/)>(?:<f\b[^>]*?(?:/>|>.*?</f>))?<v>(.*?)</v>', re.S)
_PROT = re.compile(rb'<sheetProtection\b([^>]*)/>')
_CUSTOM = re.compile(rb'<property\b[^>]*name="([^"]+)"[^>]*>\s*<vt:\w+\b[^>]*>(.*?)</vt:\w+>', re.S)


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
    strict: bool = False               # read by the XML parser (True) or the fast path
    source: bytes | None = field(default=None, repr=False)  # the package, for a strict re-read
    skipped: tuple = ()                # sheets listed but not read
    # every definition of a name the product reads that Excel may resolve otherwise:
    # (name, sheet of a sheet-scoped copy or None for a second workbook-scoped one, its reference)
    name_clashes: tuple = ()


_DECODED: tuple[dict[bytes, str], dict[bytes, str]] = ({}, {})  # b"B7" → "B7"; formula text → "=…"


def _errors(xml: bytes, sheet: RawSheet) -> None:
    if b't="e"' in xml:
        for coord, v in _ECELL.findall(xml):
            sheet.errors[coord.decode()] = html.unescape(v.decode()) or "#VALUE!"


def _plain_formulas(xml: bytes, sheet: RawSheet, start: int) -> None:
    """Every formula a plain ``<c r="…" …><f …>text</f>`` (no shared / array formulas)."""
    coords, texts = _DECODED
    if len(texts) > 50_000:
        coords.clear(), texts.clear()
    for coord, text in _PLAIN_F.findall(xml, max(0, xml.rfind(b"<c ", 0, start))):
        # every file of a template repeats the same coordinates and formula texts: decode once
        c, f = coords.get(coord), texts.get(text)
        if c is None:
            c = coords[coord] = coord.decode()
        if f is None:
            f = text.decode("utf-8")
            f = texts[text] = "=" + (html.unescape(f) if "&" in f else f)
        sheet.formulas[c] = f


def _shared_formula(shared: dict, coord: str, attrs: dict, text: str) -> str:
    """The text of a formula, a shared formula's followers translated from their master."""
    if attrs.get("t") != "shared":
        return text
    si = attrs.get("si", "")
    if text:
        shared[si] = (coord, text)
    elif si in shared:
        from openpyxl.formula.translate import Translator
        origin, master = shared[si]
        text = Translator("=" + master, origin=origin).translate_formula(coord)[1:]
    return text


def _tagged_formulas(xml: bytes, sheet: RawSheet, start: int) -> None:
    """Formulas with attributes (shared, array): each found, then the cell it sits in."""
    shared: dict[str, tuple[str, str]] = {}
    for m in _F.finditer(xml, start):  # (skips empty cells fast)
        at = xml.rfind(b'<c r="', 0, m.start()) + 6
        coord = xml[at:xml.index(b'"', at)].decode()
        fa = _attrs(m.group(1)) if b"t=" in m.group(1) else {}
        text = html.unescape(m.group(2).decode("utf-8")) if m.group(2) is not None else ""
        sheet.formulas[coord] = "=" + _shared_formula(shared, coord, fa, text)


def _formulas(xml: bytes, sheet: RawSheet) -> None:
    """Fast path: error values and formulas of a sheet's XML, by byte patterns."""
    _errors(xml, sheet)
    first = _ANY_F.search(xml)  # (not b"<f": <formula1> of a validation matches that)
    if first is None:
        return
    if _SHARED_F.search(xml, first.start()) is None:
        _plain_formulas(xml, sheet, first.start())
    else:
        _tagged_formulas(xml, sheet, first.start())


def _fast_path_fits(xml: bytes) -> bool:
    """True when the byte patterns can be trusted on this sheet: default-namespace elements, no
    comments or CDATA (which could hide or fake an element from a pattern)."""
    if b"<sheetData" not in xml:
        return False
    return not _has_markup_declaration(xml)


def _has_markup_declaration(xml: bytes) -> bool:
    """Whether ``xml`` holds a comment or a CDATA section (``<!--``, ``<![CDATA[``). Looked for
    from each ``!`` (a single byte, found with memchr: a few per sheet, in cross-sheet references)
    rather than by a two-byte search, which steps through every ``<`` of the part."""
    at = xml.find(b"!")
    while at >= 0:
        if at and xml[at - 1] == 0x3C and (xml.startswith(b"--", at + 1) or xml.startswith(b"[CDATA[", at + 1)):
            return True
        at = xml.find(b"!", at + 1)
    return False


# ---------------------------------------------------------------------------------------------
# The strict path: a namespace-aware XML parse
# ---------------------------------------------------------------------------------------------

_MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")
_R_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         "http://purl.oclc.org/ooxml/officeDocument/relationships")


def _local(tag: str, spaces=_MAIN_NS) -> str | None:
    """``{ns}name`` → ``name`` when ``ns`` is one of ``spaces`` (else None: not ours to read)."""
    if tag[:1] != "{":
        return None
    ns, _, name = tag[1:].partition("}")
    return name if ns in spaces else None


def _r_attr(el: ET.Element, name: str) -> str | None:
    for ns in _R_NS:
        v = el.get(f"{{{ns}}}{name}")
        if v is not None:
            return v
    return None


def _is_true(v: str | None) -> bool:
    return v in ("1", "true")


def _xml_workbook(wb_xml: bytes, rels_xml: bytes) -> tuple[list, dict, bool, tuple]:
    """([(sheet, state, part path)], workbook-scoped names, structure locked, name clashes) by a
    real parse."""
    rels = {el.get("Id"): el.get("Target") or "" for el in ET.fromstring(rels_xml).iter()
            if el.tag.endswith("}Relationship")}
    listed, defined, locked = [], [], False
    for el in ET.fromstring(wb_xml).iter():
        tag = _local(el.tag)
        if tag == "sheet":
            target = rels.get(_r_attr(el, "id") or "", "")
            listed.append((el.get("name", ""), el.get("state", "visible"),
                           target.lstrip("/") if target.startswith("/") else normpath(pjoin("xl", target))))
        elif tag == "definedName":
            defined.append((el.get("name", ""), el.get("localSheetId"), el.text or ""))
        elif tag == "workbookProtection":
            locked = _is_true(el.get("lockStructure"))
    names, clashes = _scoped_names(defined, [n for n, _, _ in listed])
    return listed, names, locked, clashes


def _scoped_names(defined: list[tuple[str, str | None, str]], sheets: list[str]) -> tuple[dict, tuple]:
    """Workbook-scoped names → reference (the first definition, as Excel keeps it), and the clashes:
    a second workbook-scoped definition, or a sheet-scoped copy of a workbook-scoped name, that
    points elsewhere (Excel resolves a name on its sheet to the sheet's copy first)."""
    from cdht.fingerprint import canonical_formula

    names: dict[str, str] = {}
    spelt: dict[str, str] = {}  # Excel's names ignore case: XA_5_1 and xa_5_1 are one name
    clashes, local = [], []
    for n, scope, text in defined:
        if n.startswith("_xlnm."):
            continue
        first = spelt.setdefault(n.casefold(), n) if scope is None else None
        if scope is not None:
            local.append((n, scope, text))
        elif first == n and n not in names:
            names[n] = text
        elif canonical_formula(text.strip()) != canonical_formula(names[first].strip()):
            clashes.append((first, None, text))
    for n, scope, text in local:
        first = spelt.get(n.casefold())
        if first is not None and canonical_formula(text.strip()) != canonical_formula(names[first].strip()):
            k = int(scope) if scope.isdigit() else -1
            clashes.append((first, sheets[k] if 0 <= k < len(sheets) else scope, text))
    return names, tuple(clashes)


def _xml_custom(xml: bytes) -> dict[str, str]:
    out = {}
    for el in ET.fromstring(xml):
        if el.tag.endswith("}property") and el.get("name") and len(el):
            out[el.get("name")] = el[0].text or ""
    return out


class _Position:
    """Where the next cell sits when a writer leaves out ``r`` (allowed by ECMA-376)."""

    def __init__(self):
        self.row, self.col = 0, 0

    def row_start(self, el: ET.Element) -> None:
        r = el.get("r")
        self.row = int(r) if r else self.row + 1
        self.col = 0

    def cell(self, el: ET.Element) -> str:
        r = el.get("r")
        if r:
            self.col = coord_of(r)[1]
            return r
        self.col += 1
        return f"{_letters(self.col)}{self.row}"


def _xml_cell(el: ET.Element, coord: str, sheet: RawSheet, shared: dict) -> None:
    """One ``<c>`` element: its formula and, for an error cell, its error value."""
    f = v = None
    for child in el:
        tag = _local(child.tag)
        if tag == "f":
            f = child
        elif tag == "v":
            v = child
    if f is not None:
        sheet.formulas[coord] = "=" + _shared_formula(shared, coord, f.attrib, f.text or "")
    if el.get("t") == "e":
        sheet.errors[coord] = (v.text if v is not None else None) or "#VALUE!"


def _xml_sheet(xml: bytes, sheet: RawSheet) -> None:
    """Strict path: formulas, error values and protection of a sheet's XML by a real parse."""
    pos, shared = _Position(), {}
    for event, el in ET.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                pos.row_start(el)
            continue
        if tag == "c":
            _xml_cell(el, pos.cell(el), sheet, shared)
            el.clear()
        elif tag == "sheetProtection":
            sheet.protected = _is_true(el.get("sheet"))
        elif tag == "row":
            el.clear()


def _block(xml: bytes, tag: bytes) -> bytes:
    """The ``<tag>…</tag>`` element of workbook.xml (empty when absent)."""
    start = xml.find(b"<" + tag)
    end = xml.find(b"</" + tag + b">", start)
    return xml[start:end] if start >= 0 and end >= 0 else b""


def _workbook_parts(sheets_xml: bytes, names_xml: bytes, rels_xml: bytes) -> tuple[list, dict, tuple]:
    """([(sheet, state, part path)], workbook-scoped names, name clashes): memoised, since every
    file of one template lists the same sheets and names."""
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
        defined = []
        for attrs, text in _NAME.findall(names_xml):
            m, local = _NAME_ATTR.search(attrs), _LOCAL_ATTR.search(attrs)
            defined.append((_text(m.group(1)) if m else "", _text(local.group(1)) if local else None, _text(text)))
        names, clashes = _scoped_names(defined, [n for n, _, _ in listed])
        if len(_WB_PARTS) > 64:
            _WB_PARTS.clear()
        hit = _WB_PARTS[key] = (listed, names, clashes)
    return hit[0], dict(hit[1]), hit[2]


_WB_PARTS: dict = {}


def _fast_sheet(xml: bytes, sheet: RawSheet) -> None:
    if not _fast_path_fits(xml):
        _xml_sheet(xml, sheet)
        return
    at = xml.rfind(b"<sheetProtection")  # after the cells: found from the end at once
    pm = _PROT.match(xml, at) if at >= 0 else None
    sheet.protected = bool(pm and re.search(rb'\bsheet="(1|true)"', pm.group(1)))
    _formulas(xml, sheet)


def _recall(memo: dict, key):
    """``memo[key]`` (None when absent or ``key`` is None), kept as the most recently used."""
    if key is None:
        return None
    hit = memo.pop(key, None)
    if hit is not None:
        memo[key] = hit
    return hit


def _remember(memo: dict, key, value, size: int) -> None:
    """``memo[key] = value`` (not when ``key`` is None), the least recently used entry dropped
    beyond ``size``: the parts every file repeats stay while the ones each file has its own pass."""
    if key is None:
        return
    if len(memo) >= size:
        del memo[next(iter(memo))]
    memo[key] = value


MEMO_MAX_BYTES = 1 << 17  # a bigger part (or layout) is never held in a memo: at most ~64 MB held in all


# sheet part → (protected, formulas, errors) of the fast path, keyed by every byte zipfile reads for
# it: every file of a template repeats most sheets byte for byte (the ones nobody types into)
_SCANNED: dict = {}


def _member_key(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple | None:
    """What decides the bytes ``z.read(info)`` returns: the member's compressed bytes as stored,
    and the central directory's fields zipfile reads them by (method, sizes, CRC, flags). Its local
    header (name, times) is checked by ``z.open``. None when the package is not in memory or the
    part is bigger than :data:`MEMO_MAX_BYTES` stored."""
    fp = z.fp
    if not isinstance(fp, io.BytesIO) or info.compress_size > MEMO_MAX_BYTES:
        return None
    at = info.header_offset
    with fp.getbuffer() as buf:
        head = bytes(buf[at:at + 30])
        if len(head) < 30:
            return None
        at += 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        payload = bytes(buf[at:at + info.compress_size])
    return payload, info.compress_type, info.compress_size, info.file_size, info.CRC, info.flag_bits


def _scanned_sheet(z: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: RawSheet) -> None:
    """:func:`_fast_sheet` of a sheet part, memoised on its exact stored bytes (:func:`_member_key`).
    A part seen before is still opened (zipfile's checks of its local header, which also depend on
    where it lies in this package); its CRC was checked when those same bytes were read."""
    key = _member_key(z, info)
    hit = _recall(_SCANNED, key)
    if hit is None:
        _fast_sheet(z.read(info), sheet)
        _remember(_SCANNED, key, (sheet.protected, dict(sheet.formulas), dict(sheet.errors)), 256)
        return
    z.open(info).close()
    sheet.protected, formulas, errors = hit
    sheet.formulas, sheet.errors = dict(formulas), dict(errors)


def _fast_workbook(z: zipfile.ZipFile, wb_xml: bytes) -> tuple[list, dict, bool, dict, tuple]:
    listed, names, clashes = _workbook_parts(_block(wb_xml, b"sheets"), _block(wb_xml, b"definedNames"),
                                    z.read("xl/_rels/workbook.xml.rels"))
    structure_locked = bool(re.search(rb'<workbookProtection\b[^>]*lockStructure="(1|true)"', wb_xml))
    custom = {}
    if "docProps/custom.xml" in z.namelist():
        custom = {k.decode(): html.unescape(v.decode("utf-8")) for k, v in _CUSTOM.findall(z.read("docProps/custom.xml"))}
    return listed, names, structure_locked, custom, clashes


def _strict_workbook(z: zipfile.ZipFile, wb_xml: bytes) -> tuple[list, dict, bool, dict, tuple]:
    listed, names, structure_locked, clashes = _xml_workbook(wb_xml, z.read("xl/_rels/workbook.xml.rels"))
    custom = _xml_custom(z.read("docProps/custom.xml")) if "docProps/custom.xml" in z.namelist() else {}
    return listed, names, structure_locked, custom, clashes


_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/custom.xml")
_WORKBOOKS: dict = {}


def _workbook(z: zipfile.ZipFile, strict: bool) -> tuple[bool, list, dict, bool, dict, tuple]:
    """(read strictly, [(sheet, state, part path)], workbook-scoped names, structure locked, custom
    properties, name clashes) of a package. The fast path's answer is memoised on the exact stored
    bytes of the parts it comes from (:func:`_member_key`), which are still opened (their headers
    checked) on a hit."""
    infos = key = None
    if not strict:
        have = set(z.namelist())
        infos = [z.getinfo(n) for n in _WORKBOOK_PARTS if n in have]
        keys = tuple((i.filename, _member_key(z, i)) for i in infos)
        key = None if any(k is None for _, k in keys) else keys
    hit = _recall(_WORKBOOKS, key)
    if hit is not None:
        for info in infos:
            z.open(info).close()
        strict, listed, names, locked, custom, clashes = hit
        return strict, list(listed), dict(names), locked, dict(custom), clashes
    wb_xml = z.read("xl/workbook.xml")
    if not strict and b"<sheets>" not in wb_xml:  # a prefixed or unusual spelling: parse it
        strict = True
    listed, names, structure_locked, custom, clashes = (_strict_workbook if strict else _fast_workbook)(z, wb_xml)
    _remember(_WORKBOOKS, key, (strict, list(listed), dict(names), structure_locked, dict(custom), clashes), 64)
    return strict, listed, names, structure_locked, custom, clashes


def read_raw(source, skip=(), zipped: zipfile.ZipFile | None = None, strict: bool = False) -> RawBook:
    """Read names, sheet states, protection, formulas, errors and values of a workbook in one pass.

    ``source`` is a path or the file's bytes; sheets named in ``skip`` are listed but not read;
    ``zipped``: ``source`` (bytes) already opened as a zip; ``strict``: parse every part as XML
    (no byte patterns) — slower, for confirming what the fast path suspects."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        with open(source, "rb") as fh:
            data = fh.read()
    with (zipped or zipfile.ZipFile(io.BytesIO(data))) as z:
        strict, listed, names, structure_locked, custom, clashes = _workbook(z, strict)
        sheets = {name: RawSheet(name, state) for name, state, _ in listed}
        targets = {name: target for name, _, target in listed}
        for name, sheet in sheets.items():
            if name in skip:
                continue
            try:
                info = z.getinfo(targets[name])
            except KeyError:
                continue
            if strict:
                _xml_sheet(z.read(info), sheet)
            else:
                _scanned_sheet(z, info, sheet)
    book = RawBook(sheets, names, custom, structure_locked, strict=strict, source=data, skipped=tuple(skip),
                   name_clashes=clashes)
    _values(data, [s for n, s in sheets.items() if n not in skip])
    return book


class PackageError(Exception):
    """The package's XML is not well-formed (e.g. an unbound namespace prefix): the byte patterns
    of the fast path read it, a real parser — and Excel — does not."""


def confirm(rb: RawBook) -> RawBook:
    """The same workbook read strictly (a real XML parse); ``rb`` itself when it already was, or
    when its bytes are not at hand. Raises :class:`PackageError` when the strict parse fails."""
    if rb.strict or rb.source is None:
        return rb
    try:
        return read_raw(rb.source, skip=rb.skipped, strict=True)
    except Exception as e:  # any parser failure: not a package a spreadsheet program opens
        raise PackageError(str(e)) from e


def _values(data: bytes, wanted: list[RawSheet]) -> None:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # e.g. xlwings Lite (Pyodide) has no calamine wheel: openpyxl reads the values
        _values_with_openpyxl(data, wanted)
        return
    try:
        cal = _unpanicked(CalamineWorkbook.from_filelike, io.BytesIO(data))
        for sheet in wanted:
            try:
                sheet.values = _unpanicked(lambda: cal.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False))
            except PackageError:
                raise
            except Exception:
                sheet.values = []
    except PackageError:  # calamine panicked (e.g. a date cell holding -1e20): openpyxl reads the
        _values_with_openpyxl(data, wanted)  # values, such a cell as "#VALUE!" — named by the checks


def _unpanicked(call, *args):
    """``call(*args)``, a panic of the Rust reader (pyo3's PanicException derives from
    BaseException, so no ``except Exception`` sees it — e.g. calamine on a date cell holding
    -1e20) made a :class:`PackageError`: that file is unreadable, the others are read."""
    try:
        return call(*args)
    except Exception:
        raise
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise PackageError(f"{type(e).__name__}: {e}") from None


def _values_with_openpyxl(data: bytes, sheets: list[RawSheet]) -> None:
    """Cell values from A1, shaped like calamine's (``""`` for empty), read with openpyxl."""
    import warnings

    import openpyxl
    with warnings.catch_warnings():  # (e.g. "a date outside the limits for dates": read as #VALUE!)
        warnings.simplefilter("ignore")
        _openpyxl_rows(openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True), sheets)


def _openpyxl_rows(wb, sheets: list[RawSheet]) -> None:
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


_CANONICAL_COORD = re.compile(r"([A-Z]+)([1-9][0-9]*)")
_POSITIONS: dict[str, tuple[int, int] | None] = {}


def _position(coord: str) -> tuple[int, int] | None:
    """(row, column) from 0 of a coordinate spelt as :func:`raw_items` spells a value cell's
    ("B12"); None for any other spelling, which names no value cell there."""
    p = _POSITIONS.get(coord, False)
    if p is False:
        m = _CANONICAL_COORD.fullmatch(coord)
        p = (int(m.group(2)) - 1, col_index(m.group(1)) - 1) if m else None
        if len(_POSITIONS) > 200_000:
            _POSITIONS.clear()
        _POSITIONS[coord] = p
    return p


def _fixed_cells(s: RawSheet, singles, rects) -> bytes:
    """The values of a sheet that its layout items are made of, as exact bytes: every cell but
    formulas, error values and the input area blanked; ``marshal`` tells 1, 1.0, True and -0.0
    apart, as the items do. Raises ValueError for a value it cannot write (e.g. a date)."""
    rows = list(s.values)  # a row is copied when the first of its cells is blanked (the rest are shared)
    copied = set()
    n = len(rows)
    known = _POSITIONS.get
    for coords in (s.formulas, s.errors, singles):
        for coord in coords:
            p = known(coord, False)
            if p is False:
                p = _position(coord)
            if p is not None and p[0] < n:
                r, c = p
                if c < len(rows[r]):
                    if r not in copied:
                        rows[r] = list(rows[r])
                        copied.add(r)
                    rows[r][c] = ""
    for r1, c1, r2, c2 in rects:
        for r in range(r1 - 1, min(r2, n)):
            if c1 <= len(rows[r]):
                if r not in copied:
                    rows[r] = list(rows[r])
                    copied.add(r)
                row = rows[r]
                row[c1 - 1:c2] = [""] * (min(c2, len(row)) - c1 + 1)
    return marshal.dumps(rows, 2)


def _area_by_sheet(area: list) -> tuple[tuple, dict]:
    """(the input area as a key, sheet → (its single input cells as coordinates, its ranges)),
    worked out once per area (:func:`cdht.fingerprint.input_area` returns one list per names)."""
    if _AREA_SPLIT and _AREA_SPLIT[0] is area:
        return _AREA_SPLIT[1], _AREA_SPLIT[2]
    by_sheet: dict[str, tuple[list, list]] = {}
    for t, r1, c1, r2, c2 in area:
        singles, rects = by_sheet.setdefault(t, ([], []))
        if (r1, c1) == (r2, c2):
            singles.append(f"{_letters(c1)}{r1}")
        else:
            rects.append((r1, c1, r2, c2))
    _AREA_SPLIT[:] = [area, tuple(area), by_sheet]
    return _AREA_SPLIT[1], by_sheet


_AREA_SPLIT: list = []


def _layout_key(rb: RawBook, tier) -> tuple | None:
    """Everything :func:`raw_items` reads of ``rb``: names, input area, and per sheet it covers its
    state, formulas and fixed cells (:func:`_fixed_cells`). None when a value cannot be keyed, or
    the fixed cells are more than :data:`MEMO_MAX_BYTES`."""
    area, by_sheet = _area_by_sheet(input_area(rb.names, tier))
    sheets, size = [], 0
    for s in rb.sheets.values():
        if s.values is None or s.name in TOOL_SHEETS or s.name == SHEET_META:
            continue
        singles, rects = by_sheet.get(s.name, ((), ()))
        try:
            fixed = _fixed_cells(s, singles, rects)
        except ValueError:
            return None
        size += len(fixed)
        if size > MEMO_MAX_BYTES:
            return None
        sheets.append((s.name, s.state, tuple(s.formulas.items()), fixed))
    return tuple(rb.names.items()), area, tuple(sheets)


_LAYOUTS: dict = {}


def raw_layout(rb: RawBook, tier) -> tuple[dict[str, list[str]], str]:
    """(:func:`raw_items`, their :func:`cdht.fingerprint.digest`), memoised on everything the items
    are made of (:func:`_layout_key`): the files of one template share their fixed texts and
    formulas, and differ in what is typed and in the formulas' saved values, which the items leave
    out. Any other difference (a text, a formula, a name, a sheet state) is another key."""
    key = _layout_key(rb, tier)
    hit = _recall(_LAYOUTS, key)
    if hit is None:
        items = raw_items(rb, tier)
        hit = ({k: tuple(v) for k, v in items.items()}, digest(items))
        _remember(_LAYOUTS, key, hit, 64)
    return {k: list(v) for k, v in hit[0].items()}, hit[1]


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
