"""The "Bản tổng hợp" sheet: the printable summary of criteria, indicators and both levels, to sign —
laid out as an administrative document of the unit (Nghị định 30/2020: heading, title, signature of
the People's Committee, recipients; see :mod:`cdht_generator.sheets.document`)."""
from __future__ import annotations

from cdht import contract as L
from cdht import rules as R
from cdht.dossier import names as N
from cdht_generator.formulas import level_text_formula
from cdht_generator.sheets import document as D
from cdht_generator.styles import BOLD, FILL_CRITERION, SMALL_ITALIC, WRAP

COLUMNS = ["Mã", "Tiêu chí / chỉ tiêu", "Mức độ 1", "Mức độ 2", "Thẩm định"]
WIDTHS = [10, 70, 16, 16, 16]
SPLIT = 2  # the heading's left block (the unit) over columns A:B, the national heading over C:E
SYMBOL = "BC-UBND"


def write(book, self_refs, verdicts: dict[str, str]) -> None:
    """Add the summary: the unit's heading, a row per criterion and indicator (formulas over the
    other sheets, the indicators' real bars), the levels in words, the signature block, the
    recipients and the seal code."""
    ws = book.wb.create_sheet(L.SHEET_SUMMARY)
    width = len(COLUMNS)
    r = D.heading(ws, [(N.UNIT_BODY, True), (f"=UPPER({L.N_UNIT_NAME})", True)], SYMBOL, _place_date(), SPLIT, width)
    r = D.title(ws, r, width, "BẢN TỔNG HỢP", [
        f"Kết quả đánh giá các tiêu chí, chỉ tiêu \"Cộng đồng học tập\" {book.tier.name.lower()}",
        f'="của "&{L.N_UNIT_NAME}&" năm "&{L.N_YEAR}'])
    header = r
    book.header(ws, header, COLUMNS, WIDTHS)
    r = header + 1
    for crit in book.tier.criteria:
        _criterion(ws, r, crit, self_refs.criteria[crit.id])
        r += 1
        for ind in crit.indicators:
            _indicator(ws, r, ind, self_refs.indicators[ind.id], verdicts[ind.id])
            r += 1
    book.fail_format(ws, f"C{header + 1}:E{r - 1}")
    _results(ws, r + 1, self_refs.level_text)
    _signatures(book, ws, r + 4)
    book.print_setup(ws, f"{header}:{header}")
    D.page(ws)
    book.protect(ws)


def _place_date() -> str:
    return D.place_formula() + '&", "&' + D.date_formula()


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
    ws.cell(r, 2, R.indicator_text(ind)).alignment = WRAP  # the bars in words, never "…%"
    ws.cell(r, 3, f"={cells[1]}")
    ws.cell(r, 4, f"={cells[2]}")
    ws.cell(r, 5, f'=IF(LEN({verdict})=0,"",{verdict})')


def _results(ws, r: int, level_text: str) -> None:
    """Both levels in words."""
    ws.cell(r, 2, "Kết quả tự đánh giá").font = BOLD
    ws.cell(r, 3, f"={level_text}").font = BOLD
    ws.cell(r + 1, 2, "Kết quả thẩm định của Hội đồng").font = BOLD
    ws.cell(r + 1, 3, f'=IF({L.N_APPRAISAL_LEVEL}="","",' + level_text_formula(L.N_APPRAISAL_LEVEL) + ")")


def _signatures(book, ws, r: int) -> None:
    """Recipients (where the dossier goes, named from the issuer's profile) and the People's
    Committee's signature; then the preparer and the seal code."""
    parent = book.parent_unit
    to = N.recipient(book.procedure.dossier_to, parent.name if parent else None)
    r = D.signatures(ws, r, SPLIT, len(COLUMNS), D.recipients([f"{to};", "Lưu: VT."]),
                     D.signer([N.UNIT_AUTHORITY, N.UNIT_SIGNER], "(Ký, ghi rõ họ tên, đóng dấu)"))
    ws.cell(r, 2, f'="Người lập biểu: "&{L.N_PREPARER}&""')
    ws.cell(r + 1, 2, f'="Mã niêm phong: "&{L.N_SEAL}')
    ws.cell(r + 1, 2).font = SMALL_ITALIC
