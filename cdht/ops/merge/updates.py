"""Step 7a, the merge's output as data: one list of :class:`SheetUpdate`, built by
:func:`sheet_updates` and written by either writer — :func:`cdht.ops.merge.write.write_updates`
(openpyxl, the saved file: ``merge``) or the add-in's xlwings writer (the open book:
``cdht_addin.buttons.gop_bao_cao``). Every update is located by a defined name."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from cdht import contract as L
from cdht.evaluate import level_label
from cdht.messages import ERROR
from cdht.xlsx.names import put  # noqa: F401  (re-exported: cdht.ops.merge.put)

from cdht.ops.merge.model import MergeResult, SourceResult
from cdht.ops.merge.receipts import ledger_rows, refusal_key
from cdht.ops.register import register_rows

_S = L.Status
STATUS_FILLS = {_S.RECEIVED.value: L.COLOR_PASS, _S.LATE.value: L.COLOR_PENDING, _S.NOT_SUBMITTED.value: L.COLOR_PENDING,
                _S.RETURNED.value: L.COLOR_FAIL, L.STATUS_RECEIVED: L.COLOR_PASS}
SUMMARY_CELL = "A2"  # the one-line summary above a list's header


class Placement(enum.Enum):
    """Where an update's rows go, relative to its defined name."""

    BELOW_HEADER = "below header"  # replace every row under the list's header row (a tool sheet)
    IN_RANGE = "in range"          # replace the contents of the named range, from its first row
    APPEND = "append"              # after the sheet's last used row (a log)
    CELL = "cell"                  # the one value into the named cell (an unlocked input)
    SUMMARY = "summary"            # the one value into :data:`SUMMARY_CELL` of the name's sheet
    ROW = "row"                    # one row at ``SheetUpdate.row``, from the range's first column
                                   # (a row added to an input list: unlocked cells)
    BLOCK = "block"                # exactly the named range's cells, from its top-left cell ("" = empty);
                                   # skipped where the parent lacks the name (a template older than it)


@dataclass
class SheetUpdate:
    """One block a merge writes. ``rows``: values ("" = leave empty); ``width``: the block's
    columns; ``date_columns`` (1-based) get the dd/mm/yyyy format and ``fill_column`` a colour by
    its value (``fills``), ``text_columns`` the text format (a unit code the clerk retypes there,
    00010, stays text) — formats a file writer applies and the open-book writer leaves alone."""

    name: str
    placement: Placement
    rows: list[list]
    width: int = 1
    date_columns: tuple[int, ...] = ()
    text_columns: tuple[int, ...] = ()  # (1-based) the text format: what is typed there later stays text
    fill_column: int | None = None
    fills: dict[str, str] = field(default_factory=dict)
    row: int | None = None  # the sheet row of a ROW update


def sheet_updates(result: MergeResult, child_tier, existing: dict[str, dict], now: dt.datetime) -> list[SheetUpdate]:
    """Everything a merge writes into the parent, in writing order: the children's list and its
    summary, the derived 4.1 figures, the departments' figures, the register, the return list, the
    log. ``existing``: the children's rows as the writer's target holds them now."""
    stamp = now.isoformat(sep=" ")
    rows = child_rows(result, child_tier, existing, stamp)
    updates = [SheetUpdate(L.N_CHILDREN, Placement.BELOW_HEADER, rows, len(L.child_columns(child_tier)),
                           date_columns=(4,), fill_column=3, fills=STATUS_FILLS),
               SheetUpdate(L.N_CHILDREN, Placement.SUMMARY, [[completeness_text(result, rows)]])]
    updates += [SheetUpdate(name, Placement.CELL, [[v]]) for name, v in result.derived.items()]
    updates += _contribution_cells(result)
    updates += [SheetUpdate(L.N_REGISTER, Placement.IN_RANGE, register_rows(result.register, result.register_kept),
                            len(L.REGISTER_COLUMNS), date_columns=(5, 7, 9), text_columns=(1,)),
                SheetUpdate(L.N_RETURNS, Placement.BELOW_HEADER, returns_rows(result), len(L.RETURNS_COLUMNS)),
                # the log, then the receipt ledger's rows for contents seen for the first time (a date
                # in column 5, "Kết quả"): one block, so both writers append it at the same place
                SheetUpdate(L.N_LOG, Placement.APPEND,
                            log_rows(result, stamp, existing) + ledger_rows(result.receipts, stamp),
                            len(L.LOG_COLUMNS), date_columns=(5,))]
    return updates + overview_updates(result, child_tier, rows)


