"""Reading the parent's "Đơn vị cấp dưới" list — one reader for every caller.

Both functions take the list as a table (header row first, then data rows), however it was read:
the merge gets it from the saved file (``cdht.xlsx.fastread.named_rows``), the add-in from the
open book (xlwings values).
"""
from __future__ import annotations

import datetime as dt

from cdht import contract as L
from cdht.units import code_text
from cdht.xlsx.fastread import named_rows


def children_table(rb) -> list[list]:
    """The list of a raw read (``cdht.xlsx.fastread.read_raw``), header row first, down to the
    sheet's last used row: every row under the header is the merge's own (each merge rewrites
    them all, :class:`~cdht.ops.merge.updates.Placement` BELOW_HEADER), so a list longer than its
    named range (a blank parent that merged more units than the range's rows) is read whole, as
    the report reads it — never a unit merged before lost from the next merge."""
    from cdht.fingerprint import parse_ref

    sheet, first, rows = named_rows(rb, L.N_CHILDREN)
    if sheet is None:
        return rows
    _, _, c1, _, c2 = parse_ref(rb.names[L.N_CHILDREN])
    for row in (rb.sheets[sheet].values or [])[first - 1 + len(rows):]:
        vals = [None if v == "" else (int(v) if isinstance(v, float) and v.is_integer() else v)
                for v in row[c1 - 1:c2]]
        rows.append(vals + [None] * (c2 - c1 + 1 - len(vals)))
    return rows


def expected_units(table: list[list]) -> list[str]:
    """The unit codes in column A after the header row, in order, once each."""
    codes = []
    for row in table[1:]:
        if row and row[0] not in (None, ""):
            code = code_text(row[0])
            if code and code not in codes:
                codes.append(code)
    return codes


def existing_rows(table: list[list]) -> dict[str, dict]:
    """The rows by unit code (expected units and what was merged before), each as a dict:
    ``row`` (the values), ``sha``, ``merged_at``, ``name``, ``appraised``, ``on_time`` and, when
    "Ngày nhận" holds a date, ``received_ts`` (that day's midnight, as a timestamp)."""
    if not table:
        return {}
    col = {h: i for i, h in enumerate(table[0]) if h}
    out: dict[str, dict] = {}
    for row in table[1:]:
        row = _trimmed(row)
        if not row or row[0] in (None, ""):
            continue
        out[code_text(row[0]) or str(row[0])] = _record(row, col)
    return out


def _trimmed(row) -> list:
    row = list(row or [])
    while row and row[-1] is None:
        row.pop()
    return row


def _record(row: list, col: dict[str, int]) -> dict:
    def get(h):
        i = col.get(h)
        return row[i] if i is not None and i < len(row) else None

    rec = {"row": row, "sha": get("SHA-256"), "merged_at": get("Thời điểm tổng hợp"),
           "name": get("Tên đơn vị"), "appraised": get("Mức độ thẩm định"), "on_time": get("Đúng hạn"),
           "status": get("Trạng thái"), "file": get("Tệp")}
    received = get("Ngày nhận")
    if isinstance(received, dt.datetime):
        received = received.date()
    if isinstance(received, dt.date):
        rec["received_ts"] = dt.datetime.combine(received, dt.time()).timestamp()
    return rec
