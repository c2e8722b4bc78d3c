"""The "Tự đánh giá" sheet: criteria and indicators, their inputs, live verdicts and the level."""
from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.utils import get_column_letter, quote_sheetname

from cdht import contract as L
from cdht import rules as R
from cdht_generator.builder import LIST_HEADER, sheet_ref
from cdht_generator.formulas import (criterion_formula, evidence_count_formula as count_formula, indicator_formula,
                                     level_text_formula, rate_formula, self_level_formula)
from cdht_generator.styles import BOLD, FILL_CRITERION, FILL_NO_EVIDENCE, THIN, TITLE, WRAP

COLUMNS = ["Mã", "Tiêu chí / chỉ tiêu", "Nội dung cần nhập", "Số liệu / kết quả", "Mức độ 1", "Mức độ 2",
           "Số minh chứng", "Tỷ lệ tính được — yêu cầu"]
WIDTHS = [10, 70, 40, 16, 16, 16, 12, 30]
RATE_COLUMN = 8  # H: a ratio's live rate beside its count, and its bar
LEVEL_COLUMNS = ((1, 5), (2, 6))  # level → column of its verdict (E, F)
EVIDENCE_INDICATORS = (f"{quote_sheetname(L.SHEET_EVIDENCE)}!"
                       f"$B${L.HEADER_ROW + 1}:$B${L.HEADER_ROW + L.EVIDENCE_ROWS}")  # the "Chỉ tiêu" column


@dataclass
class SelfRefs:
    """What other sheets read from this one: absolute references per indicator / criterion and level."""
    indicators: dict[str, dict[int, str]] = field(default_factory=dict)
    criteria: dict[str, dict[int, str]] = field(default_factory=dict)
    level_text: str = ""
    indicator_rows: list[int] = field(default_factory=list)
    criterion_rows: list[int] = field(default_factory=list)
    input_refs: list[str] = field(default_factory=list)


def evidence_count_formula(ind) -> str:
    """How many evidence rows cite the indicator (the "Số minh chứng" column)."""
    return "=" + count_formula(ind, EVIDENCE_INDICATORS)


def write(book) -> SelfRefs:
    """Add the self-assessment sheet; returns the references the appraisal and summary sheets use."""
    t = book.tier
    ws = book.wb.create_sheet(L.SHEET_SELF)
    book.title(ws, f"BẢNG TỰ ĐÁNH GIÁ \"CỘNG ĐỒNG HỌC TẬP\" {t.name.upper()} — NĂM {book.year}")
    ws["A2"] = f'="Đơn vị: "&{L.N_UNIT_NAME}'
    book.header(ws, L.HEADER_ROW, COLUMNS, WIDTHS)
    refs = SelfRefs()
    r = L.HEADER_ROW + 1
    for crit in t.criteria:
        r = _criterion(book, ws, crit, r, refs)
    _level(book, ws, r - 1, refs)
    _formats(book, ws, r - 1, refs)
    book.print_setup(ws, LIST_HEADER, landscape=True)
    book.protect(ws)
    return refs


def _criterion(book, ws, crit, r: int, refs: SelfRefs) -> int:
    """A criterion row, its indicators' rows, then its verdict formulas; returns the next free row."""
    cr = r
    refs.criterion_rows.append(cr)
    ws.cell(cr, 1, crit.id)
    ws.cell(cr, 2, crit.name)
    for col in range(1, len(COLUMNS) + 1):
        ws.cell(cr, col).fill = FILL_CRITERION
        ws.cell(cr, col).font = BOLD
    ws.cell(cr, 2).alignment = WRAP
    r += 1
    first = r
    for ind in crit.indicators:
        r = _indicator(book, ws, ind, r, refs)
    for lvl, col in LEVEL_COLUMNS:
        letter = get_column_letter(col)
        ws.cell(cr, col, "=" + criterion_formula([f"{letter}{x}" for x in refs.indicator_rows if x >= first]))
        refs.criteria.setdefault(crit.id, {})[lvl] = sheet_ref(ws, f"{letter}{cr}")
    return r


