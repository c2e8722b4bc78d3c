"""The receipt ledger (Sổ nhận hồ sơ, issue 12 case 7): for each file content (SHA-256) the day
the parent received it, kept in the parent's merge log ("Nhật ký tổng hợp"), one row per content.

* A content seen for the first time gets a row: "Nhận hồ sơ", the file, the unit, the day the
  merge first saw it (column "Kết quả") and the SHA-256 (column "Mã").
* Staff may correct that day from the official incoming-document book (sổ công văn đến): the
  merge reads the ledger row back and never writes it again, so a typed day stands.
* The file's modification time is never a receipt date: copying a file changes it, unpacking an
  archive keeps the sender's, and typing into a workbook moves it.

The parent templates have no sheet of their own for it; the log is the tool sheet that is
append-only by design, so a row once written stays (see the README).
"""
from __future__ import annotations

import datetime as dt

from cdht import contract as L
from cdht.dates import read_date
from cdht.fingerprint import parse_ref

LEDGER_OP = "Nhận hồ sơ"
LEDGER_NOTE = ("Ngày nhận (cột Kết quả) = ngày phần mềm thấy tệp lần đầu; văn thư sửa theo sổ công văn đến "
               "nếu khác — không lần tổng hợp nào ghi đè.")
_SHA_COLUMN, _DATE_COLUMN = 5, 4  # 0-based: "Mã", "Kết quả" of LOG_COLUMNS


def read_ledger(rb) -> dict[str, dict]:
    """The ledger rows of a raw read (``cdht.xlsx.fastread.read_raw``): SHA-256 → {date, file,
    unit, row}; the first row of a content wins; a day that cannot be read is left out (the
    content then counts as seen now)."""
    ref = parse_ref(rb.names.get(L.N_LOG, "")) if rb is not None else None
    if ref is None or ref[0] not in rb.sheets:
        return {}
    sheet, r1, c1 = ref[0], ref[1], ref[2]
    out: dict[str, dict] = {}
    rows = rb.sheets[sheet].values or []
    for k, row in enumerate(rows[r1:], start=r1 + 1):
        vals = list(row[c1 - 1:c1 + len(L.LOG_COLUMNS) - 1]) + [None] * len(L.LOG_COLUMNS)
        if vals[1] != LEDGER_OP or not isinstance(vals[_SHA_COLUMN], str):
            continue
        sha = vals[_SHA_COLUMN].strip().lower()
        day, _ = read_date(vals[_DATE_COLUMN])
        if sha and sha not in out and day is not None:
            out[sha] = {"date": day, "file": vals[2], "unit": vals[3], "row": k, "new": False}
    return out


REFUSAL_OPS = ("Từ chối", "Bản trùng", "Bỏ qua")  # the log's operations of a source not merged


def logged_refusals(rb) -> set[tuple]:
    """What the parent's merge log already says of sources not merged: (operation, file, unit,
    code, message) of its "Từ chối", "Bản trùng" and "Bỏ qua" rows (:func:`cdht.ops.merge.updates.log_rows`
    counts a refusal said again in one row instead of a row each)."""
    ref = parse_ref(rb.names.get(L.N_LOG, "")) if rb is not None else None
    if ref is None or ref[0] not in rb.sheets:
        return set()
    c1, width = ref[2], len(L.LOG_COLUMNS)
    out = set()
    for row in (rb.sheets[ref[0]].values or [])[ref[1]:]:
        vals = list(row[c1 - 1:c1 - 1 + width]) + [None] * width
        if vals[1] in REFUSAL_OPS:
            out.add(refusal_key(vals))
    return out


def refusal_key(row: list) -> tuple:
    """What makes two log rows (columns as ``LOG_COLUMNS``) the same refusal: operation, file,
    unit, code and message, as text (a blank as "")."""
    return tuple("" if v is None else str(v) for v in (row[1], row[2], row[3], row[5], row[6]))


def receive(sha: str, ledger: dict[str, dict], now: dt.datetime, file: str, unit: str | None) -> dt.date:
    """The receipt day of content ``sha``: its ledger day, or today (recorded as a new entry)."""
    rec = ledger.get(sha)
    if rec is None:
        rec = ledger[sha] = {"date": now.date(), "file": file, "unit": unit, "row": None, "new": True}
    return rec["date"]


def ledger_rows(ledger: dict[str, dict], stamp: str) -> list[list]:
    """The rows to append for the contents seen for the first time in this run."""
    return [[stamp, LEDGER_OP, rec["file"], rec["unit"] or "", rec["date"], sha, LEDGER_NOTE]
            for sha, rec in sorted(ledger.items(), key=lambda kv: (kv[1]["unit"] or "", kv[1]["file"]))
            if rec["new"]]
