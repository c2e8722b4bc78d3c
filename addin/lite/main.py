"""xlwings Lite scripts over the same core as the desktop add-in and the CLI.

In xlwings Lite the workbook is **not a file**: Python runs in the browser and sees only the
values Excel sends (no formulas, no sheet protection, no document properties). So, unlike the
desktop buttons (:mod:`cdht_addin.buttons`), these scripts:

* read the metadata from the very hidden ``_meta`` sheet and every input **by defined name**
  from the open book, re-validate each value with the core's ``reader.validate_value`` and
  compute with the core's ``compute_submission`` / ``check_evidence`` — same rules, same coded
  findings;
* **cannot** run the tamper checks (fingerprint, protection, changed formulas): the alert says
  so; the file the unit finally submits is still checked by the Sở's CLI / desktop add-in;
* for the merge, read the child workbooks the user dragged into Lite's *Files* panel (they
  appear under ``/data``) with the core reader — those *are* files, so they get the full checks —
  and write the judgement into the open book; the parent itself is judged from its values.

Evidence attachments (column "Tệp đính kèm") are looked up relative to ``/data``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlwings as xw
from xlwings import script

from cdht import contract as L
from cdht.edition import find_edition
from cdht.evaluate import level_label
from cdht.messages import ERROR, INFO, WARNING, finding

# absolute imports: in xlwings Lite this file is pasted into the editor as a standalone main.py
from cdht.ops.assess import check_evidence, compute_submission
from cdht.read.submission import Submission, validate_value
from cdht.ops.results_sheet import result_rows, summary_rows
from cdht.xlsx.names import excel_literal

DATA = Path("/data")
TITLE = "Cộng đồng học tập"
EVIDENCE_KEYS = ("code", "indicators", "title", "number", "date", "issuer", "attachment", "note", "level")  # level: issue 15


def _meta(book: xw.Book) -> dict[str, str]:
    if L.SHEET_META not in [s.name for s in book.sheets]:
        return {}
    rows = book.sheets[L.SHEET_META].used_range.value or []
    rows = rows if rows and isinstance(rows[0], list) else [rows]
    return {str(r[0]): "" if len(r) < 2 or r[1] is None else str(r[1]) for r in rows if r and r[0]}


def _value(book: xw.Book, name: str):
    try:
        return book.names[name].refers_to_range.value
    except Exception:  # noqa: BLE001 - a missing name reads as absent
        return None


def submission_from_book(book: xw.Book) -> Submission:
    """A :class:`~cdht.read.submission.Submission` built from the open book's values (no file)."""
    sub = Submission(DATA / book.name)
    sub.meta = meta = _meta(book)
    if not meta.get("template_id", "").startswith("cdht:"):
        sub.add("CDHT-W006")
        return sub
    edition = find_edition(meta.get("edition_id", ""))
    if edition is None or meta.get("tier") not in edition.tiers:
        sub.add("CDHT-W007", edition=meta.get("edition_id", ""))
        return sub
    sub.edition, sub.tier = edition, edition.tier(meta["tier"])
    sub.year = int(float(meta.get("year") or 0)) or None
    sub.readable = True
    for n in book.names:
        try:
            rng = n.refers_to_range
            sub.cells[n.name] = (rng.sheet.name, rng.address.replace("$", ""))
        except Exception:  # noqa: BLE001
            continue
    sub.unit_code = str(_value(book, L.N_UNIT_CODE) or meta.get("unit_code") or "") or None
    sub.unit_name = _value(book, L.N_UNIT_NAME)
    for key, spec in sub.tier.fields.items():
        sub.values[key] = validate_value(sub, key, spec, _value(book, key))
    for ind in sub.tier.indicators:
        for name in (L.appraisal_name(ind.id), L.appraisal_reason_name(ind.id)):
            sub.appraisal[name] = _value(book, name)
    sub.appraisal[L.N_APPRAISAL_TARGET] = _value(book, L.N_APPRAISAL_TARGET)
    if L.N_EVIDENCE in sub.cells:
        rng = book.names[L.N_EVIDENCE].refers_to_range
        for offset, row in enumerate(rng.value or []):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            rec = dict(zip(EVIDENCE_KEYS, row))
            rec["row"] = rng.row + offset
            sub.evidence.append(rec)
    return sub


