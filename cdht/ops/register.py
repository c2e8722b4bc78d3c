"""The recognition register (Sổ công nhận): decisions per unit, which are in force, who may upgrade.

Recognition is the competent authority's **decision** (quyết định công nhận, Thông tư 25/2023
Điều 9.2.đ and the matching points of Điều 14, 19), not the council's appraisal: an appraised unit
without a decision is "Chờ quyết định" and counts toward nothing.

- A decision recognises an assessment year: the one given (``Decision.year``) or, when the
  register does not say, the year before the decision's date (decisions for year N are made in
  N+1: communes by 31/03, districts by 31/05).
- For assessment year N a decision counts when it is dated no later than the profile's decision
  deadline in N+1 for the unit's tier (:func:`cutoff`) — decisions of this round count, later ones
  belong to later rounds.
- Validity follows the profile's reading of "Kết quả công nhận được bảo lưu trong thời hạn 3 năm
  (36 tháng) tiếp theo năm được công nhận" (khoản 4 Điều 5, 10, 15):
  ``assessment_years`` (default) — a recognition of year M is in force for assessment years M to
  M+3; ``decision_months`` — in force from the decision date through the corresponding day of the
  36th month after it (Bộ luật Dân sự 2015 Điều 147–148, :func:`cdht.dates.add_months`), judged
  at the cutoff of year N.
- A level-1 unit may ask for level 2 ``upgrade_after_months`` (catalogue setting, default 12)
  after its level-1 decision; a level-2 decision earlier than that is a finding (CDHT-P015).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cdht import contract as L
from cdht.dates import LAST_PLAUSIBLE_YEAR, add_months, read_date  # noqa: F401 — add_months: this module's API
from cdht.messages import Finding, finding
from cdht.units import code_text


def _profile(profile):
    if profile is None:
        from cdht.profile import default_profile
        return default_profile()
    return profile


def cutoff(year: int, tier: str | None = None, profile=None) -> dt.date:
    """The last day a decision may carry to count for assessment year ``year``: the profile's
    decision deadline of ``tier`` in year + 1. With no tier known, the latest fixed decision
    deadline of the tiers that exist (never excluding a decision made in time); with none fixed
    (the province tier: "20 ngày làm việc"), 31/12 of year + 1."""
    prof = _profile(profile)
    if tier is not None:
        d = prof.decision_deadline(tier, year)
        return d or dt.date(year + 1, 12, 31)
    fixed = [d for t in prof.tiers_in(year) if (d := prof.decision_deadline(t, year))]
    return max(fixed, default=dt.date(year + 1, 12, 31))


@dataclass
class Decision:
    unit: str
    name: str
    level: int
    number: str
    date: dt.date
    issuer: str = ""
    note: str = ""
    year: int | None = None          # the assessment year recognised, when the register says it
    sheet: str | None = None         # where it was read, for messages
    row: int | None = None
    book: str | None = None          # the file it was read from (the parent, or last year's book)
    # computed by evaluate()
    valid_until: dt.date | None = None
    valid_through_year: int | None = None
    in_force: bool = False
    upgrade_from: dt.date | None = None
    late: bool = False               # dated after the decision deadline of the year it recognises

    @property
    def recognised_year(self) -> int:
        return self.year if self.year is not None else self.date.year - 1

    def evaluate(self, ref: dt.date | int, settings=None, profile=None, tier: str | None = None) -> None:
        """Compute validity and standing for assessment year ``ref`` (a year, or any date in it —
        callers pass 31/12/N). ``profile`` gives the readings and deadlines (None: the defaults
        and the catalogue's procedure); ``tier`` the unit's tier when the registry cannot say."""
        from cdht.profile import VALIDITY_MONTHS

        prof = _profile(profile)
        year = ref if isinstance(ref, int) else ref.year
        unit = prof.unit(self.unit) if prof.units else None
        tier = unit.tier if unit is not None else tier
        readings = prof.readings
        m = self.recognised_year
        self.late = self.date > cutoff(m, tier, prof)
        limit = cutoff(year, tier, prof)
        made_in_time = self.date <= limit
        if readings.validity == VALIDITY_MONTHS:
            self.valid_until = add_months(self.date, readings.valid_months)
            self.valid_through_year = None
            self.in_force = made_in_time and m <= year and limit <= self.valid_until
        else:
            self.valid_through_year = m + readings.valid_years
            self.valid_until = dt.date(self.valid_through_year, 12, 31)
            self.in_force = made_in_time and m <= year <= self.valid_through_year
        months = getattr(settings, "upgrade_after_months", 12)
        self.upgrade_from = add_months(self.date, months) if self.level == 1 else None

    def as_dict(self) -> dict:
        return {"unit": self.unit, "level": self.level, "number": self.number, "date": self.date.isoformat(),
                "issuer": self.issuer, "recognised_year": self.recognised_year,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "valid_through_year": self.valid_through_year,
                "in_force": self.in_force, "late": self.late,
                "upgrade_from": self.upgrade_from.isoformat() if self.upgrade_from else None}


REGISTER_WIDTH = len(L.REGISTER_COLUMNS)
COMPUTED_COLUMNS = (6, 7, 8)  # 0-based: G–I, "Còn hiệu lực đến", "… năm đánh giá", "… mức độ 2 từ"


def read_register(rb, file_name: str, settings=None) -> tuple[list[Decision], list[Finding]]:
    """Decisions typed in (or carried into) a parent workbook's register (a raw read,
    ``cdht.xlsx.fastread.read_raw``), with coded problems: bad rows (CDHT-M013, M016, M017, M040)
    and level-2 decisions earlier than ``upgrade_after_months`` after the level-1 one (CDHT-P015)."""
    decisions, _, problems = read_register_rows(rb, file_name, settings)
    return decisions, problems


def read_register_rows(rb, file_name: str, settings=None) -> tuple[list[Decision], list[list], list[Finding]]:
    """:func:`read_register`, plus the rows that are not decisions, as typed (``kept``): a row with
    a bad unit code, level or date (reported, never used as a decision) or with only a note. A
    merge rewrites the whole register, so it writes these back verbatim (:func:`register_rows`)
    until the clerk fixes them — nothing typed is lost (issue 18). Each kept row is the range's
    columns A–J as read, with the computed columns G–I left empty (nothing is computed from it)."""
    from cdht.xlsx.fastread import named_rows

    if L.N_REGISTER not in rb.names:
        return [], [], [finding("CDHT-W009", file=file_name, name=L.N_REGISTER)]
    sheet, first, rows = named_rows(rb, L.N_REGISTER)
    out, kept, problems = [], [], []
    for k, vals in enumerate(rows):
        vals = (vals + [None] * REGISTER_WIDTH)[:REGISTER_WIDTH]
        if all(v in (None, "") for v in vals[:6]):
            if vals[9] not in (None, ""):  # a note alone: not a decision, but typed
                kept.append(_kept(vals, first + k))
            continue
        d, bad = _row_problems(vals, dict(file=file_name, sheet=sheet, row=first + k))
        if bad:
            problems += bad
            kept.append(_kept(vals, first + k))
            continue
        code, name, level, number, _, issuer = vals[:6]
        out.append(Decision(code_text(code), str(name or ""), int(float(level)), str(number or ""),
                            d, str(issuer or ""), str(vals[9] or ""), sheet=sheet, row=first + k, book=file_name))
    problems += upgrade_findings(out, settings, file_name)
    return out, kept, problems


def _row_problems(vals: list, where: dict) -> tuple[dt.date | None, list[Finding]]:
    """A register row's decision date, and why the row is not a decision (nothing: it is one)."""
    code, _, level, _, date = vals[:5]
    d, why = read_date(date)
    bad = []
    if code_text(code) is None:
        bad.append(finding("CDHT-M013", **where))
    if level not in (1, 2, 1.0, 2.0, "1", "2"):
        bad.append(finding("CDHT-M016", value="" if level is None else level, **where))
    if d is None:
        bad.append(finding("CDHT-M017", reason=why or "chưa ghi ngày", **where))
    elif d.year > LAST_PLAUSIBLE_YEAR:  # 31/12/9999: nothing can be computed from it
        bad.append(finding("CDHT-M040", value=d.strftime("%d/%m/%Y"), limit=LAST_PLAUSIBLE_YEAR, **where))
    return d, bad


