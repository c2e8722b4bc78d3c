"""The "Thông tin đơn vị" sheet: the unit's identity, its unit-level fields and the preparer."""
from __future__ import annotations

from cdht import contract as L
from cdht import rules as R
from cdht_generator.builder import deadline_text
from cdht_generator.styles import BOLD, SMALL_ITALIC, WRAP

_FIRST_ROW = 4


def write(book) -> None:
    """Add the unit sheet: fixed identity rows, the catalogue's unit fields, preparer and date."""
    t = book.tier
    ws = book.wb.create_sheet(L.SHEET_UNIT)
    book.title(ws, "THÔNG TIN ĐƠN VỊ",
               f"Biểu mẫu tự đánh giá \"Cộng đồng học tập\" {t.name.lower()} — năm {book.year}")
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 48
    required: list[str] = []  # highlighted while empty, as on the self-assessment sheet
    r = _identity_rows(book, ws, _FIRST_ROW, required)
    r = _field_rows(book, ws, r, required)
    book.missing_format(ws, required)
    for label, name in (("Người lập biểu", L.N_PREPARER), ("Ngày lập", L.N_PREPARED_ON)):
        ws.cell(r, 1, label).font = BOLD
        book.free_input(ws, f"B{r}", name, is_date=name == L.N_PREPARED_ON)
        r += 1
    _children_rows(book, ws, r)
    book.print_setup(ws)
    book.protect(ws)


def _identity_rows(book, ws, r: int, required: list[str]) -> int:
    """Code, name (inputs on a blank template), tier, parent, year, deadline, where to file.

    On a workbook issued for a registry unit, code, name and parent come from the registry and
    stay locked (they are also in ``_meta``, under the Sở's signature when it signs)."""
    t, u, proc = book.tier, book.unit, book.procedure
    parent = book.parent_unit
    rows = [
        ("Mã đơn vị", L.N_UNIT_CODE, u.code if u else None, u is None),
        ("Tên đơn vị", L.N_UNIT_NAME, u.name if u else None, u is None),
        ("Cấp", None, f"{t.name} ({t.spec.unit_kinds})", False),
        ("Đơn vị cấp trên", None, f"{parent.name} (mã {parent.code})" if parent else "", False),
        ("Năm đánh giá (số liệu từ 01/01 đến 31/12)", L.N_YEAR, book.year, False),
        ("Hạn nộp hồ sơ", None, deadline_text(proc.submit_by, book.year), False),
        ("Hồ sơ gửi", None, proc.dossier_to, False),
    ]
    for label, name, value, is_input in rows:
        ws.cell(r, 1, label).font = BOLD
        c = ws.cell(r, 2, value if value not in ("",) else None)
        if name:
            if is_input:
                book.mark_input(c)
                required.append(f"B{r}")
            book.name(name, ws, f"B{r}")
        r += 1
    return r


def _field_rows(book, ws, r: int, required: list[str]) -> int:
    """The catalogue's unit fields (e.g. total citizens, hardship area) as named inputs — but the
    disadvantaged-area status ("Xã thuộc vùng khó khăn") of a workbook issued for a registry unit
    is the registry's, in a locked cell (it lowers the xa.5.2 bar: not the unit's own choice)."""
    for f in book.tier.spec.unit_fields:
        ws.cell(r, 1, f.label).font = BOLD
        ws.cell(r, 1).alignment = WRAP
        if f.key == L.N_DISADVANTAGED and book.unit is not None:
            ws.cell(r, 2, R.CO if book.unit.hardship else R.KHONG)
            book.name(f.key, ws, f"B{r}")
            ws.cell(r, 3, "Theo danh sách đơn vị của Sở (không sửa được)").font = SMALL_ITALIC
        else:
            book.input_cell(ws, f"B{r}", f.key, f.type, f.min, f.max)
            required.append(f"B{r}")
        r += 1
    return r


def _children_rows(book, ws, r: int) -> int:
    """A parent issued for a registry unit: its expected lower units of that year, locked."""
    expected = book.expected_children()
    if not expected:
        return r
    child = book.edition.tier(book.tier.children[0])
    r += 1
    ws.cell(r, 1, f"Đơn vị cấp dưới theo danh sách của Sở năm {book.year} ({child.name.lower()}): "
                  f"{len(expected)}").font = BOLD
    r += 1
    for u in expected:
        ws.cell(r, 1, u.code)
        ws.cell(r, 2, u.name)
        r += 1
    return r + 1
