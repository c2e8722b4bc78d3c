"""The ribbon buttons of the desktop add-in (``cdht.xlam``): thin xlwings skins over the core.

The VBA callbacks run ``RunPython "import cdht_addin; cdht_addin.<fn>()"``; each function here takes the
calling book (``xw.Book.caller()``) or a book passed in (tests: ``xw.Book(json=payload)``).

How the work is split
---------------------
* **Judgement comes from the saved file**, through the same library as the CLI
  (:func:`cdht.ops.assess.compute` / :func:`~cdht.ops.assess.check` / :func:`cdht.ops.merge.merge`): that is
  where the tamper / fingerprint / protection checks live, and the xlwings objects cannot give
  them (the remote engine carries values only; no formulas, protection or document properties).
  The file is found by :func:`_book_path`: an explicit ``path=`` argument, else ``book.fullname``
  when it is an existing file. On desktop Excel (``RunPython`` over COM) ``fullname`` is the full
  path of the saved workbook. xlwings' remote engine reports the name the client sent
  (``fullname == name``), so a remote client that sends only ``"x.xlsx"`` gets the coded
  "save the workbook / file not found" message; the tests send the file's full path as the book
  name, which is exactly what desktop Excel gives.
* **Results go back through xlwings into the open book**, in a few bounded calls: one
  ``setValues`` block per list sheet (sized to also blank the previous rows), one call per
  derived named cell, at most :data:`MAX_HIGHLIGHTS` cell colours, one alert. The merge writes
  the same :class:`cdht.ops.merge.SheetUpdate` list as the CLI's merge writes into the file
  (:func:`write_updates_to_book`). Every write is one Excel allows under the workbook's own
  protection (:mod:`cdht_addin.protection`): values only into the tool sheets (unprotected) and
  unlocked inputs — the ``*_4_1_*`` figures derived from the children and, in a province book,
  the departments' figures for empty cells and their evidence rows; colours on a protected input
  sheet only after unprotecting it with the workbook's password, which is then protected again
  with exactly its options; no sheet is ever hidden, added, deleted or renamed (the structure is
  locked), so the summary is exported with the sheet's own PDF export. Nothing the user typed is
  overwritten: before the merge writes, the open book is compared with the saved file it judged
  and any unsaved difference there stops it (CDHT-A009). Nothing is saved: the user saves in
  Excel (the file is open, so rewriting it underneath Excel would lose data — W022).
* **Errors**: every entry point catches everything; the traceback goes to :func:`log_path`
  (``CDHT_LOG`` overrides it) and the user sees a coded Vietnamese alert (CDHT-A001 …), never a
  traceback.
"""
from __future__ import annotations

import datetime as dt
import logging
import traceback
from pathlib import Path
from typing import Callable

from cdht import __version__
from cdht import contract as L
from cdht.log import log as _log, log_path  # noqa: F401  (log_path: shown in alerts)
from cdht.evaluate import level_label
from cdht.messages import ERROR, INFO, INTERNAL_ERROR, WARNING, Finding, finding
from cdht.xlsx.names import excel_literal

TITLE = "Cộng đồng học tập"
MAX_HIGHLIGHTS = 50          # cell colours per run (one xlwings call each)
COLOR_FLAG = "#" + L.COLOR_FLAG    # the CLI's write-back colours (cdht.contract), as xlwings takes them
COLOR_INPUT = "#" + L.COLOR_INPUT
NOT_OURS = {"CDHT-W006", "CDHT-W007"}

__all__ = ["tinh_muc_do", "kiem_tra_minh_chung", "gop_bao_cao", "xuat_ban_tong_hop", "tao_ho_so",
           "chuyen_mau_nam", "gioi_thieu", "log_path"]


# ------------------------------------------------------------------------------------------------
# plumbing: log file, coded stop, the wrapper every button goes through
# ------------------------------------------------------------------------------------------------

class _Stop(Exception):
    """Stop a button with a coded message for the user (not a bug: no traceback logged)."""

    def __init__(self, f: Finding):
        super().__init__(f.code)
        self.finding = f


def _alert(book, text: str) -> None:
    book.app.alert(text, title=TITLE)


def _finding_text(f: Finding) -> str:
    where = f.where()
    return f"[{f.code}] {where + ': ' if where else ''}{f.message}\nCách sửa: {f.fix}"


