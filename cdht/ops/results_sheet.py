"""The "Kết quả kiểm tra" sheet written into a user's workbook (saved by :mod:`cdht.xlsx.save`:
lock-file refusal, backup, temporary file then rename).

Only the tool sheets (unprotected) and cell fills are touched; an input value is never changed.
"""
from __future__ import annotations

import shutil  # noqa: F401  (kept: callers and tests reach the save's shutil / tempfile through here)
import tempfile  # noqa: F401

from cdht import contract as L
from cdht.messages import Finding, finding
from cdht.xlsx.names import put
from cdht.xlsx.save import backup_path, load_for_write, lock_file, save_safely  # noqa: F401  (re-exported)

FILL_FLAG = L.COLOR_FLAG    # the colours have one home: cdht.contract
FILL_INPUT = L.COLOR_INPUT


def result_rows(findings: list[Finding]) -> list[list]:
    """The rows of the "Kết quả kiểm tra" sheet (also what the add-in writes in one block)."""
    return [[f.code, f.severity, f.sheet or "", f.cell or (f"dòng {f.row}" if f.row else ""),
             f.indicator or "", f.message, f.fix] for f in findings]


def summary_rows(report) -> list[list]:
    """The summary lines above the findings on "Kết quả kiểm tra" (level, appraisal, ready to file)."""
    from cdht.evaluate import level_label
    a = report.assessment
    rows = [["", "", "", "", "", f"Mức độ (tính lại từ số liệu): {level_label(report.level) if a else '—'}", ""]]
    if report.appraised_level is not None:
        rows.append(["", "", "", "", "", f"Kết quả thẩm định: {level_label(report.appraised_level)}", ""])
    rows.append(["", "", "", "", "", "Sẵn sàng nộp hồ sơ: " + ("Có" if report.ready_to_file else "Chưa"), ""])
    rows.append(["", "", "", "", "", ready_text(report), ""])
    return rows


def ready_text(report) -> str:
    """The level a dossier may be filed at — only a level the unit meets (issue 12, case 6)."""
    if report.ready_to_file:
        return f"Mức độ đề nghị công nhận: mức độ {report.ready_level}"
    if report.assessment is not None and report.assessment.complete and report.level == 0:
        return "Chưa đạt mức độ 1: không có mức độ để đề nghị công nhận"
    return "Mức độ đề nghị công nhận: chưa xác định (sửa các lỗi và ô còn thiếu)"


def write_results(report) -> Finding | None:
    """Refresh the results sheet and flag the cells findings point at. Returns a finding on failure."""
    from openpyxl.styles import PatternFill

    from cdht.fingerprint import coord_of
    from cdht_generator.workbook import writable_cell

    path = report.sub.path
    wb = load_for_write(path)
    if L.SHEET_RESULTS not in wb.sheetnames:
        return finding("CDHT-W020", file=path.name, sheet=L.SHEET_RESULTS)
    ws = wb[L.SHEET_RESULTS]
    if ws.max_row > L.HEADER_ROW:
        ws.delete_rows(L.HEADER_ROW + 1, ws.max_row - L.HEADER_ROW)
    rows = summary_rows(report) + result_rows(report.findings)
    for r, row in enumerate(rows, start=L.HEADER_ROW + 1):
        for c, v in enumerate(row, start=1):
            put(ws.cell(r, c), v)  # text stays text
    # reset earlier flags on input cells, then flag what is wrong now
    input_names = set(report.sub.tier.fields) if report.sub.tier else set()
    for name in input_names:
        sheet, ref = report.sub.cells.get(name, (None, None))
        if sheet in wb.sheetnames:
            wb[sheet][ref].fill = PatternFill("solid", fgColor=FILL_INPUT)
    for ind in report.sub.tier.indicators if report.sub.tier else []:  # evidence counts: no fill of their own
        sheet, ref = report.sub.cells.get(L.evidence_count_name(ind.id), (None, None))
        if sheet in wb.sheetnames:
            wb[sheet][ref].fill = PatternFill(fill_type=None)
    for f in report.findings:
        if f.sheet in wb.sheetnames and f.cell and f.cell[0].isalpha():
            try:
                row, col = coord_of(f.cell)
                writable_cell(wb[f.sheet], row, col).fill = PatternFill("solid", fgColor=FILL_FLAG)
            except (ValueError, StopIteration):  # not a single cell
                pass
    return save_safely(wb, path)
