"""The unit list (danh sách đơn vị): CSV with columns ma, ten, cap, ma_cap_tren, vung_kho_khan."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cdht.messages import UNREADABLE_CSV, Finding, finding, nfc, os_reason
from cdht.paths import display_name

SAMPLE_UNITS = Path(__file__).parent / "catalogue" / "don-vi-mau.csv"

_HEADERS = {
    "ma": "ma", "mã": "ma", "mã đơn vị": "ma", "ma don vi": "ma",
    "ten": "ten", "tên": "ten", "tên đơn vị": "ten", "ten don vi": "ten",
    "cap": "cap", "cấp": "cap",
    "ma_cap_tren": "ma_cap_tren", "mã cấp trên": "ma_cap_tren", "ma cap tren": "ma_cap_tren",
    "vung_kho_khan": "vung_kho_khan", "vùng khó khăn": "vung_kho_khan", "vung kho khan": "vung_kho_khan",
}
_TIER_WORDS = {"xa": "xa", "xã": "xa", "huyen": "huyen", "huyện": "huyen", "tinh": "tinh", "tỉnh": "tinh"}
_YES = {"có", "co", "x", "1", "true", "yes"}


def code_text(value) -> str | None:
    """A unit code as the person typed it, wherever a code is read from a cell: ``123`` typed into
    a cell is stored as the number 123.0 and read back as "123" (never "123.0"); text is NFC and
    trimmed; a blank is None."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = nfc(str(value)).strip()
    return text or None


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    tier: str
    parent: str | None
    hardship: bool


class UnitList:
    def __init__(self, units: list[Unit], path: Path | None = None):
        self.units = units
        self.path = path
        self.by_code = {u.code: u for u in units}

    def get(self, code: str, tier: str | None = None) -> Unit | None:
        u = self.by_code.get(code)
        return u if u is not None and (tier is None or u.tier == tier) else None

    def of_tier(self, tier: str) -> list[Unit]:
        return [u for u in self.units if u.tier == tier]

    def descendants(self, code: str, tier: str) -> list[Unit]:
        """Units of ``tier`` whose chain of parents reaches ``code`` (communes of a province too)."""
        out = []
        for u in self.of_tier(tier):
            cur, seen = u.parent, set()
            while cur and cur not in seen:
                if cur == code:
                    out.append(u)
                    break
                seen.add(cur)
                cur = self.by_code[cur].parent if cur in self.by_code else None
        return out


def _key(h: str) -> str:
    return unicodedata.normalize("NFC", h.strip().lstrip("\ufeff")).lower()


def _decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else the Vietnamese Windows code page."""
    for enc in ("utf-8-sig", "cp1258"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # every byte is a character: never fails


class _Excel(csv.excel):
    """Excel's CSV (quotes doubled inside a quoted field) with the delimiter of the file."""


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """``(line, row)`` of every CSV record (a quoted name may span lines), as Excel writes it:
    ``"`` quotes a field and ``""`` inside it is one quote; only the delimiter (comma, semicolon
    or tab) is sniffed, from the header line. (The sniffer's own guess of quoting is not used: on
    a header without quotes it turns doubled quotes off and misreads a name written as
    ``"Xã ""Mới"", A"``.)"""
    dialect = _Excel
    try:
        found = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t").delimiter
        dialect = type("_Sniffed", (_Excel,), {"delimiter": found})
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    out, start = [], 1
    for row in reader:
        out.append((start, row))
        start = reader.line_num + 1
    return out


def _unit(rec: dict, n: int, seen: dict, where: str) -> tuple[Unit | None, Finding | None]:
    """One data row (line ``n``) as a unit, or the finding that says why it is not one."""
    tier = _TIER_WORDS.get(rec.get("cap", "").lower())
    for column in ("ma", "ten", "ma_cap_tren"):
        allowed = "\t\n\r" if column == "ten" else ""  # a name may break lines (Alt+Enter); a code may not
        bad = sorted({f"U+{ord(ch):04X}" for ch in rec.get(column, "")
                      if unicodedata.category(ch) == "Cc" and ch not in allowed})
        if bad:  # a code becomes a cell and a file name, a name a cell: a control character fits neither
            return None, finding("CDHT-T027", file=where, line=n, unit=display_name(rec.get("ma", "")),
                                 column=column, chars=", ".join(bad))
    if not rec.get("ma"):
        return None, finding("CDHT-T008", file=where, line=n)
    if tier is None:
        return None, finding("CDHT-T009", file=where, line=n, value=rec.get("cap", ""))
    if rec["ma"] in seen:
        return None, finding("CDHT-T010", file=where, line=n, unit=rec["ma"], other_line=seen[rec["ma"]])
    seen[rec["ma"]] = n
    return Unit(rec["ma"], rec.get("ten") or rec["ma"], tier, rec.get("ma_cap_tren") or None,
                rec.get("vung_kho_khan", "").lower() in _YES), None


def _orphans(units: list[Unit], where: str, lines: dict[str, int]) -> list[Finding]:
    """Units whose parent code is not in the list (``lines``: code → its line in the file)."""
    codes = {u.code for u in units}
    return [finding("CDHT-T011", file=where, line=lines.get(u.code), unit=u.code, parent=u.parent)
            for u in units if u.parent and u.parent not in codes]


def read_units(path: str | Path) -> tuple[UnitList | None, list[Finding]]:
    """Parse a unit list; every problem is a coded finding naming the file and line."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, [finding("CDHT-T001", file=where, reason=os_reason(e))]
    try:
        rows = _rows(_decode(raw))
    except csv.Error:  # a NUL byte, a field over the csv module's limit: not a unit list
        return None, [finding("CDHT-T001", file=where, reason=UNREADABLE_CSV)]
    if not rows:
        return None, [finding("CDHT-T006", file=where)]
    header = [_HEADERS.get(_key(h)) for h in rows[0][1]]
    missing = [c for c in ("ma", "ten", "cap", "ma_cap_tren") if c not in header]
    if missing:
        return None, [finding("CDHT-T007", file=where, line=1, columns=", ".join(missing))]
    findings, units, seen = [], [], {}
    for n, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        rec = {h: nfc(row[i].strip()) if i < len(row) else "" for i, h in enumerate(header) if h}
        unit, problem = _unit(rec, n, seen, where)
        if problem is not None:
            findings.append(problem)
        else:
            units.append(unit)
    findings += _orphans(units, where, seen)
    if findings:
        return None, findings
    return UnitList(units, path), _short_codes(units, where, seen)


_TIER_NAMES = {"xa": "xã", "huyen": "huyện", "tinh": "tỉnh"}


def _short_codes(units: list[Unit], where: str, lines: dict[str, int]) -> list[Finding]:
    """T028 (a warning) per tier whose all-digit codes are of uneven length, for the ones shorter
    than the most common length: the mark of a list opened and saved in Excel, which reads 00010
    as the number 10. The codes are used as they are (a registry may number its units that way)."""
    out = []
    for tier in _TIER_NAMES:
        digits = [u.code for u in units if u.tier == tier and u.code.isascii() and u.code.isdigit()]
        lengths = [len(c) for c in digits]
        if len(set(lengths)) < 2:
            continue
        common = max(set(lengths), key=lambda n: (lengths.count(n), n))
        short = [c for c in digits if len(c) < common]
        if short:
            out.append(finding("CDHT-T028", file=where, line=lines.get(short[0]), count=len(short),
                               tier=_TIER_NAMES[tier], length=common,
                               examples=", ".join(f"'{c}'" for c in short[:3])))
    return out