def _run(operation: str, book, body: Callable):
    import xlwings as xw

    try:
        book = book if book is not None else xw.Book.caller()
    except Exception:
        _log(logging.ERROR, f"{operation}: no calling workbook\n{traceback.format_exc()}")
        raise
    try:
        return body(book)
    except _Stop as stop:
        _log(logging.INFO, f"{operation}: {stop.finding.code} {stop.finding.message}")
        _alert(book, _finding_text(stop.finding))
    except Exception:  # noqa: BLE001 - a button must end in a message, never a traceback
        _log(logging.ERROR, f"{operation}: unexpected error\n{traceback.format_exc()}")
        f = finding("CDHT-A001", operation=operation, error=INTERNAL_ERROR, log=str(log_path()))
        try:
            _alert(book, _finding_text(f))
        except Exception:  # noqa: BLE001
            _log(logging.ERROR, f"{operation}: alert failed\n{traceback.format_exc()}")
    return None


def _not_saved(book) -> Finding:
    return finding("CDHT-A005", file=book.name)


def _book_path(book, path: str | Path | None = None) -> Path:
    """The saved file behind ``book`` (see module docstring), else a coded stop."""
    if path is not None:
        p = Path(path)
    else:
        try:
            p = Path(book.fullname)
        except Exception:  # noqa: BLE001
            raise _Stop(_not_saved(book)) from None
    if not p.is_absolute() or not p.is_file():
        raise _Stop(_not_saved(book))
    return p


def _unsaved_changes(book) -> bool:
    """True when desktop Excel says the book has unsaved edits (COM ``Workbook.Saved``)."""
    try:
        saved = book.api.Saved  # COM only; the remote engine's api is a dict
    except Exception:  # noqa: BLE001
        return False
    return saved is False


def _text(v):
    """A value as data: text holds only what a cell can (:func:`cdht.xlsx.names.sheet_text`, the
    cleaning of every write: no control or XML-illegal character, Excel's length) and stays that
    text — Excel's text prefix where it would read a number, a date or a formula
    (:func:`cdht.xlsx.names.excel_literal`: a unit code "00004" is not made the number 4)."""
    if not isinstance(v, str):
        return v
    return excel_literal(v)


def _last_row(sheet) -> int:
    try:
        return sheet.used_range.last_cell.row
    except Exception:  # noqa: BLE001
        return L.HEADER_ROW


def _write_block(sheet, first_row: int, rows: list[list], width: int) -> None:
    """One ``setValues``: ``rows`` from ``first_row`` col A, plus blanks over older rows below."""
    prev = max(0, _last_row(sheet) - first_row + 1)
    block = [[_text(v) if v is not None else "" for v in (list(r) + [""] * width)[:width]]
             for r in rows]
    block += [[""] * width for _ in range(max(0, prev - len(block)))]
    if block:
        sheet.range((first_row, 1)).value = block


def _header_row(book, name: str) -> int:
    try:
        return book.names[name].refers_to_range.row
    except Exception:  # noqa: BLE001
        return L.HEADER_ROW


# ------------------------------------------------------------------------------------------------
# Tính mức độ / Kiểm tra minh chứng
# ------------------------------------------------------------------------------------------------

def _report(book, path, with_evidence: bool):
    from cdht.ops.assess import check, compute

    p = _book_path(book, path)
    rep = (check if with_evidence else compute)(p)
    if not rep.sub.readable:
        first = rep.sub.findings[0] if rep.sub.findings else None
        if first is None or first.code in NOT_OURS:
            raise _Stop(finding("CDHT-A002", file=p.name))
        raise _Stop(first)
    return rep


def _cells_of(findings: list[Finding], sheets: set[str]) -> list[tuple[str, str]]:
    out, seen = [], set()
    for f in findings:
        if f.sheet in sheets and f.sheet != L.SHEET_RESULTS and f.cell and f.cell[:1].isalpha() \
                and (f.sheet, f.cell) not in seen:
            seen.add((f.sheet, f.cell))
            out.append((f.sheet, f.cell))
    return out