class KeptRow(list):
    """A register row kept as typed (:func:`read_register_rows`), and the row it was read from."""

    row: int | None = None


def _kept(vals: list, row: int) -> KeptRow:
    """A row kept as typed: "" for an empty cell and for the computed columns."""
    kept = KeptRow("" if v is None or j in COMPUTED_COLUMNS else v for j, v in enumerate(vals))
    kept.row = row
    return kept


def upgrade_findings(decisions: list[Decision], settings=None, file_name: str | None = None) -> list[Finding]:
    """A level-2 decision earlier than ``upgrade_after_months`` after the unit's level-1 decision."""
    months = getattr(settings, "upgrade_after_months", 12)
    out = []
    by_unit: dict[str, list[Decision]] = {}
    for d in decisions:
        by_unit.setdefault(d.unit, []).append(d)
    for unit, ds in sorted(by_unit.items()):
        for d2 in (d for d in ds if d.level == 2):
            before = [d for d in ds if d.level == 1 and d.date <= d2.date]
            if not before:
                continue
            d1 = max(before, key=lambda d: d.date)
            allowed = add_months(d1.date, months)
            if d2.date < allowed:
                out.append(finding("CDHT-P015", file=file_name, sheet=d2.sheet, row=d2.row, unit=unit,
                                   date=d2.date.strftime("%d/%m/%Y"), months=months,
                                   level1_date=d1.date.strftime("%d/%m/%Y"),
                                   allowed_from=allowed.strftime("%d/%m/%Y")))
    return out


