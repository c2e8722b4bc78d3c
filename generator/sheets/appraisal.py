"""The "Thẩm định" sheet: the appraisal board's verdict and reason per indicator, and its level."""
from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule

from cdht import contract as L
from cdht import rules as R
from cdht_generator.builder import LIST_HEADER, sheet_ref
from cdht_generator.formulas import appraisal_level_formula
from cdht_generator.styles import BOLD, FILL_MISSING, TITLE, WRAP

COLUMNS = ["Mã", "Chỉ tiêu", "Tự đánh giá mức độ 1", "Tự đánh giá mức độ 2", "Kết quả thẩm định",
           "Lý do không đạt"]
WIDTHS = [10, 60, 14, 14, 16, 50]


def write(book, self_refs) -> dict[str, str]:
    """Add the appraisal sheet; returns indicator id → absolute reference of its verdict cell."""
    ws = book.wb.create_sheet(L.SHEET_APPRAISAL)
    book.title(ws, "BẢN TỔNG HỢP KẾT QUẢ THẨM ĐỊNH CỦA HỘI ĐỒNG",
               f"Hội đồng: {book.procedure.appraised_by}. Ghi rõ lý do cho mỗi chỉ tiêu không đạt.")
    ws["A3"] = "Mức độ Hội đồng xét (1 hoặc 2)"
    ws["A3"].font = BOLD
    book.input_cell(ws, "D3", L.N_APPRAISAL_TARGET, "level", 1, 2)
    book.header(ws, L.HEADER_ROW, COLUMNS, WIDTHS)
    verdicts: dict[str, str] = {}
    r = L.HEADER_ROW + 1
    for ind in book.tier.indicators:
        _indicator(book, ws, ind, r, self_refs.indicators[ind.id])
        verdicts[ind.id] = sheet_ref(ws, f"E{r}")
        r += 1
    first, last = L.HEADER_ROW + 1, r - 1
    _level(book, ws, r + 1, f"E{first}:E{last}", len(verdicts))
    book.fail_format(ws, f"E{first}:E{last}")
    ws.conditional_formatting.add(f"F{first}:F{last}", FormulaRule(
        formula=[f'AND($E{first}="{R.KHONG_DAT}",LEN(F{first})=0)'], fill=FILL_MISSING))
    book.print_setup(ws, LIST_HEADER, landscape=True)
    book.protect(ws)
    return verdicts


def _indicator(book, ws, ind, r: int, self_cells: dict[int, str]) -> None:
    """One indicator: the self-assessed verdicts, the board's verdict and reason (named inputs)."""
    ws.cell(r, 1, ind.id)
    ws.cell(r, 2, ind.text).alignment = WRAP
    ws.cell(r, 3, f"={self_cells[1]}")
    ws.cell(r, 4, f"={self_cells[2]}")
    book.input_cell(ws, f"E{r}", L.appraisal_name(ind.id), "verdict")
    c = ws.cell(r, 6)
    book.mark_input(c)
    c.alignment = WRAP
    book.name(L.appraisal_reason_name(ind.id), ws, f"F{r}")


def _level(book, ws, r: int, verdicts: str, n: int) -> None:
    ws.cell(r, 2, "KẾT QUẢ THẨM ĐỊNH (mức độ; 0 = không đạt; trống = chưa thẩm định xong)").font = BOLD
    ws.cell(r, 4, "=" + appraisal_level_formula(verdicts, n, L.N_APPRAISAL_TARGET)).font = TITLE
    book.name(L.N_APPRAISAL_LEVEL, ws, f"D{r}")