def _previous_flags(ws, header: int, sheet_names: set[str]) -> list[tuple[str, str]]:
    """The cells flagged last time, read from the previous results block (columns Trang, Ô / dòng)."""
    old_rows = max(0, _last_row(ws) - header)
    if not old_rows:
        return []
    prev = ws.range((header + 1, 1), (header + old_rows, len(L.RESULTS_COLUMNS))).value
    prev = prev if old_rows > 1 else [prev]
    return [(r[2], r[3]) for r in prev if r and r[2] in sheet_names and isinstance(r[3], str)
            and r[3][:1].isalpha() and not r[3].startswith("dòng")]


def _colour_plan(rep, now: list[tuple[str, str]], old: list[tuple[str, str]]) -> list[tuple[str, str, str | None]]:
    """(sheet, cell, colour): flag what is wrong now, give the input fill back to cells fixed since
    last time; at most :data:`MAX_HIGHLIGHTS` colours."""
    inputs = {rep.sub.cells[k] for k in (rep.sub.tier.fields if rep.sub.tier else {}) if k in rep.sub.cells}
    plan = [(sheet, cell, COLOR_FLAG) for sheet, cell in now[:MAX_HIGHLIGHTS]]
    now_set = set(now)
    fixed = list(dict.fromkeys(c for c in old if c not in now_set))[:max(0, MAX_HIGHLIGHTS - len(plan))]
    return plan + [(sheet, cell, COLOR_INPUT if (sheet, cell) in inputs else None) for sheet, cell in fixed]


def _highlight(book, rep, now: list[tuple[str, str]], old: list[tuple[str, str]]) -> tuple[int, int]:
    """Write the colours of :func:`_colour_plan`, sheet by sheet, only where Excel's protection
    allows (:func:`cdht_addin.protection.formattable`: a protected input sheet is unprotected with
    the workbook's password and protected again with exactly its options). Returns (cells
    flagged, colours left out because the sheet could not be unprotected)."""
    from cdht_addin.protection import formattable

    by_sheet: dict[str, list[tuple[str, str | None]]] = {}
    for sheet, cell, colour in _colour_plan(rep, now, old):
        by_sheet.setdefault(sheet, []).append((cell, colour))
    flagged = skipped = 0
    for name, cells in by_sheet.items():
        sheet = book.sheets[name]
        with formattable(sheet) as allowed:
            if not allowed:
                skipped += len(cells)
                continue
            for cell, colour in cells:
                sheet.range(cell).color = colour
                flagged += colour == COLOR_FLAG
    return flagged, skipped


def _report_text(book, rep, operation: str, n_cells: int, flagged: int, skipped: int = 0) -> str:
    """The alert after "Tính mức độ" / "Kiểm tra minh chứng"."""
    n = {sev: sum(1 for f in rep.findings if f.severity == sev) for sev in (ERROR, WARNING, INFO)}
    lines = [f"{operation} — {rep.sub.unit_name or rep.sub.path.name}",
             f"Mức độ (tính lại từ số liệu): {level_label(rep.level) if rep.assessment else '—'}"]
    if rep.appraised_level is not None:
        lines.append(f"Kết quả thẩm định: {level_label(rep.appraised_level)}")
    lines.append(f"Lỗi: {n[ERROR]}, cảnh báo: {n[WARNING]}, thông tin: {n[INFO]}.")
    lines.append("Sẵn sàng nộp hồ sơ: " + ("Có" if rep.ready_to_file else "Chưa"))
    if skipped:
        lines.append(_finding_text(finding("CDHT-A007", count=skipped)))
    elif n_cells > flagged:
        lines.append(f"Đã tô màu {flagged}/{n_cells} ô có vấn đề đầu tiên; xem đủ danh sách ở trang "
                     f"'{L.SHEET_RESULTS}'.")
    else:
        lines.append(f"Chi tiết ở trang '{L.SHEET_RESULTS}'.")
    if _unsaved_changes(book):
        lines.append("Lưu ý: sổ tính có thay đổi chưa lưu; kết quả tính theo tệp đã lưu. "
                     "Hãy lưu (Ctrl+S) rồi bấm lại.")
    return "\n".join(lines)


