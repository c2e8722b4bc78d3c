"""The printed sheets as administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I): the heading
(issuing body, national name and motto, number and symbol, place and date), the document's title,
the signature blocks and recipients; Times New Roman, A4, the decree's margins.

"Bản tổng hợp" and "Thẩm định" compose these blocks. Texts that name the unit come from the unit's
identity by formula over ``don_vi_ten`` / ``nam_danh_gia`` / ``ngay_lap`` (locked and issued by the
Sở on a workbook issued for a registry unit); the bodies above it (who receives the dossier, who
appraises and decides, the parent's name) from the issuer's profile at issue time, named as the Word
dossier names them (:mod:`cdht.dossier.names`). The figures of the format live in
:mod:`cdht.dossier.style`. No merged cells (the lint forbids them): a block is centred across its
columns ("centre across selection", which Excel and LibreOffice print alike).
"""
from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins

from cdht import contract as L
from cdht.dossier import names as N
from cdht.dossier import style as S

MM_PER_INCH = 25.4
RULE = "────────"
TABLE_PT = 12  # text of the sheets' tables (the decree's body size is for Word; a table may be smaller)


def font(size: float = TABLE_PT, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=S.FONT, size=size, bold=bold, italic=italic)


def across(ws, row: int, first: int, last: int, value, fnt: Font | None = None) -> None:
    """``value`` centred across columns ``first``..``last`` of ``row`` (no merged cell)."""
    c = ws.cell(row, first, value)
    c.font = fnt or font()
    for col in range(first, last + 1):
        ws.cell(row, col).alignment = Alignment(horizontal="centerContinuous", vertical="center")


def place_formula(name_ref: str = L.N_UNIT_NAME) -> str:
    """The place of the place-and-date line from the unit's name, as :func:`cdht.dossier.names.place_name`:
    "Xã An Phú" → "An Phú" (the kinds of units tried longest first); "……" while the name is empty."""
    out = name_ref
    for kind in reversed(N.KINDS):
        prefix = f'"{kind} "'
        out = f"IF(LEFT({name_ref},LEN({prefix}))={prefix},MID({name_ref},LEN({prefix})+1,200),{out})"
    return f'IF(LEN({name_ref})=0,"……",{out})'


def date_formula(date_ref: str = L.N_PREPARED_ON, year_ref: str = L.N_YEAR) -> str:
    """"ngày 05 tháng 7 năm 2027" from the date cell, Nghị định 30's zeros (days 1–9, months 1–2);
    blanks to fill by hand, in year N+1, while the date is empty."""
    d = date_ref
    return (f'IF(ISNUMBER({d}),"ngày "&IF(DAY({d})<10,"0","")&DAY({d})&" tháng "&IF(MONTH({d})<3,"0","")'
            f'&MONTH({d})&" năm "&YEAR({d}),"{N.BLANK_DATE} "&({year_ref}+1))')


def heading(ws, left: list[tuple[str, bool]], symbol: str, place_date: str, split: int, width: int) -> int:
    """The two-column heading of page 1 from row 1: ``left`` the issuing body's lines (text or
    formula, bold) over a rule and "Số: …/<symbol>", in columns 1..``split``; the national name,
    the motto, a rule and ``place_date`` (a formula) in ``split + 1``..``width``. Returns the next row."""
    r = 1
    for k, (text, bold) in enumerate(left):
        across(ws, r + k, 1, split, text, font(S.HEADING_PT, bold=bold))
    k = len(left)
    across(ws, r + k, 1, split, RULE, font(S.HEADING_PT))
    across(ws, r + k + 1, 1, split, f"Số:        /{symbol}", font(S.HEADING_PT))
    across(ws, r, split + 1, width, S.NATIONAL_NAME, font(S.HEADING_PT, bold=True))
    across(ws, r + 1, split + 1, width, S.MOTTO, font(S.MOTTO_PT, bold=True))
    across(ws, r + 2, split + 1, width, RULE * 2, font(S.HEADING_PT))
    across(ws, r + max(3, k + 1), split + 1, width, "=" + place_date, font(S.MOTTO_PT, italic=True))
    return r + max(4, k + 2) + 1


def title(ws, row: int, width: int, kind: str, subject: list[str]) -> int:
    """The document type (bold, uppercase) and its subject lines (bold; text or formula), centred."""
    across(ws, row, 1, width, kind, font(S.BODY_PT, bold=True))
    for k, line in enumerate(subject, start=1):
        across(ws, row + k, 1, width, line, font(S.BODY_PT, bold=True))
    return row + len(subject) + 2


def signatures(ws, row: int, split: int, width: int, left: list[tuple[str, Font]],
               right: list[tuple[str, Font]]) -> int:
    """Two blocks side by side from ``row``: ``left`` (recipients, or another signer) in columns
    1..``split``, ``right`` (the signing authority) centred in ``split + 1``..``width``. Returns the
    row after the longer one."""
    for k, (text, fnt) in enumerate(left):
        c = ws.cell(row + k, 1, text)
        c.font = fnt
    for k, (text, fnt) in enumerate(right):
        across(ws, row + k, split + 1, width, text, fnt)
    return row + max(len(left), len(right)) + 1


def recipients(lines: list[str]) -> list[tuple[str, Font]]:
    """"Nơi nhận:" (bold italic 12 pt) and its list (11 pt), the decree's bottom-left block."""
    return [("Nơi nhận:", font(S.RECIPIENTS_TITLE_PT, bold=True, italic=True))] + \
        [(f"- {line}", font(S.RECIPIENTS_PT)) for line in lines]


def signer(authority: list[str], note: str, blank_lines: int = 4) -> list[tuple[str, Font]]:
    """A signing authority ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), its note in italics and room to sign."""
    return [(line, font(S.BODY_PT, bold=True)) for line in authority] + [(note, font(S.RECIPIENTS_TITLE_PT, italic=True))] \
        + [("", font())] * blank_lines


def page(ws) -> None:
    """Times New Roman on every written cell (keeping size, bold and italic; 12 pt where none was
    set) and the decree's margins; call after the builder's print set-up."""
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            f = c.font
            size = f.sz if f.name == S.FONT and f.sz else TABLE_PT if not f.sz or f.sz == 11 else f.sz
            c.font = Font(name=S.FONT, size=size, bold=f.b, italic=f.i, color=f.color)
    m = S.MARGINS_MM
    ws.page_margins = PageMargins(left=m["left"] / MM_PER_INCH, right=m["right"] / MM_PER_INCH,
                                  top=m["top"] / MM_PER_INCH, bottom=m["bottom"] / MM_PER_INCH,
                                  header=10 / MM_PER_INCH, footer=10 / MM_PER_INCH)