def register_findings(decisions: list[Decision], year: int, profile=None, tier: str | None = None,
                      file_name: str | None = None) -> list[Finding]:
    """What the register says about assessment year ``year`` against the profile: a decision for
    a unit the registry does not know that year (CDHT-P014), a decision recognising ``year`` dated
    after the decision deadline (CDHT-P016: it does not count for ``year``)."""
    prof = _profile(profile)
    out = []
    for d in decisions:
        if prof.units and prof.unit(d.unit, d.recognised_year) is None:
            out.append(finding("CDHT-P014", file=d.book or file_name, sheet=d.sheet, row=d.row, unit=d.unit,
                               year=d.recognised_year))
            continue
        unit = prof.unit(d.unit)
        limit = cutoff(year, unit.tier if unit else tier, prof)
        if d.recognised_year == year and d.date > limit:
            out.append(finding("CDHT-P016", file=d.book or file_name, sheet=d.sheet, row=d.row, unit=d.unit,
                               number=d.number, date=d.date.strftime("%d/%m/%Y"),
                               deadline=limit.strftime("%d/%m/%Y"), year=year))
    return out


def standing(unit: str, decisions: list[Decision], appraised: int | None = None) -> int:
    """A unit's recognised level for the 90 % indicators: the best decision in force (after
    :meth:`Decision.evaluate`). ``appraised`` is accepted for the callers' sake and never counts:
    an appraisal is not a recognition."""
    return max((d.level for d in decisions if d.unit == unit and d.in_force), default=0)