def _show_report(book, rep, operation: str) -> None:
    """Write the results block, colour the cells, and tell the user."""
    from cdht.ops.results_sheet import result_rows, summary_rows

    sheet_names = {s.name for s in book.sheets}
    if L.SHEET_RESULTS not in sheet_names:
        raise _Stop(finding("CDHT-W020", file=book.name, sheet=L.SHEET_RESULTS))
    ws = book.sheets[L.SHEET_RESULTS]
    header = _header_row(book, L.N_RESULTS)
    old = _previous_flags(ws, header, sheet_names)
    _write_block(ws, header + 1, summary_rows(rep) + result_rows(rep.findings), len(L.RESULTS_COLUMNS))
    now = _cells_of(rep.findings, sheet_names)
    flagged, skipped = _highlight(book, rep, now, old)
    ws.activate()
    _alert(book, _report_text(book, rep, operation, len(now), flagged, skipped))


def tinh_muc_do(book=None, path: str | Path | None = None) -> None:
    """Nút "Tính mức độ": recompute the level of the saved file and show it in the open book."""
    def body(b):
        _show_report(b, _report(b, path, with_evidence=False), "Tính mức độ")
    return _run("Tính mức độ", book, body)


def kiem_tra_minh_chung(book=None, path: str | Path | None = None) -> None:
    """Nút "Kiểm tra minh chứng": level plus every evidence finding."""
    def body(b):
        _show_report(b, _report(b, path, with_evidence=True), "Kiểm tra minh chứng")
    return _run("Kiểm tra minh chứng", book, body)


# ------------------------------------------------------------------------------------------------
# Gộp báo cáo cấp dưới
# ------------------------------------------------------------------------------------------------

def _children_in_book(book, width: int) -> dict[str, dict]:
    """Rows of "Đơn vị cấp dưới" in the OPEN book, by unit code (what the user sees now), read by
    the merge's own reader (:func:`cdht.ops.merge.existing_rows`)."""
    from cdht.ops.merge import existing_rows

    rng = book.names[L.N_CHILDREN].refers_to_range
    header, last = rng.row, _last_row(rng.sheet)
    if last <= header:
        return {}
    return existing_rows(rng.sheet.range((header, 1), (last, width)).value)


def _write_book_rows(book, u) -> None:
    """BELOW_HEADER / IN_RANGE: one block (blanking older rows) under the header / from the range's row."""
    from cdht.ops.merge import Placement

    rng = book.names[u.name].refers_to_range
    first = rng.row + 1 if u.placement is Placement.BELOW_HEADER else rng.row
    _write_block(rng.sheet, first, u.rows, u.width)


def _append_book_rows(book, u) -> None:
    """APPEND: after the last used row (nothing when there are no rows)."""
    if u.rows:
        rng = book.names[u.name].refers_to_range
        rng.sheet.range((max(_last_row(rng.sheet), rng.row) + 1, 1)).value = [[_text(v) for v in row]
                                                                               for row in u.rows]


def _write_book_block(book, u) -> None:
    """BLOCK: exactly the named cells of a "Tổng quan" block, one call (that sheet is a tool sheet:
    unprotected); nothing where the book lacks the name (a template older than the dashboard)."""
    try:
        rng = book.names[u.name].refers_to_range
    except Exception:  # noqa: BLE001 - a name this book lacks
        return
    rng.sheet.range((rng.row, rng.column)).value = [[_text(v) if v is not None else "" for v in r[:u.width]]
                                                    for r in u.rows]


def _write_book_cell(book, u) -> None:
    """CELL: the value into the named (unlocked) cell; SUMMARY: into the summary cell of its sheet."""
    from cdht.ops.merge import SUMMARY_CELL, Placement

    rng = book.names[u.name].refers_to_range
    target = rng if u.placement is Placement.CELL else rng.sheet.range(SUMMARY_CELL)
    target.value = _text(u.rows[0][0])


def _add_book_rows(book, updates) -> None:
    """ROW updates (rows added to an input list, e.g. the departments' evidence): each into the
    first row at or below its place that is empty in the OPEN book, so rows typed there and not
    yet saved are never overwritten; one read per list, one write per row."""
    free: dict[str, list[int]] = {}
    for u in updates:
        rng = book.names[u.name].refers_to_range
        if u.name not in free:
            values = rng.value if rng.shape[0] > 1 else [rng.value]
            free[u.name] = [rng.row + i for i, row in enumerate(values) if all(v in (None, "") for v in row)]
        row = next((r for r in free[u.name] if r >= u.row), None)
        if row is None:  # the list is full in the open book: the file merge reports it (E003)
            _log(logging.INFO, f"{u.name}: no empty row for {u.rows[0][:1]}")
            continue
        free[u.name].remove(row)
        rng.sheet.range((row, rng.column)).value = [[_text(v) if v is not None else "" for v in u.rows[0]]]


