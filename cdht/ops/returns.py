"""Small return workbooks, one per child unit, to send back with the findings to fix (xlsxwriter)."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from cdht import contract as L
from cdht.messages import finding, os_reason
from cdht.paths import outside, unique_names
from cdht.xlsx.save import write_atomic


def write_return_workbooks(result, out_dir: str | Path) -> list[Path]:
    """One ``TRA-LAI_<year>_<unit>.xlsx`` per unit on the return list; returns the paths written.

    The unit part is the code typed in the source made a safe name (:func:`cdht.paths.unique_names`:
    a code like ``X/../../tong-hop-huyen`` never leaves ``out_dir``, two codes never share a file);
    each file is written atomically, and one that would land outside ``out_dir`` (a link planted
    under its name) is refused (W052) — refusals and write failures go to ``result.findings``.

    Only with the parent written (``result.written``): a merge whose write was refused (M044,
    M046, W023, …) changed nothing, so it leaves nothing — no return workbook, no folder, one
    note (W067) saying how many were not written and why."""
    from cdht.ops.merge import returns_rows

    by_unit: dict[str, list[list]] = {}
    for row in returns_rows(result):
        by_unit.setdefault(row[0] or Path(row[2]).stem, []).append(row)
    out_dir = Path(out_dir)
    if not result.written:
        if by_unit:
            result.findings.append(finding("CDHT-W067", count=len(by_unit), folder=str(out_dir),
                                           file=result.parent.name))
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    names = unique_names(sorted(by_unit))
    paths = []
    for unit, rows in sorted(by_unit.items()):
        path = out_dir / f"TRA-LAI_{result.year}_{names[unit]}.xlsx"
        problem = outside(out_dir, path)
        if problem is None:
            try:
                write_atomic(path, lambda tmp: _write_one(tmp, result.year, unit, rows))
            except OSError as e:
                problem = finding("CDHT-W023", file=path.name, reason=os_reason(e))
        if problem is not None:
            result.findings.append(problem)
            continue
        paths.append(path)
    return paths


def _write_one(path: str, year, unit: str, rows: list[list]) -> None:
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Trả lại")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#" + L.COLOR_HEADER, "border": 1, "text_wrap": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    ws.write_string(0, 0, f"TRẢ LẠI HỒ SƠ — {unit} {rows[0][1]} — năm đánh giá {year}", bold)
    ws.write_string(1, 0, f"Tệp đã nộp: {rows[0][2]}. Sửa các lỗi dưới đây trên biểu mẫu gốc rồi nộp lại.")
    cols = L.RETURNS_COLUMNS[2:]
    for c, h in enumerate(cols):
        ws.write(3, c, h, head)
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row[2:]):
            ws.write_string(r, c, str(v or ""), wrap)
    for c, w in enumerate([30, 12, 16, 10, 60, 60]):
        ws.set_column(c, c, w)
    ws.freeze_panes(4, 0)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(3)
    wb.close()
