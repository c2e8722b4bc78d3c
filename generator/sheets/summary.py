"""The "Bản tổng hợp" sheet: the printable summary of criteria, indicators and both levels, to sign."""
from __future__ import annotations

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER
from cdht_generator.formulas import level_text_formula
from cdht_generator.styles import BOLD, FILL_CRITERION, SMALL_ITALIC, WRAP

COLUMNS = ["Mã", "Tiêu chí / chỉ tiêu", "Mức độ 1", "Mức độ 2", "Thẩm định"]
WIDTHS = [10, 70, 16, 16, 16]


def write(book, self_refs, verdicts: dict[str, str]) -> None:
    """Add the summary: a row per criterion and indicator (formulas over the other sheets), the
    levels in words, the signature block and the seal code."""
    ws = book.wb.create_sheet(L.SHEET_SUMMARY)
    book.title(ws, f"BẢN TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ CÁC TIÊU CHÍ, CHỈ TIÊU — {book.tier.name.upper()}")
    ws["A2"] = f'="Đơn vị: "&{L.N_UNIT_NAME}&" — Năm đánh giá: "&{L.N_YEAR}'
    book.header(ws, L.HEADER_ROW, COLUMNS, WIDTHS)
    r = L.HEADER_ROW + 1
    for crit in book.tier.criteria:
        _criterion(ws, r, crit, self_refs.criteria[crit.id])
        r += 1
        for ind in crit.indicators:
            _indicator(ws, r, ind, self_refs.indicators[ind.id], verdicts[ind.id])
            r += 1
    book.fail_format(ws, f"C{L.HEADER_ROW + 1}:E{r - 1}")
    _signatures(ws, r + 1, self_refs.level_text)
    book.print_setup(ws, LIST_HEADER)
    book.protect(ws)


def _criterion(ws, r: int, crit, cells: dict[int, str]) -> None:
    ws.cell(r, 1, crit.id).font = BOLD
    ws.cell(r, 2, crit.name).font = BOLD
    ws.cell(r, 2).alignment = WRAP
    ws.cell(r, 3, f"={cells[1]}")
    ws.cell(r, 4, f"={cells[2]}")
    for col in range(1, 6):
        ws.cell(r, col).fill = FILL_CRITERION


def _indicator(ws, r: int, ind, cells: dict[int, str], verdict: str) -> None:
    ws.cell(r, 1, ind.id)
    ws.cell(r, 2, ind.text).alignment = WRAP
    ws.cell(r, 3, f"={cells[1]}")
    ws.cell(r, 4, f"={cells[2]}")
    ws.cell(r, 5, f'=IF(LEN({verdict})=0,"",{verdict})')


def _signatures(ws, r: int, level_text: str) -> None:
    """Both levels in words, the preparer's and the head's signature blocks, the seal code."""
    ws.cell(r, 2, "Kết quả tự đánh giá").font = BOLD
    ws.cell(r, 3, f"={level_text}").font = BOLD
    ws.cell(r + 1, 2, "Kết quả thẩm định của Hội đồng").font = BOLD
    ws.cell(r + 1, 3, f'=IF({L.N_APPRAISAL_LEVEL}="","",' + level_text_formula(L.N_APPRAISAL_LEVEL) + ")")
    ws.cell(r + 3, 2, "NGƯỜI LẬP BIỂU").font = BOLD
    ws.cell(r + 3, 4, "THỦ TRƯỞNG ĐƠN VỊ").font = BOLD
    ws.cell(r + 4, 2, "(Ký, ghi rõ họ tên)")
    ws.cell(r + 4, 4, "(Ký, ghi rõ họ tên, đóng dấu)")
    ws.cell(r + 8, 2, f"={L.N_PREPARER}&\"\"")
    ws.cell(r + 10, 2, f'="Mã niêm phong: "&{L.N_SEAL}')
    ws.cell(r + 10, 2).font = SMALL_ITALIC