def write_updates_to_book(book, updates) -> None:
    """The open-book writer of a merge's :class:`cdht.ops.merge.SheetUpdate` list (the file writer
    is :func:`cdht.ops.merge.write_updates`): one xlwings call per block or cell, located by
    defined names; date formats and fills are left to the template."""
    from cdht.ops.merge import Placement

    writers = {Placement.BELOW_HEADER: _write_book_rows, Placement.IN_RANGE: _write_book_rows,
               Placement.APPEND: _append_book_rows, Placement.CELL: _write_book_cell,
               Placement.SUMMARY: _write_book_cell, Placement.BLOCK: _write_book_block}
    for u in updates:
        if u.placement in writers:
            writers[u.placement](book, u)
    _add_book_rows(book, [u for u in updates if u.placement is Placement.ROW])


def _merge_parent(book, folder, path):
    """The saved parent file behind ``book`` and its reading; a coded stop when the folder is
    missing or the book is not a parent (district / province) workbook."""
    from cdht.read.submission import read_workbook

    if folder is None or not Path(folder).is_dir():
        raise _Stop(finding("CDHT-A004", folder=str(folder or "")))
    p = _book_path(book, path)
    parent = read_workbook(p)
    if not parent.readable:
        first = parent.findings[0] if parent.findings else None
        raise _Stop(finding("CDHT-A002", file=p.name) if first is None or first.code in NOT_OURS else first)
    if not parent.tier.children or L.N_CHILDREN not in parent.cells:  # a department form: no children list
        raise _Stop(finding("CDHT-A003", file=p.name))
    return p, parent


def _merge_summary(result, parent, p: Path) -> str:
    """The alert after a merge: received, missing, returned, the parent's level, departments."""
    on_time = sum(1 for r in result.merged if r.on_time)
    n_exp, n_got = len(result.expected), len(result.merged)
    missing = result.missing_units
    lines = [f"Gộp báo cáo cấp dưới — {parent.unit_name or p.name}",
             f"Đã nhận: {n_got}/{n_exp} (đúng hạn {on_time}, muộn {n_got - on_time})",
             f"Chưa nộp: {len(missing)}"
             + (f" ({', '.join(missing[:10])}{' …' if len(missing) > 10 else ''})" if missing else ""),
             f"Trả lại: {len(result.refused)} (xem trang '{L.SHEET_RETURNS}')",
             f"Mức độ của đơn vị (tính lại với số liệu cấp dưới): {level_label(result.parent_level)}",
             "Hãy lưu sổ tính (Ctrl+S) để giữ kết quả."]
    if result.notes:
        lines.insert(4, f"Bỏ qua: {len(result.notes)} tệp không phải biểu mẫu")
    contributions = result.contributions
    if contributions is not None:
        got = [d for d in contributions.departments if d["status"] == "đã nộp"]
        conflicts = sum(len(d.get("conflicts") or []) for d in contributions.departments)
        lines.insert(-2, f"Phiếu sở/ngành: {len(got)}/{len(contributions.departments)} đã nộp, "
                         f"{conflicts} khác biệt (giữ số trong sổ; xem trang '{L.SHEET_LOG}')")
    return "\n".join(lines)


def _merge_regions(book, updates, width: int):
    """(sheet, first row, first column, rows, columns) of what the merge reads from the SAVED file
    and writes back over in the open book: the children's rows (received dates typed there), the
    register, and every named input cell it fills."""
    from cdht.ops.merge import Placement

    def bounds(name):
        try:
            return book.names[name].refers_to_range
        except Exception:  # noqa: BLE001 - a name this book lacks: nothing to compare
            return None

    rng = bounds(L.N_CHILDREN)
    if rng is not None:
        last = max(_last_row(rng.sheet), rng.row + 1)
        yield rng.sheet, rng.row + 1, 1, last - rng.row, width
    rng = bounds(L.N_REGISTER)
    if rng is not None:
        yield rng.sheet, rng.row, rng.column, rng.shape[0], rng.shape[1]
    for u in updates:
        if u.placement is Placement.CELL and (rng := bounds(u.name)) is not None:
            yield rng.sheet, rng.row, rng.column, 1, 1


