"""Names of bodies and places in administrative documents (Nghị định 30/2020/NĐ-CP) — one place for
the Word dossier (:mod:`cdht.ops.dossier`) and the workbook's printed sheets (the generator's
"Bản tổng hợp" and "Thẩm định"), so a unit and its council are named alike on paper and in Word."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

# the kinds of administrative units a name starts with (longest first: "Thị trấn" before "Thị xã")
KINDS = ("Thành phố", "Thị trấn", "Thị xã", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")
TITLES = ("Trưởng phòng", "Giám đốc", "Bộ trưởng", "Chủ tịch")
BLANK_DATE = "ngày      tháng      năm"
UNIT_BODY = "ỦY BAN NHÂN DÂN"  # the issuing body of a unit's own documents: its People's Committee
UNIT_AUTHORITY, UNIT_SIGNER = "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
COUNCIL_AUTHORITY, COUNCIL_SIGNER, COUNCIL_SECRETARY = "TM. HỘI ĐỒNG", "CHỦ TỊCH HỘI ĐỒNG", "THƯ KÝ HỘI ĐỒNG"


def strip_note(text: str | None) -> str:
    """"Hội đồng đánh giá cấp huyện (số lẻ, …)" → "Hội đồng đánh giá cấp huyện"."""
    return re.sub(r"\s*\([^)]*\)", "", text or "").strip()


def kind_of(name: str) -> str | None:
    return next((k for k in KINDS if name.casefold().startswith(k.casefold() + " ")), None)


def place_name(name: str | None) -> str:
    """"Xã An Phú" → "An Phú" (the place in the place-and-date line)."""
    if not name:
        return "……"
    kind = kind_of(name)
    return name[len(kind):].strip() if kind else name


def in_sentence(name: str | None) -> str:
    """"Xã An Phú" → "xã An Phú" (a unit named inside a sentence)."""
    if not name:
        return "……"
    kind = kind_of(name)
    return kind.lower() + name[len(kind):] if kind else name


def abbreviation(body: str) -> str:
    """"Phòng Giáo dục và Đào tạo" → "PGDĐT", "Ủy ban nhân dân" → "UBND" (the symbol's tail)."""
    letters = []
    for w in body.split():
        if w.lower() in ("và", "cấp") or not w[0].isalpha():
            continue
        c = w[0].upper()
        if c != "Đ":
            c = unicodedata.normalize("NFD", c)[0]
        letters.append(c)
    return "".join(letters) or "CQ"


def split_authority(decided_by: str) -> tuple[str, str]:
    """"Trưởng phòng Giáo dục và Đào tạo" → ("Trưởng phòng", "Phòng Giáo dục và Đào tạo");
    "Giám đốc Sở …" → ("Giám đốc", "Sở …"); anything else → ("Thủ trưởng", the text)."""
    text = strip_note(decided_by)
    for title in TITLES:
        if text.casefold().startswith(title.casefold()):
            rest = text[len(title):].strip()
            if title == "Trưởng phòng":
                rest = "Phòng " + rest
            return title, rest or text
    return "Thủ trưởng", text


def superior_body(decided_by: str, parent_name: str | None) -> str:
    """The body above a council or a deciding office, uppercase: the parent's People's Committee
    ("ỦY BAN NHÂN DÂN HUYỆN BÌNH AN"); "" for the Ministry or when the parent is unknown."""
    _, body = split_authority(decided_by)
    return "" if body.startswith("Bộ") or not parent_name else f"{UNIT_BODY} {parent_name.upper()}"


def council_heading(appraised_by: str | None, decided_by: str, parent_name: str | None) -> tuple[str, str]:
    """(superior, council) of the council's documents: "ỦY BAN NHÂN DÂN HUYỆN …" (or the deciding
    body, e.g. "BỘ GIÁO DỤC VÀ ĐÀO TẠO", when the parent is unknown or the Ministry decides) over
    "HỘI ĐỒNG ĐÁNH GIÁ CẤP HUYỆN"."""
    council = strip_note(appraised_by) or "Hội đồng đánh giá"
    return superior_body(decided_by, parent_name) or split_authority(decided_by)[1].upper(), council.upper()


def recipient(dossier_to: str | None, parent_name: str | None) -> str:
    """Where the unit's dossier goes, named with the parent when known: "Phòng Giáo dục và Đào tạo
    huyện Bình An"."""
    to = strip_note(dossier_to) or "……"
    return f"{to} {in_sentence(parent_name)}" if parent_name else to


def day_month(d: dt.date) -> tuple[str, str]:
    """Day and month as Nghị định 30 writes them: a zero before days 1–9 and months 1 and 2 only
    ("ngày 05 tháng 7", "ngày 10 tháng 02")."""
    return f"{d.day:02d}", f"{d.month:02d}" if d.month < 3 else str(d.month)


def date_line(value, year: int) -> str:
    """"ngày 10 tháng 02 năm 2027" from a date; blanks to fill by hand (year N+1) otherwise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day, month = day_month(value)
        return f"ngày {day} tháng {month} năm {value.year}"
    return f"{BLANK_DATE} {year + 1}"