def _contribution_cells(result: MergeResult) -> list[SheetUpdate]:
    """The departments' values filled into the province's input cells (by field name), and their
    evidence rows added to the province's evidence list."""
    if result.contributions is None:
        return []
    forms = result.contributions.forms
    return ([SheetUpdate(key, Placement.CELL, [[form.values.get(key)]]) for form in forms for key in form.filled]
            + [SheetUpdate(L.N_EVIDENCE, Placement.ROW, [values], len(values), row=row)
               for form in forms for row, values in form.evidence_rows])


def child_rows(result: MergeResult, child_tier, existing: dict[str, dict], stamp: str) -> list[list]:
    """The rows of "Đơn vị cấp dưới", one per expected unit ("" for an empty cell).

    A row keeps its "merged at" while its file's SHA-256 is unchanged (idempotent merges); a unit
    merged earlier and not resubmitted keeps its row as it was."""
    width = len(L.child_columns(child_tier))
    merged = {r.unit_code: r for r in result.merged}
    refused_by_unit: dict[str, SourceResult] = {}
    for r in result.refused:
        if r.unit_code:
            refused_by_unit.setdefault(r.unit_code, r)
    rows = []
    for unit in result.expected:
        r, prior = merged.get(unit), existing.get(unit)
        if r is not None:
            values = _merged_row(unit, r, prior, child_tier, stamp)
        elif prior and prior.get("sha"):
            values = list(prior["row"])[:width]
            values += [""] * (width - len(values))
        else:
            values = _open_row(unit, prior, refused_by_unit.get(unit), width)
        rows.append(["" if v is None else v for v in values])
    return rows


def _merged_row(unit: str, r: SourceResult, prior: dict | None, child_tier, stamp: str) -> list:
    """The row of a unit merged in this run."""
    keep_stamp = prior and prior.get("sha") == r.sha256[:12] and prior.get("merged_at")
    values = [unit, r.unit_name or (prior or {}).get("name") or "", r.status, r.received,
              "Có" if r.on_time else "Không", level_label(r.level) if r.level is not None else "",
              r.appraised_level if r.appraised_level is not None else "", r.evidence_errors]
    values += [r.indicators.get(i.id, "") for i in child_tier.indicators]
    return values + [r.file.name, r.sha256[:12], r.template_version, keep_stamp or stamp, r.reason]


def _open_row(unit: str, prior: dict | None, ref: SourceResult | None, width: int) -> list:
    """The row of a unit with nothing merged: returned (its refused file) or missing."""
    values = [unit, (prior or {}).get("name") or (ref.unit_name if ref else "") or "",
              _S.RETURNED.value if ref else _S.NOT_SUBMITTED.value] + [""] * (width - 3)
    if ref:
        values[-5], values[-1] = ref.file.name, ref.message
    return values


def completeness_text(result: MergeResult, rows: list[list]) -> str:
    """The one-line completeness and timeliness summary shown above the children's rows."""
    on_time = sum(1 for r in result.merged if r.on_time) + sum(result.carried.values())
    received = len(result.merged) + len(result.carried)
    n_exp = len(result.expected)
    pct = f"{100 * received / n_exp:.0f}" if n_exp else "0"
    stamps = [str(row[-2]) for row in rows if row and row[-2] not in (None, "")]
    d = result.deadline
    returned = result.returned_units
    return (f"Đầy đủ: đã nhận {received}/{n_exp} ({pct} %); đúng hạn {on_time}, muộn {received - on_time} "
            f"(hạn: trước ngày {d.strftime('%d/%m/%Y') if d else '—'}); "
            f"chưa nộp: {', '.join(result.missing_units) or 'không'}; "
            f"trả lại: {', '.join(returned) or 'không'}; bản trùng: {len(result.duplicates)}."
            + (f" Cập nhật {max(stamps)}." if stamps else "")
            + f" Ngày nhận lấy từ sổ nhận hồ sơ (các dòng 'Nhận hồ sơ' ở trang {L.SHEET_LOG}); sửa ngày ở đó.")


def returns_rows(result: MergeResult) -> list[list]:
    """The return list: every error of every returned or refused source, per unit."""
    rows = []
    for r in sorted(list(result.merged) + list(result.refused), key=lambda x: (x.unit_code or "~", x.file.name)):
        problems = [f for f in r.findings if f.severity == ERROR]
        if r.status != _S.RETURNED.value or not problems:  # an identical copy is never a return
            continue
        for f in problems:
            rows.append([r.unit_code or "", r.unit_name or "", r.file.name, f.code, f.sheet or "",
                         f.cell or (f"dòng {f.row}" if f.row else ""), f.message, f.fix])
    return rows


UNCHANGED_NOTE = ("{count} tệp không đổi so với lần tổng hợp trước (cùng nội dung, cùng tên tệp, cùng trạng "
                  "thái): không ghi lại từng dòng.")


