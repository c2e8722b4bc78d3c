"""Test corpus, built programmatically: filled workbooks of every tier and the bad inputs a
reviewer meets in a folder of submissions (not an xlsx, corrupt, encrypted, legacy .xls, Excel
lock files, foreign workbooks, tampered templates, bad cell values, a zip bomb).

Nothing is checked in: every file is generated from the shipped edition into a temporary folder,
so the corpus follows the catalogue. Each bad input has one builder ``make_<case>(folder) -> Path``
and one row in :data:`BAD_INPUTS` with the finding code the reader must give for it.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl

from cdht import contract as L
from cdht_generator.api import generate
from cdht.edition import load_edition
from cdht.units import SAMPLE_UNITS, read_units
from cdht.fill import SAMPLE_INPUTS, cell_of, evidence_for, fill, named_values  # noqa: F401 (C.cell_of, C.named_values)

EDITION = load_edition()
UNITS = read_units(SAMPLE_UNITS)[0]
UNIT = {"xa": "MAU-X0101", "huyen": "MAU-H01", "tinh": "MAU-T01"}
YEAR = 2026

# Inputs that reach level 2 on every indicator of a tier (each bar met with a margin).
PASSING: dict[str, dict] = SAMPLE_INPUTS
for _t, _vals in PASSING.items():  # the table must cover exactly the tier's fields
    assert set(_vals) == set(EDITION.tier(_t).fields), (_t, set(EDITION.tier(_t).fields) ^ set(_vals))

EVIDENCE_DATE = dt.date(YEAR, 12, 15)


def template(folder: Path, tier: str, year: int = YEAR, unit: bool = True) -> Path:
    """The issued template for the sample unit of ``tier`` (generated once per folder)."""
    folder = Path(folder) / f"mau-{year}"
    path = folder / f"CDHT_{year}_{tier}_{UNIT[tier] if unit else 'mau-trong'}.xlsx"
    if not path.exists():
        made = generate(EDITION, tier, year, folder, units=UNITS if unit else None,
                        unit_code=UNIT[tier] if unit else None)
        assert made == [path], made
    return path


def filled(out: Path, tier: str, overrides: dict | None = None, *, year: int = YEAR,
           evidence: list[list] | None | bool = True, appraisal: dict | None = None,
           templates: Path | None = None) -> Path:
    """A workbook of the sample unit filled by name: PASSING values with ``overrides`` applied
    (a value of ``None`` clears the cell); ``evidence=True`` adds one complete row per indicator."""
    out = Path(out)
    tpl = template(templates or out.parent, tier, year)
    values = {**PASSING[tier], **(overrides or {})}
    if evidence is True:
        evidence = evidence_for(EDITION.tier(tier), EVIDENCE_DATE)
    return fill(tpl, out, values, evidence=evidence or None, appraisal=appraisal)


def cell_ref(path: Path, name: str) -> tuple[str, str]:
    """(sheet, A1 cell) of a defined name."""
    wb = openpyxl.load_workbook(path)
    try:
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        return sheet, ref.replace("$", "")
    finally:
        wb.close()


# -------------------------------------------------------------------------------------------------
# Editing the XML of a saved workbook (to keep cached values that openpyxl would drop)
# -------------------------------------------------------------------------------------------------

def sheet_part(path: Path, sheet: str) -> str:
    """The zip member name of a worksheet, found through workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as z:
        wb_xml = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    from xml.sax.saxutils import escape
    m = re.search(r'<(?:\w+:)?sheet\b[^>]*\bname="' + re.escape(escape(sheet, {'"': "&quot;"})) + r'"[^>]*/>', wb_xml)
    if m is None:
        raise KeyError(sheet)
    rid = re.search(r'\br:id="([^"]+)"|\b\w+:id="([^"]+)"', m.group(0))
    rid = rid.group(1) or rid.group(2)
    rel = re.search(r'<Relationship\b[^>]*\bId="' + re.escape(rid) + r'"[^>]*/>', rels).group(0)
    target = re.search(r'Target="([^"]+)"', rel).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def replace_cached_value(path: Path, out: Path, sheet: str, coord: str, value: str) -> Path:
    """Copy of ``path`` where the ``<v>`` of ``sheet!coord`` reads ``value`` (formula kept)."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                xml = data.decode("utf-8")
                pat = re.compile(r'(<c\b[^>]*\br="' + coord + r'"[^>]*>)(.*?)(</c>)', re.S)
                m = pat.search(xml)
                if m is None:
                    raise KeyError(f"{sheet}!{coord}")
                inner = m.group(2)
                inner, n = re.subn(r"<v>.*?</v>|<v\s*/>", f"<v>{value}</v>", inner, flags=re.S)
                if n == 0:
                    inner += f"<v>{value}</v>"
                head = re.sub(r'\st="[^"]*"', "", m.group(1))  # a number, not a string/error
                xml = xml[:m.start()] + head + inner + m.group(3) + xml[m.end():]
                data = xml.encode("utf-8")
            zout.writestr(item, data)
    return out


# -------------------------------------------------------------------------------------------------
# A minimal OLE compound file (CFB, MS-CFB v3) writer — no dependency
# -------------------------------------------------------------------------------------------------

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512
MINI_CUTOFF = 4096


def _dir_entry(name: str, kind: int, color: int = 1, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM,
               start=ENDOFCHAIN, size=0) -> bytes:
    raw = (name + "\0").encode("utf-16-le") if name else b""
    return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, color, left, right, child)
            + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file holding ``streams`` (at most two, each padded to the mini-stream
    cutoff so everything lives in regular 512-byte sectors: one FAT sector, one directory sector)."""
    assert 1 <= len(streams) <= 2
    # directory order: by (length, upper-case name) as MS-CFB compares names
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    data = {n: streams[n].ljust(MINI_CUTOFF, b"\0") for n in names}
    data = {n: d.ljust(-(-len(d) // SECTOR) * SECTOR, b"\0") for n, d in data.items()}
    fat = [FATSECT, ENDOFCHAIN]
    starts = {}
    for n in names:
        k = len(data[n]) // SECTOR
        starts[n] = len(fat)
        fat += [len(fat) + i + 1 for i in range(k - 1)] + [ENDOFCHAIN]
    assert len(fat) <= SECTOR // 4, "streams too large for one FAT sector"
    fat += [FREESECT] * (SECTOR // 4 - len(fat))
    entries = [_dir_entry("Root Entry", 5, child=1)]
    for i, n in enumerate(names, start=1):
        right = i + 1 if i < len(names) else NOSTREAM  # first black, second its red right child
        entries.append(_dir_entry(n, 2, color=1 if i == 1 else 0, right=right, start=starts[n],
                                  size=len(streams[n]) if len(streams[n]) >= MINI_CUTOFF else MINI_CUTOFF))
    while len(entries) < SECTOR // 128:
        entries.append(_dir_entry("", 0, color=0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, MINI_CUTOFF, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", 0, *([FREESECT] * 108)))
    assert len(header) == SECTOR
    body = struct.pack(f"<{SECTOR // 4}I", *fat) + b"".join(entries)
    return header + body + b"".join(data[n] for n in names)


def _biff_record(rtype: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(payload)) + payload


def biff8_workbook_stream() -> bytes:
    """A minimal BIFF8 (Excel 97–2003) workbook-globals substream: BOF … EOF."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x000080C9, 0x00000206)
    return _biff_record(0x0809, bof) + _biff_record(0x0042, struct.pack("<H", 1200)) + _biff_record(0x000A)


def encryption_info_stream() -> bytes:
    """Header of an ECMA-376 "agile" EncryptionInfo stream (version 4.4, reserved 0x40)."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
           '<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
           'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           '</encryption>')
    return struct.pack("<HHI", 4, 4, 0x40) + xml.encode()


# -------------------------------------------------------------------------------------------------
# Bad inputs: one builder each
# -------------------------------------------------------------------------------------------------

def make_not_xlsx(folder: Path) -> Path:
    p = Path(folder) / "bao-cao.xlsx"
    p.write_text("Báo cáo cộng đồng học tập — đây là tệp văn bản, không phải sổ tính.\n", encoding="utf-8")
    return p


def make_corrupt_zip(folder: Path) -> Path:
    src = filled(Path(folder) / "nguyen-ven.xlsx", "xa")
    p = Path(folder) / "hong.xlsx"
    data = src.read_bytes()
    p.write_bytes(data[: len(data) // 2])  # truncated mid-way: no central directory
    src.unlink()
    return p


def make_encrypted(folder: Path) -> Path:
    """What Excel writes for File > Info > Encrypt with Password: an OLE file, not a zip."""
    p = Path(folder) / "co-mat-khau.xlsx"
    p.write_bytes(compound_file({"EncryptionInfo": encryption_info_stream(),
                                 "EncryptedPackage": struct.pack("<Q", 8192) + bytes(range(256)) * 32}))
    return p


def make_encrypted_real(folder: Path) -> Path | None:
    """A filled workbook really encrypted (msoffcrypto-tool, installed with oletools); None without it."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None
    src = filled(Path(folder) / "ro.xlsx", "xa")
    p = Path(folder) / "ma-hoa-that.xlsx"
    with open(src, "rb") as fin, open(p, "wb") as fout:
        OOXMLFile(fin).encrypt("matkhau-2026", fout)
    src.unlink()
    return p


def make_legacy_xls(folder: Path) -> Path:
    p = Path(folder) / "bao-cao-cu.xls"
    p.write_bytes(compound_file({"Workbook": biff8_workbook_stream()}))
    return p


def make_legacy_renamed(folder: Path) -> Path:
    """A legacy .xls somebody renamed to .xlsx (not encrypted: no EncryptionInfo stream)."""
    p = Path(folder) / "doi-ten.xlsx"
    p.write_bytes(compound_file({"Workbook": biff8_workbook_stream()}))
    return p


def make_lock_file(folder: Path) -> Path:
    """Excel's owner file beside an open workbook: 165 bytes, the user name in it."""
    real = filled(Path(folder) / f"CDHT_{YEAR}_xa_{UNIT['xa']}.xlsx", "xa")
    p = real.with_name("~$" + real.name)
    user = "Can bo xa"
    p.write_bytes((bytes([len(user)]) + user.encode()).ljust(54, b" ") + b"\0" * 111)
    return p


def make_not_ours(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tự đánh giá"
    ws.append(["Chỉ tiêu", "Kết quả"])
    ws.append(["xa.1.1", "Đạt"])
    p = Path(folder) / "tu-lam.xlsx"
    wb.save(p)
    return p


def make_wrong_year(folder: Path) -> Path:
    return filled(Path(folder) / "nam-2025.xlsx", "xa", year=2025)


def _edit(path: Path, fn: Callable) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def make_unknown_edition(folder: Path) -> Path:
    p = filled(Path(folder) / "bo-tieu-chi-la.xlsx", "xa")

    def edit(wb):
        ws = wb[L.SHEET_META]
        for row in ws.iter_rows(max_col=2):
            if row[0].value == "edition_id":
                row[1].value = "tt99-2030"
    return _edit(p, edit)


def make_text_in_number(folder: Path) -> Path:
    return filled(Path(folder) / "chu-trong-so.xlsx", "xa", {"tong_so_cong_dan": "một nghìn"})


def make_negative_count(folder: Path) -> Path:
    return filled(Path(folder) / "so-am.xlsx", "xa", {"xa_5_1_so_cong_dan_hoc_tap": -5})


def make_numerator_above(folder: Path) -> Path:
    return filled(Path(folder) / "tu-so-lon.xlsx", "xa", {"xa_5_1_so_cong_dan_hoc_tap": 1200})


def make_error_value(folder: Path) -> Path:
    p = filled(Path(folder) / "loi-ref.xlsx", "xa", {"tong_so_cong_dan": "#REF!"})
    wb = openpyxl.load_workbook(p)
    assert cell_of(wb, "tong_so_cong_dan").data_type == "e"  # stored as a cell error, not text
    return p


def make_protection_removed(folder: Path) -> Path:
    """Sheet protection removed and the level-1 formula of xa.5.1 replaced by a constant "Đạt"."""
    p = filled(Path(folder) / "sua-cong-thuc.xlsx", "xa", {"xa_5_1_so_cong_dan_hoc_tap": 500})

    def edit(wb):
        ws = wb[L.SHEET_SELF]
        ws.protection.sheet = False
        ws[formula_cell(wb, "xa.5.1", 1)] = '="Đạt"'
    return _edit(p, edit)


def formula_cell(wb, indicator: str, level: int) -> str:
    """Coordinate of the level-1/2 formula of an indicator on the self-assessment sheet."""
    ws = wb[L.SHEET_SELF]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == indicator:
            return f"{'E' if level == 1 else 'F'}{row[0].row}"
    raise KeyError(indicator)


def make_nfd_verdict(folder: Path) -> Path:
    return filled(Path(folder) / "nfd.xlsx", "xa", {"xa_1_1": unicodedata.normalize("NFD", "Đạt")})


def make_bad_dropdown(folder: Path) -> Path:
    return filled(Path(folder) / "sai-danh-sach.xlsx", "xa", {"xa_2_1": "Dat roi"})


def make_zip_bomb(folder: Path, megabytes: int = 201) -> Path:
    """A real workbook plus one member of ``megabytes`` MiB of zeros (≈ 200 KB compressed)."""
    src = filled(Path(folder) / "goc.xlsx", "xa")
    p = Path(folder) / "qua-lon.xlsx"
    shutil.copyfile(src, p)
    src.unlink()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/image1.bin", "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return p


@dataclass(frozen=True)
class BadInput:
    name: str
    build: Callable[[Path], Path]
    code: str          # the finding the reader must give
    readable: bool     # True: ours and read (compute exits 0); False: refused (exit 2)


BAD_INPUTS = [
    BadInput("not_xlsx", make_not_xlsx, "CDHT-W002", False),
    BadInput("corrupt_zip", make_corrupt_zip, "CDHT-W002", False),
    BadInput("encrypted", make_encrypted, "CDHT-W003", False),
    BadInput("legacy_xls", make_legacy_xls, "CDHT-W004", False),
    BadInput("legacy_renamed_xlsx", make_legacy_renamed, "CDHT-W004", False),
    BadInput("lock_file", make_lock_file, "CDHT-W005", False),
    BadInput("not_ours", make_not_ours, "CDHT-W006", False),
    BadInput("unknown_edition", make_unknown_edition, "CDHT-W007", False),
    BadInput("zip_bomb", make_zip_bomb, "CDHT-W024", False),
    BadInput("error_value", make_error_value, "CDHT-W010", True),
    BadInput("text_in_number", make_text_in_number, "CDHT-W011", True),
    BadInput("negative_count", make_negative_count, "CDHT-W012", True),
    BadInput("numerator_above", make_numerator_above, "CDHT-W014", True),
    BadInput("bad_dropdown", make_bad_dropdown, "CDHT-W015", True),
    BadInput("nfd_verdict", make_nfd_verdict, "CDHT-W015", True),  # with a W017 note on how to retype
    BadInput("protection_removed", make_protection_removed, "CDHT-W018", True),
]
