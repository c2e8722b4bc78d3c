"""Before anything is written: does everything the merge writes fit where the next read finds it?

A row written where no later reading looks is data lost without a word (issue 18, "nothing is
lost"). Each table the merge writes into the parent, and how it is kept whole:

* "Sổ công nhận" (``L.N_REGISTER``, written in its named range): sized when the Sở issues the
  workbook (:func:`cdht.contract.register_size`; the range is part of the layout fingerprint, so no
  merge may grow it) and read back only inside it — more decisions than its rows is refused
  (CDHT-M044) before anything is written.
* "Đơn vị cấp dưới" (``L.N_CHILDREN``): every row under the header is the merge's own (each merge
  rewrites them all); the merge and the report read them down to the sheet's last used row
  (:func:`cdht.ops.merge.children.children_table`), so the list grows past its named range safely.
* "Danh sách trả lại": rewritten whole by each merge, never read back.
* "Nhật ký tổng hợp" (``L.N_LOG``, appended): read to the sheet's end (the receipt ledger), so it
  grows safely — up to Excel's last row: a log that would pass it is refused (CDHT-M046).
* "Tổng quan" blocks: built to their block's size (:mod:`.updates`, :mod:`.trends`).
"""
from __future__ import annotations

from cdht import contract as L
from cdht.messages import Finding, finding

CODES = frozenset({"CDHT-M044", "CDHT-M046"})  # the refusals of this module: nothing is written
EXCEL_MAX_ROWS = 1_048_576  # the last row of a sheet in Excel and in LibreOffice Calc (2^20)


def _ref(raw, name: str):
    from cdht.fingerprint import parse_ref

    ref = parse_ref(raw.names.get(name, "")) if raw is not None else None
    return ref if ref is not None and ref[0] in raw.sheets else None


def register_overflow(raw, file: str, n_rows: int) -> Finding | None:
    """CDHT-M044 when ``n_rows`` decisions do not fit the parent's register range."""
    ref = _ref(raw, L.N_REGISTER)
    if ref is None:
        return None
    sheet, r1, _, r2, _ = ref
    size = r2 - r1 + 1
    if n_rows <= size:
        return None
    return finding("CDHT-M044", file=file, sheet=sheet, name=L.N_REGISTER, rows=n_rows, size=size,
                   first=r1, last=r2)


def log_overflow(raw, file: str, n_rows: int) -> Finding | None:
    """CDHT-M046 when appending ``n_rows`` rows to the merge log would pass Excel's last row."""
    ref = _ref(raw, L.N_LOG)
    if ref is None:
        return None
    sheet, r1 = ref[0], ref[1]
    used = max(len(raw.sheets[sheet].values or []), r1)
    if used + n_rows <= EXCEL_MAX_ROWS:
        return None
    return finding("CDHT-M046", file=file, sheet=sheet, used=used, rows=n_rows, limit=EXCEL_MAX_ROWS)


def overflow(result, raw, now_stamp: str = "", existing: dict | None = None) -> list[Finding]:
    """Every table of the parent that what ``result`` would write does not fit (nothing when all fit);
    ``existing``: the parent's rows by unit (what the log leaves out as unchanged)."""
    from cdht.ops.merge.receipts import ledger_rows
    from cdht.ops.merge.updates import log_rows

    file = result.parent.name
    problems = [register_overflow(raw, file, len(result.register) + len(result.register_kept)),
                log_overflow(raw, file, len(log_rows(result, now_stamp, existing)) + len(ledger_rows(result.receipts, now_stamp)))]
    return [p for p in problems if p is not None]