@dataclass
class Standing:
    """A unit's place in the register for one assessment year, in the status vocabulary."""

    unit: str
    status: L.Status
    level: int                      # recognised level in force (0: none)
    decision: Decision | None       # the decision that gives ``level``
    appraised: int | None           # this round's appraisal, shown apart, never counted

    def as_dict(self) -> dict:
        return {"unit": self.unit, "status": self.status.value, "level": self.level,
                "decision": self.decision.as_dict() if self.decision else None,
                "appraised": self.appraised}


def unit_standing(unit: str, decisions: list[Decision], *, appraised: int | None = None,
                  receipt: L.Status | None = None) -> Standing:
    """One status per unit, by precedence: recognised (a decision in force: level 2 before 1) →
    appraised without a decision ("Chờ quyết định"; an appraisal in a returned file is ignored) →
    this round's receipt status (Đã nhận, Nộp muộn, Trả lại, Bản trùng) → an expired
    recognition ("Hết hiệu lực") → "Chưa nộp"."""
    S = L.Status
    mine = [d for d in decisions if d.unit == unit]
    live = [d for d in mine if d.in_force]
    if receipt == S.RETURNED:
        appraised = None
    if live:
        best = max(live, key=lambda d: (d.level, d.date))
        return Standing(unit, S.RECOGNISED_2 if best.level == 2 else S.RECOGNISED_1, best.level, best, appraised)
    if appraised:
        return Standing(unit, S.AWAITING_DECISION, 0, None, appraised)
    if receipt is not None and receipt != S.NOT_SUBMITTED:
        return Standing(unit, receipt, 0, None, appraised)
    if mine:
        last = max(mine, key=lambda d: d.date)
        return Standing(unit, S.EXPIRED, 0, last, appraised)
    return Standing(unit, S.NOT_SUBMITTED, 0, None, appraised)


def _written_order(decisions: list[Decision]) -> list[Decision]:
    return sorted(decisions, key=lambda d: (d.unit, d.date, d.level))


def register_rows(decisions: list[Decision], kept: list[list] = ()) -> list[list]:
    """The register's rows: the decisions sorted by unit and date, with the computed columns
    filled, then the ``kept`` rows that are not decisions (:func:`read_register_rows`) as typed,
    in the order they were in — after the decisions, where the clerk finds the rows to fix."""
    return [[d.unit, d.name, d.level, d.number, d.date, d.issuer, d.valid_until,
             "Có" if d.in_force else "Không", d.upgrade_from or "", d.note or ""]
            for d in _written_order(decisions)] + [list(r) for r in kept]


# the findings that name a register row (a decision's, or a row kept as typed)
ROW_CODES = frozenset({"CDHT-M013", "CDHT-M016", "CDHT-M017", "CDHT-M040", "CDHT-P014", "CDHT-P015", "CDHT-P016"})


def relocated(findings: list[Finding], decisions: list[Decision], kept: list[list], parent: str,
              sheet: str, first: int) -> list[Finding]:
    """``findings`` once :func:`register_rows` has rewritten the register of ``parent`` (its range
    on ``sheet`` starting at row ``first``): a finding about a decision or a kept row names the row
    it is in now — the decisions are sorted and the kept rows follow them, and a decision carried
    from last year's book is now in the parent. The clerk who opens the file finds the row named.
    Other findings (and last year's bad rows, which are not carried) are unchanged."""
    pairs = [((d.book, d.sheet, d.row), first + i) for i, d in enumerate(_written_order(decisions))]
    pairs += [((parent, sheet, getattr(r, "row", None)), first + len(decisions) + j) for j, r in enumerate(kept)]
    now, seen = {}, set()
    for key, at in pairs:  # (last year's book under the parent's own file name: a row both name is left as read)
        now[key] = None if key in seen else at
        seen.add(key)
    out = []
    for f in findings:
        at = now.get((f.file, f.sheet, f.row)) if f.code in ROW_CODES and f.row is not None else None
        out.append(f if at is None else finding(f.code, file=parent, sheet=sheet, cell=f.cell, row=at, line=f.line,
                                                indicator=f.indicator, **f.facts))
    return out