REFUSED_AGAIN_NOTE = ("{count} tệp vẫn bị từ chối hoặc vẫn là bản trùng như nhật ký đã ghi (cùng tệp, cùng mã, "
                      "cùng lý do): không ghi lại từng dòng; xem trang Danh sách trả lại.")
SKIPPED_AGAIN_NOTE = ("{count} tệp vẫn bị bỏ qua như nhật ký đã ghi (cùng tệp, cùng mã, cùng lý do): không ghi lại "
                      "từng dòng.")


def _said_before(row: list, logged: set) -> bool:
    """Whether the log already has this refusal (:func:`.receipts.refusal_key`)."""
    return refusal_key(row) in logged


def log_rows(result: MergeResult, stamp: str, existing: dict[str, dict] | None = None) -> list[list]:
    """Rows appended to the merge log for this run: one per source merged, refused, duplicated or
    skipped — except a source the parent already shows exactly so (``existing``: its rows by unit;
    same content, file name and status), which one summary row counts instead; likewise a refusal,
    duplicate or skipped file the log already says word for word (``result.logged``): one row
    counts them. A clerk merges again and again as files arrive; the log then grows with what
    changed, not by every file at every merge (which made each later merge load and save a bigger
    parent)."""
    existing = existing or {}
    changed = [r for r in result.merged if not _unchanged(r, existing.get(r.unit_code))]
    rows = [[stamp, "Gộp", r.file.name, r.unit_code, r.status, "", r.reason] for r in changed]
    if len(changed) < len(result.merged):
        rows.append([stamp, "Gộp", "", "", "", "", UNCHANGED_NOTE.format(count=len(result.merged) - len(changed))])
    refusals = [[stamp, "Từ chối", r.file.name, r.unit_code or "", _S.RETURNED.value, r.code, r.message]
                for r in result.refused]
    refusals += [[stamp, "Bản trùng", r.file.name, r.unit_code or "", _S.DUPLICATE.value, r.code, r.message]
                 for r in result.duplicates]
    skipped = [[stamp, "Bỏ qua", f.file, "", "", f.code, f.message] for f in result.notes]
    for group, op, note in ((refusals, "Từ chối", REFUSED_AGAIN_NOTE), (skipped, "Bỏ qua", SKIPPED_AGAIN_NOTE)):
        said = sum(1 for row in group if _said_before(row, result.logged))
        rows += [row for row in group if not _said_before(row, result.logged)]
        if said:
            rows.append([stamp, op, "", "", "", "", note.format(count=said)])
    if result.contributions is not None:
        from cdht.ops.contributions import log_rows as contrib_log_rows
        rows += contrib_log_rows(result.contributions, stamp)
    return rows


# ---------------------------------------------------------------------------------------------
# The "Tổng quan" dashboard (issue 16): its blocks, from the children's rows just built
# ---------------------------------------------------------------------------------------------

_LEVEL_WORDS = {level_label(k): k for k in (0, 1, 2)}
_VERDICT_L2, _VERDICT_L1, _VERDICT_FAIL = "MĐ2", "MĐ1", "Không đạt"


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _unchanged(r: SourceResult, prior: dict | None) -> bool:
    """Whether the parent's row of ``r``'s unit already shows this very merge of it."""
    return bool(prior and r.sha256 and prior.get("sha") == r.sha256[:12] and prior.get("file") == r.file.name
                and prior.get("status") == r.status)


def overview_updates(result: MergeResult, child_tier, rows: list[list]) -> list[SheetUpdate]:
    """The blocks of "Tổng quan": completeness, units by level, recognitions, results per
    indicator, recognitions expiring — every figure from the children's rows as written and the
    register's standings, so the sheet and its charts agree with the rows beside them."""
    receipts = [L.receipt_status(row[2], row[4]) for row in rows]
    n = len(rows)
    counts = [n, sum(r in (_S.RECEIVED, _S.LATE) for r in receipts)]
    counts += [receipts.count(s) for s in (_S.RECEIVED, _S.LATE, _S.RETURNED, _S.NOT_SUBMITTED)]
    got = [row for row, r in zip(rows, receipts) if r in (_S.RECEIVED, _S.LATE)]
    own = [sum(_LEVEL_WORDS.get(row[5]) == k for row in got) for k in (0, 1, 2)]
    live = {st.unit: st for st in result.standings if st.level}
    recognised = [n - len(live)] + [sum(st.level == k for st in live.values()) for k in (1, 2)]
    year, horizon = result.year or 0, L.OVERVIEW_HORIZON_YEARS
    expiring = sorted((st for st in live.values() if st.decision.valid_until
                       and st.decision.valid_until <= dt.date(year + horizon, 12, 31)),
                      key=lambda st: (st.decision.valid_until, st.unit))
    new = sum(st.decision.recognised_year == year for st in live.values())
    updates = [
        SheetUpdate(L.N_OV_STAMP, Placement.BLOCK, [[_stamp_text(result, child_tier, rows)]]),
        SheetUpdate(L.N_OV_COMPLETENESS, Placement.BLOCK, [[c, _pct(c, n)] for c in counts], 2),
        SheetUpdate(L.N_OV_LEVELS, Placement.BLOCK, [[a, b] for a, b in zip(own, recognised)], 2),
        SheetUpdate(L.N_OV_RECOGNITIONS, Placement.BLOCK, [[recognised[1]], [recognised[2]], [new], [len(expiring)]]),
        SheetUpdate(L.N_OV_INDICATORS, Placement.BLOCK, _indicator_rows(child_tier, rows),
                    len(L.OVERVIEW_INDICATOR_COLUMNS) - 1),
        SheetUpdate(L.N_OV_EXPIRING, Placement.BLOCK, _expiring_rows(expiring, rows),
                    len(L.OVERVIEW_EXPIRING_COLUMNS), date_columns=(5,))]
    return updates + _history_updates(result, child_tier, rows, own + recognised[1:])