def _indicator(book, ws, ind, ir: int, refs: SelfRefs) -> int:
    """An indicator: one row per input field, its verdict at each level and evidence count."""
    refs.indicator_rows.append(ir)
    ws.cell(ir, 1, ind.id)
    ws.cell(ir, 2, R.indicator_text(ind)).alignment = WRAP  # the bars in words, never "…%"
    own = ind.fields or []
    for k, f in enumerate(own):
        ws.cell(ir + k, 3, f.label).alignment = WRAP
        book.input_cell(ws, f"D{ir + k}", f.key, f.type, f.min, f.max)
        refs.input_refs.append(f"D{ir + k}")
    for lvl, col in LEVEL_COLUMNS:
        ws.cell(ir, col, "=" + indicator_formula(ind, lvl, book.tier.fields, evidence=f"$G{ir}")).border = THIN
        refs.indicators.setdefault(ind.id, {})[lvl] = sheet_ref(ws, f"{get_column_letter(col)}{ir}")
    ws.cell(ir, 7, evidence_count_formula(ind))
    book.name(L.evidence_count_name(ind.id), ws, f"G{ir}")  # where a missing-evidence finding points
    _rates(ws, ind, ir, own)
    return ir + max(len(own), 1)


def _rates(ws, ind, ir: int, own) -> None:
    """Beside the numerator's input, each ratio's live rate and its bar (column H)."""
    rows = {f.key: ir + k for k, f in enumerate(own)}
    ratios: dict[tuple[str, str], dict[int, R.Ratio]] = {}
    for lvl in (1, 2):
        for r in R.ratio_rules(ind.rules[lvl]):
            ratios.setdefault((r.p.num, r.p.den), {})[lvl] = r
    for (num, _), by_level in ratios.items():
        c = ws.cell(rows.get(num, ir), RATE_COLUMN, "=" + rate_formula(by_level))
        c.alignment = WRAP


def _level(book, ws, last: int, refs: SelfRefs) -> None:
    """The self-assessed level (named) and its conclusion in words, below the table."""
    r = last + 2
    ws.cell(r, 2, "KẾT QUẢ TỰ ĐÁNH GIÁ (mức độ đạt được: 2, 1, 0 = chưa đạt; trống = chưa đủ dữ liệu)").font = BOLD
    crit1 = [f"E{x}" for x in refs.criterion_rows]
    crit2 = [f"F{x}" for x in refs.criterion_rows]
    c = ws.cell(r, 4, "=" + self_level_formula(f"E{L.HEADER_ROW + 1}:F{last}", crit1, crit2))
    c.font = TITLE
    c.border = THIN
    book.name(L.N_LEVEL, ws, f"D{r}")
    ws.cell(r + 1, 2, "Kết luận").font = BOLD
    ws.cell(r + 1, 4, "=" + level_text_formula(L.N_LEVEL))
    refs.level_text = sheet_ref(ws, f"D{r + 1}")
    ws.cell(r + 2, 2, "Minh chứng").font = BOLD
    ws.cell(r + 2, 4, "=" + missing_evidence_formula(f"E{L.HEADER_ROW + 1}:E{last}", f"F{L.HEADER_ROW + 1}:F{last}"))


def missing_evidence_formula(level1: str, level2: str) -> str:
    """The line under the conclusion: how many indicators are met without any evidence row (the
    same count as ``cdht.ops.assess.Report.no_evidence``); the level stays, the dossier waits."""
    n = f'SUMPRODUCT(--((({level1}="{R.DAT_NO_EVIDENCE}")+({level2}="{R.DAT_NO_EVIDENCE}"))>0))'
    return (f'IF({n}=0,"Mọi chỉ tiêu đạt đều có minh chứng",{n}&" chỉ tiêu đạt chưa có minh chứng (ô cam ở cột '
            f'Số minh chứng): mức độ không đổi, nhưng chưa nộp hồ sơ được cho đến khi bổ sung ở trang Minh chứng")')


def _formats(book, ws, last: int, refs: SelfRefs) -> None:
    """Conditional formats: empty input, không đạt, đạt, đạt without evidence; and the evidence
    count of an indicator passed without evidence."""
    book.result_formats(ws, refs.input_refs, f"E{L.HEADER_ROW + 1}:F{last}")
    ws.conditional_formatting.add(f"E{L.HEADER_ROW + 1}:F{last}", CellIsRule(
        operator="equal", formula=[f'"{R.DAT_NO_EVIDENCE}"'], fill=FILL_NO_EVIDENCE))
    rows = refs.indicator_rows
    ws.conditional_formatting.add(" ".join(f"G{x}" for x in rows), FormulaRule(
        formula=[f'AND(OR($E{rows[0]}="{R.DAT_NO_EVIDENCE}",$F{rows[0]}="{R.DAT_NO_EVIDENCE}"),G{rows[0]}=0)'],
        fill=FILL_NO_EVIDENCE))