def _same(a, b) -> bool:
    """Two cell values equal as Excel shows them (empty = "", numbers by value, a date = midnight)."""
    a, b = (None if v == "" else v for v in (a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 1e-9
    a, b = (dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
            else v for v in (a, b))
    return a == b


def _stop_if_unsaved(book, p: Path, updates, width: int) -> None:
    """CDHT-A009 before anything is written when the open book holds edits the saved file lacks
    where the merge reads the file and writes back (two decisions typed into "Sổ công nhận", a
    received date typed in "Đơn vị cấp dưới"): the merge judges the saved file, so writing its
    result would overwrite them."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    try:
        for sheet, r1, c1, n_rows, n_cols in _merge_regions(book, updates, width):
            opened = sheet.range((r1, c1), (r1 + n_rows - 1, c1 + n_cols - 1)).options(ndim=2).value
            saved = list(wb[sheet.name].iter_rows(min_row=r1, max_row=r1 + n_rows - 1, min_col=c1,
                                                  max_col=c1 + n_cols - 1, values_only=True))
            diff = [(r1 + i, c1 + j) for i, row in enumerate(opened) for j, v in enumerate(row)
                    if not _same(v, saved[i][j] if i < len(saved) and j < len(saved[i]) else None)]
            if diff:
                raise _Stop(finding("CDHT-A009", file=p.name, sheet=sheet.name,
                                    cell=f"{get_column_letter(diff[0][1])}{diff[0][0]}", count=len(diff)))
    finally:
        wb.close()


def gop_bao_cao(folder: str | Path | None = None, book=None, path: str | Path | None = None) -> None:
    """Nút "Gộp báo cáo cấp dưới": judge every child workbook in ``folder`` against the saved
    parent file (``merge(..., dry_run=True)``, so the file Excel holds open is never rewritten),
    then write the merge's sheet updates (children, return list, log, register, derived
    indicators, departments' figures) into the open book — unless the open book holds unsaved
    edits there (:func:`_stop_if_unsaved`: CDHT-A009, nothing written)."""
    def body(b):
        from cdht.ops.merge import merge, sheet_updates
        from cdht.ops.merge.capacity import CODES as OVERFLOW_CODES

        p, parent = _merge_parent(b, folder, path)
        now = dt.datetime.now().replace(microsecond=0)
        result = merge(p, [Path(folder)], dry_run=True, now=now)
        if result.child_tier is None:
            raise _Stop(result.findings[0] if result.findings else finding("CDHT-A003", file=p.name))
        full = [f for f in result.findings if f.code in OVERFLOW_CODES]
        if full:  # rows the next reading would not see (a full "Sổ công nhận"): nothing is written
            raise _Stop(full[0])
        child_tier = parent.edition.tier(result.child_tier)
        width = len(L.child_columns(child_tier))
        updates = sheet_updates(result, child_tier, _children_in_book(b, width), now)
        _stop_if_unsaved(b, p, updates, width)
        write_updates_to_book(b, updates)
        b.sheets[L.SHEET_OVERVIEW if L.SHEET_OVERVIEW in [s.name for s in b.sheets] else L.SHEET_CHILDREN].activate()
        _alert(b, _merge_summary(result, parent, p))
    return _run("Gộp báo cáo cấp dưới", book, body)


# ------------------------------------------------------------------------------------------------
# Xuất bản tổng hợp / Giới thiệu
# ------------------------------------------------------------------------------------------------

def _export_summary(b, path) -> tuple[Path | None, str]:
    """Export "Bản tổng hợp" to a PDF beside the saved workbook with the sheet's own export (no
    sheet hidden: the structure lock stays); (None, why) where that is impossible."""
    from cdht_addin.protection import export_pdf

    try:
        p = _book_path(b, path)
    except _Stop:
        return None, "sổ tính chưa được lưu thành tệp"
    pdf = p.with_name(p.stem + " - Ban tong hop.pdf")
    try:
        if export_pdf(b.sheets[L.SHEET_SUMMARY], pdf):
            return pdf, ""
        reason = "môi trường này không xuất được PDF"
    except Exception as e:  # noqa: BLE001 - COM errors (no PDF printer, file open elsewhere)
        _log(logging.INFO, f"Xuất bản tổng hợp: PDF export failed ({type(e).__name__}: {e})")
        reason = "Excel không xuất được PDF"
    return None, reason


def xuat_ban_tong_hop(book=None, path: str | Path | None = None) -> None:
    """Nút "Xuất bản tổng hợp": export the sheet "Bản tổng hợp" alone to a PDF beside the saved
    workbook (``<tên tệp> - Ban tong hop.pdf``) with the sheet's own ``ExportAsFixedFormat`` — no
    sheet is hidden or shown, nothing in the book changes. Where the engine cannot export (xlwings'
    remote engine, an Excel without PDF output) the sheet is shown and the user told how to print."""
    def body(b):
        if L.SHEET_SUMMARY not in {s.name for s in b.sheets}:
            raise _Stop(finding("CDHT-A008", file=b.name, sheet=L.SHEET_SUMMARY))
        b.sheets[L.SHEET_SUMMARY].activate()
        pdf, reason = _export_summary(b, path)
        if pdf is not None:
            _alert(b, f"Đã xuất trang '{L.SHEET_SUMMARY}' ra tệp PDF:\n{pdf}")
        else:
            _alert(b, f"Đang hiển thị trang '{L.SHEET_SUMMARY}' ({reason}).\n"
                      "Để in hoặc lưu PDF: File > Print (Ctrl+P), chọn máy in hoặc "
                      "'Microsoft Print to PDF'.")
    return _run("Xuất bản tổng hợp", book, body)


# ------------------------------------------------------------------------------------------------
# Chuyển sang mẫu năm sau (issue 17)
# ------------------------------------------------------------------------------------------------

MAX_LISTED = 8  # lines listed in an alert (migrate: empty cells; dossier: findings); the rest are on a sheet or in the CLI
EARLIER_EVIDENCE = "CDHT-W048"  # evidence rows dated before the new year: counted, not each told


def _migration_text(book, result) -> str:
    """The alert after "Chuyển sang mẫu năm sau": the coded summary, the first cells to fill, and
    what needs a second look."""
    from cdht.ops.migrate import EMPTIED, NOT_CARRIED, TO_REVIEW

    empty = result.of(*EMPTIED)
    lines = [_finding_text(finding("CDHT-A035", year=result.year, carried=len(result.carried),
                                   evidence=result.evidence_rows, empty=len(empty), target=str(result.target)))]
    if empty:
        names = [f.facts["label"] for f in empty[:MAX_LISTED]]
        lines.append("Cần nhập: " + "; ".join(names) + (" …" if len(empty) > MAX_LISTED else ""))
    lines += [_finding_text(f) for f in result.of(*NOT_CARRIED, *TO_REVIEW) if f.code != EARLIER_EVIDENCE]
    flagged = result.of(EARLIER_EVIDENCE)
    if flagged:
        lines.append(f"{len(flagged)} dòng minh chứng ban hành trước năm {result.year}: xem lại ở trang "
                     f"'{L.SHEET_RESULTS}' của tệp mới.")
    if _unsaved_changes(book):
        lines.append("Lưu ý: sổ tính có thay đổi chưa lưu; đã chuyển theo tệp đã lưu. Hãy lưu (Ctrl+S) rồi bấm lại "
                     "(sau khi xóa hoặc đổi tên tệp mới).")
    return "\n".join(lines)


def chuyen_mau_nam(book=None, path: str | Path | None = None, year: int | None = None) -> None:
    """Nút "Chuyển sang mẫu năm sau": carry the saved workbook into the template of the next year
    (``year``, default the workbook's year + 1) for the same unit, with the same library function as
    ``cdht migrate`` (:func:`cdht.ops.migrate.migrate`). The new workbook is written beside the open
    one under the name the Sở gives issued workbooks, never over an existing file (CDHT-W043); the
    open book and its file are not touched. A refusal is its coded message (the first one)."""
    def body(b):
        from cdht.ops.migrate import migrate

        p = _book_path(b, path)
        result = migrate(p, year)
        if not result.written:
            refused = result.refused
            first = refused[-1] if refused else finding("CDHT-A002", file=p.name)
            raise _Stop(finding("CDHT-A002", file=p.name) if first.code in NOT_OURS else first)
        _alert(b, _migration_text(b, result))
    return _run("Chuyển sang mẫu năm sau", book, body)


# Tạo hồ sơ
# ------------------------------------------------------------------------------------------------

DOSSIER_SUFFIX = " - Ho so"  # the folder beside the saved workbook: "<tên tệp> - Ho so"


def dossier_folder(p: Path) -> Path:
    """Where "Tạo hồ sơ" writes the documents of the workbook saved at ``p``."""
    return p.with_name(p.stem + DOSSIER_SUFFIX)


def _outlines_beside(p: Path) -> Path | None:
    """The Sở's edited outlines issued beside the workbook (``cdht generate --with-outlines``), if any."""
    from cdht.dossier import OUTLINES_FOLDER

    folder = p.parent / OUTLINES_FOLDER
    return folder if folder.is_dir() else None


def _dossier_text(b, res) -> str:
    """The alert after "Tạo hồ sơ": the documents made (or A030 and the errors), the notes."""
    name = b.name
    lines = [f"Tạo hồ sơ — {name}"]
    errors = [f for f in res.findings if f.severity == ERROR]
    notes = [f for f in res.findings if f.severity != ERROR and f.code.startswith("CDHT-D")]
    if res.ok:
        lines.append(f"Đã lập {len(res.documents)} văn bản trong thư mục:\n{res.out_dir}")
        lines += [f"- {p.name}" for p in res.documents.values()]
        shown = notes
    else:
        lines.append(_finding_text(finding("CDHT-A030", file=res.workbook.name, count=len(errors))))
        shown = errors
    lines += [_finding_text(f) for f in shown[:MAX_LISTED]]
    if len(shown) > MAX_LISTED:
        lines.append(f"… và {len(shown) - MAX_LISTED} mục khác (xem bằng nút Kiểm tra minh chứng).")
    if _unsaved_changes(b):
        lines.append(_finding_text(finding("CDHT-A031", file=name)))
    return "\n".join(lines)


def tao_ho_so(book=None, path: str | Path | None = None) -> None:
    """Nút "Tạo hồ sơ": the dossier of the saved workbook as Word documents (tờ trình, báo cáo tự
    đánh giá, bản tổng hợp; the council's documents when appraised; the draft decision of a merged
    parent) — :func:`cdht.ops.dossier.build_dossier`, the library behind ``cdht dossier`` — into the
    folder ``<tên tệp> - Ho so`` beside the workbook, with the Sở's outlines when they were issued
    beside it (folder ``mau-van-ban-ho-so``). Nothing in the open book changes; all documents or none."""
    def body(b):
        from cdht.ops.dossier import build_dossier

        p = _book_path(b, path)
        out = dossier_folder(p)
        try:
            res = build_dossier(p, out, templates=_outlines_beside(p))
        except OSError as e:  # the folder beside the workbook cannot be written
            from cdht.messages import os_reason

            raise _Stop(finding("CDHT-A032", file=p.name, folder=str(out), reason=os_reason(e))) from None
        _alert(b, _dossier_text(b, res))
    return _run("Tạo hồ sơ", book, body)


def gioi_thieu(book=None, path: str | Path | None = None) -> None:
    """Nút "Giới thiệu": version, edition of the open workbook (or the default one), log file."""
    def body(b):
        edition = None
        try:
            from cdht.read.submission import read_workbook

            sub = read_workbook(_book_path(b, path))
            if sub.meta.get("edition_id"):
                edition = f"{sub.meta['edition_id']} (phiên bản {sub.meta.get('edition_version', '?')})"
                if sub.meta.get("template_id"):
                    edition += f"\nBiểu mẫu: {sub.meta['template_id']}"
        except _Stop:
            pass
        if edition is None:
            from cdht.edition import load_edition

            edition = f"{load_edition(None).id} (mặc định; sổ tính đang mở không phải biểu mẫu đã lưu)"
        _alert(b, f"Cộng đồng học tập — công cụ tự đánh giá theo Thông tư 25/2023/TT-BGDĐT\n"
                  f"Phiên bản phần mềm: {__version__}\nBộ tiêu chí: {edition}\n"
                  f"Tệp nhật ký: {log_path()}")
    return _run("Giới thiệu", book, body)
