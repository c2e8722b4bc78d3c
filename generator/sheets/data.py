"""The "Số liệu" sheet of a department's data form: its indicators' inputs (named exactly like the
province workbook's), a live verdict where the form holds all of an indicator's inputs, the signer."""
from __future__ import annotations

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER
from cdht_generator.formulas import indicator_formula
from cdht_generator.sheets.self_assessment import evidence_count_formula
from cdht_generator.styles import BOLD, SMALL_ITALIC, THIN, WRAP

SHEET_DATA = "Số liệu"
COLUMNS = ["Mã", "Chỉ tiêu", "Nội dung cần nhập", "Số liệu / kết quả", "Đánh giá (tự tính)", "Số minh chứng"]
WIDTHS = [10, 70, 40, 16, 16, 12]


def write(book, tier, con, indicators, signers: tuple[tuple[str, str, bool], ...]) -> None:
    """Add the data sheet of department ``con`` for ``indicators`` of the province ``tier``;
    ``signers``: (label, name, is_date) of the signer cells."""
    ws = book.wb.create_sheet(SHEET_DATA)
    book.title(ws, f"PHIẾU SỐ LIỆU \"CỘNG ĐỒNG HỌC TẬP\" CẤP TỈNH — NĂM {book.year}",
               f"Đơn vị cung cấp: {con.name}. Số liệu từ 01/01 đến 31/12/{book.year}.")
    book.header(ws, L.HEADER_ROW, COLUMNS, WIDTHS)
    r = L.HEADER_ROW + 1
    input_refs: list[str] = []
    for ind in indicators:
        r = _indicator(book, ws, ind, r, tier.fields, input_refs)
    book.result_formats(ws, input_refs, f"E{L.HEADER_ROW + 1}:E{r - 1}")
    r = _signer(book, ws, r + 1, signers)
    ws.cell(r + 1, 2, f'="Mã niêm phong: "&{L.N_SEAL}').font = SMALL_ITALIC
    book.print_setup(ws, LIST_HEADER, landscape=True)
    book.protect(ws)


def _indicator(book, ws, ind, ir: int, fields: dict, input_refs: list[str]) -> int:
    """One indicator: a row per input field, its level-1 verdict, its evidence count; the next row."""
    ws.cell(ir, 1, ind.id)
    ws.cell(ir, 2, ind.text).alignment = WRAP
    for k, f in enumerate(ind.fields):
        ws.cell(ir + k, 3, f.label).alignment = WRAP
        book.input_cell(ws, f"D{ir + k}", f.key, f.type, f.min, f.max)
        input_refs.append(f"D{ir + k}")
    if set(ind.input_keys()) <= {f.key for f in ind.fields}:  # live only when it reads this form's cells alone
        ws.cell(ir, 5, "=" + indicator_formula(ind, 1, fields)).border = THIN
    ws.cell(ir, 6, evidence_count_formula(ind))
    return ir + max(len(ind.fields), 1)


def _signer(book, ws, r: int, signers) -> int:
    """The department's confirmation: signer's name, title and date (named inputs)."""
    ws.cell(r, 2, "XÁC NHẬN CỦA ĐƠN VỊ CUNG CẤP SỐ LIỆU").font = BOLD
    r += 1
    for label, name, is_date in signers:
        ws.cell(r, 3, label).font = BOLD
        book.free_input(ws, f"D{r}", name, is_date=is_date)
        r += 1
    return r
