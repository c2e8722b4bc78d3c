"""The "Thẩm định" sheet: the appraisal board's verdict and reason per indicator, and its level —
laid out as the council's administrative document (Nghị định 30/2020: the body above the council
and the council, title, the council's signatures; see :mod:`cdht_generator.sheets.document`)."""
from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule

from cdht import contract as L
from cdht import rules as R
from cdht.dossier import names as N
from cdht_generator.builder import sheet_ref
from cdht_generator.formulas import appraisal_level_formula
from cdht_generator.sheets import document as D
from cdht_generator.styles import BOLD, FILL_MISSING, SMALL_ITALIC, TITLE, WRAP

COLUMNS = ["Mã", "Chỉ tiêu", "Tự đánh giá mức độ 1", "Tự đánh giá mức độ 2", "Kết quả thẩm định",
           "Lý do không đạt"]
WIDTHS = [10, 60, 14, 14, 16, 50]
SPLIT = 2  # the heading's left block (the council) over columns A:B, the national heading over C:F
SYMBOL = "BC-HĐĐG"


def write(book, self_refs) -> dict[str, str]:
    """Add the appraisal sheet; returns indicator id → absolute reference of its verdict cell."""
    ws = book.wb.create_sheet(L.SHEET_APPRAISAL)
    proc, parent = book.procedure, book.parent_unit
    superior, council = N.council_heading(proc.appraised_by, proc.decided_by, parent.name if parent else None)
    width = len(COLUMNS)
    place = f'"{N.place_name(parent.name) if parent else "……"}, {N.BLANK_DATE} "&({L.N_YEAR}+1)'
    r = D.heading(ws, [(superior, False), (council, True)], SYMBOL, place, SPLIT, width)
    r = D.title(ws, r, width, "BẢN TỔNG HỢP", [
        "Kết quả đánh giá các tiêu chí, chỉ tiêu do Hội đồng thẩm định",
        f'="Đơn vị: "&{L.N_UNIT_NAME}&" — năm đánh giá "&{L.N_YEAR}'])
    ws.cell(r - 1, 1, f"Hội đồng: {proc.appraised_by}. Ghi rõ lý do cho mỗi chỉ tiêu không đạt.").font = SMALL_ITALIC
    ws.cell(r, 1, "Mức độ Hội đồng xét (1 hoặc 2)").font = BOLD
    book.input_cell(ws, f"D{r}", L.N_APPRAISAL_TARGET, "level", 1, 2)
    header = r + 1
    book.header(ws, header, COLUMNS, WIDTHS)
    verdicts: dict[str, str] = {}
    r = header + 1
    for ind in book.tier.indicators:
        _indicator(book, ws, ind, r, self_refs.indicators[ind.id])
        verdicts[ind.id] = sheet_ref(ws, f"E{r}")
        r += 1
    first, last = header + 1, r - 1
    _level(book, ws, r + 1, f"E{first}:E{last}", len(verdicts))
    book.fail_format(ws, f"E{first}:E{last}")
    ws.conditional_formatting.add(f"F{first}:F{last}", FormulaRule(
        formula=[f'AND($E{first}="{R.KHONG_DAT}",LEN(F{first})=0)'], fill=FILL_MISSING))
    _signatures(book, ws, r + 3)
    book.print_setup(ws, f"{header}:{header}", landscape=True)
    D.page(ws)
    book.protect(ws)
    return verdicts


def _indicator(book, ws, ind, r: int, self_cells: dict[int, str]) -> None:
    """One indicator: the self-assessed verdicts, the board's verdict and reason (named inputs)."""
    ws.cell(r, 1, ind.id)
    ws.cell(r, 2, R.indicator_text(ind)).alignment = WRAP  # the bars in words, never "…%"
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


def _signatures(book, ws, r: int) -> None:
    """The council's signatures: its secretary (left) and, for the council, its chair (right);
    the recipients under them (who decides, the unit, the archive)."""
    proc, parent = book.procedure, book.parent_unit
    decider = N.strip_note(proc.decided_by)
    secretary = [(N.COUNCIL_SECRETARY, D.font(14, bold=True)), ("(Ký, ghi rõ họ tên)", D.font(12, italic=True))]
    r = D.signatures(ws, r, SPLIT, len(COLUMNS), secretary,
                     D.signer([N.COUNCIL_AUTHORITY, N.COUNCIL_SIGNER], "(Ký, ghi rõ họ tên)"))
    above = f" {N.in_sentence(parent.name)}" if parent and not decider.startswith("Bộ") else ""
    for k, (text, fnt) in enumerate(D.recipients([f"{decider}{above} (để quyết định);",
                                                  f'Ủy ban nhân dân {N.in_sentence(book.unit.name) if book.unit else "……"};',
                                                  "Lưu: VT, Hội đồng."])):
        ws.cell(r + k, 1, text).font = fnt