def _cell(v):
    """A value as data (as the desktop buttons write it): text cleaned by the one cleaning of every
    write and kept as that text, never a formula, a number or a date
    (:func:`cdht.xlsx.names.excel_literal`); None as an empty cell."""
    if v is None:
        return ""
    if not isinstance(v, str):
        return v
    return excel_literal(v)


def _show(book: xw.Book, with_evidence: bool) -> None:
    sub = submission_from_book(book)
    if not sub.readable:
        f = finding("CDHT-A002", file=book.name)
        book.app.alert(f"[{f.code}] {f.message}\nCách sửa: {f.fix}", title=TITLE)
        return
    rep = compute_submission(sub)
    if with_evidence:
        rep.evidence_findings = check_evidence(sub, rep.assessment)
    ws = book.sheets[L.SHEET_RESULTS]
    rows = summary_rows(rep) + result_rows(rep.findings)
    last = ws.used_range.last_cell.row
    width = len(L.RESULTS_COLUMNS)
    block = [[_cell(v) for v in r] for r in rows]
    block += [[""] * width for _ in range(max(0, last - L.HEADER_ROW - len(block)))]
    ws.range((L.HEADER_ROW + 1, 1)).value = block
    n = {s: sum(1 for f in rep.findings if f.severity == s) for s in (ERROR, WARNING, INFO)}
    book.app.alert(
        f"Mức độ (tính lại từ số liệu): {level_label(rep.level)}\n"
        f"Lỗi: {n[ERROR]}, cảnh báo: {n[WARNING]}, thông tin: {n[INFO]}.\n"
        "xlwings Lite không kiểm tra được việc sửa công thức / bỏ bảo vệ; tệp nộp vẫn được Sở "
        "kiểm tra đầy đủ.", title=TITLE)


@script
def tinh_muc_do(book: xw.Book):
    """Tính mức độ từ số liệu đang mở."""
    _show(book, with_evidence=False)


@script
def kiem_tra_minh_chung(book: xw.Book):
    """Tính mức độ và kiểm tra minh chứng."""
    _show(book, with_evidence=True)


@script
def gop_bao_cao(book: xw.Book):
    """Đọc các biểu mẫu cấp dưới đã kéo vào Files (/data), ghi danh sách vào 'Kết quả kiểm tra'.

    Lite cannot rewrite the parent file, so this lists each child's unit, level and status (the
    full merge with register and derived indicators is the desktop button or ``cdht merge``)."""
    from cdht.read.submission import read_workbook

    files = sorted(p for p in DATA.glob("*.xlsx") if not p.name.startswith("~$")) if DATA.is_dir() else []
    rows = []
    for p in files:
        sub = read_workbook(p)
        if not sub.readable:
            f = sub.findings[0] if sub.findings else finding("CDHT-W006", file=p.name)
            rows.append([f.code, f.severity, p.name, "", "", f.message, f.fix])
            continue
        rep = compute_submission(sub)
        errs = [f for f in sub.findings + check_evidence(sub, rep.assessment) if f.severity == ERROR]
        rows.append(["", "", p.name, sub.unit_code or "", "",
                     f"{sub.unit_name or ''}: {level_label(rep.level)}; lỗi: {len(errs)}", ""])
    ws = book.sheets[L.SHEET_RESULTS]
    width = len(L.RESULTS_COLUMNS)
    last = ws.used_range.last_cell.row
    block = [[_cell(v) for v in r] for r in rows] + [[""] * width for _ in range(max(0, last - L.HEADER_ROW - len(rows)))]
    if block:
        ws.range((L.HEADER_ROW + 1, 1)).value = block
    book.app.alert(f"Đã đọc {len(files)} tệp trong /data ({dt.date.today():%d/%m/%Y}). "
                   f"Xem trang '{L.SHEET_RESULTS}'.", title=TITLE)