def _history_updates(result: MergeResult, child_tier, rows: list[list], levels: list[int]) -> list[SheetUpdate]:
    """The trend blocks (this year after the earlier ones) and, for a province over districts,
    the per-district block (:mod:`cdht.ops.merge.trends`)."""
    from cdht.ops.merge.trends import YearFigures, district_rows, trend_rows

    ids = [i.id for i in child_tier.indicators]
    rates = {ind: r[4] for ind, r in zip(ids, _indicator_rows(child_tier, rows)) if r[0]}
    current = YearFigures(result.year or 0, levels, rates)
    levels_rows, header, rate_rows = trend_rows(result.trends, current, ids)
    n = L.OVERVIEW_TREND_YEARS
    updates = [SheetUpdate(L.N_OV_TREND_LEVELS, Placement.BLOCK, levels_rows, len(L.OVERVIEW_TREND_COLUMNS)),
               SheetUpdate(L.N_OV_TREND_YEARS, Placement.BLOCK, header, n),
               SheetUpdate(L.N_OV_TREND_INDICATORS, Placement.BLOCK, rate_rows, n)]
    if result.district_rows:
        updates.append(SheetUpdate(L.N_OV_DISTRICTS, Placement.BLOCK, district_rows(result, rows, result.district_rows),
                                   len(L.OVERVIEW_DISTRICT_COLUMNS)))
    return updates


def _stamp_text(result: MergeResult, child_tier, rows: list[list]) -> str:
    """The figures' date: the latest "merged at" of the rows (unchanged by a merge that changes
    nothing, as the rows themselves)."""
    stamps = [str(row[-2]) for row in rows if row and row[-2] not in (None, "")]
    return (f"Cập nhật {max(stamps) if stamps else '—'} — {len(result.expected)} đơn vị {child_tier.name.lower()} phải nộp; "
            f"tỉ lệ (%) tính trên số phải nộp; mức độ tự đánh giá tính trên hồ sơ đã nhận. "
            f"Chi tiết ở trang '{L.SHEET_CHILDREN}' và '{L.SHEET_REGISTER}'.")


def _indicator_rows(child_tier, rows: list[list]) -> list[list]:
    """Per indicator (catalogue order): units with a verdict, level 2, level 1 only, failed, and
    the rates of level 1 and level 2 among the units with a verdict ("Chưa đủ" is none)."""
    out = []
    for k, ind in enumerate(child_tier.indicators):
        verdicts = [row[len(L.CHILD_FIXED_COLUMNS) + k] for row in rows]
        l2, l1 = verdicts.count(_VERDICT_L2), verdicts.count(_VERDICT_L1)
        fail = verdicts.count(_VERDICT_FAIL)
        judged = l2 + l1 + fail
        out.append([judged, l2, l1, fail, _pct(l1 + l2, judged), _pct(l2, judged)])
    return out


def _expiring_rows(expiring: list, rows: list[list]) -> list[list]:
    """The expiring recognitions (earliest first), padded with empty rows to the block's height;
    a last row counts those that do not fit."""
    names = {row[0]: row[1] for row in rows}
    limit = L.OVERVIEW_EXPIRING_ROWS
    shown = expiring if len(expiring) <= limit else expiring[:limit - 1]
    out = [[st.unit, st.decision.name or names.get(st.unit, ""), st.level, st.decision.number or "",
            st.decision.valid_until] for st in shown]
    if len(shown) < len(expiring):
        out.append(["", f"… và {len(expiring) - len(shown)} đơn vị khác (xem trang '{L.SHEET_REGISTER}')",
                    "", "", ""])
    width = len(L.OVERVIEW_EXPIRING_COLUMNS)
    return out + [[""] * width for _ in range(limit - len(out))]
