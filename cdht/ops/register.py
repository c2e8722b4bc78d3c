"""The recognition register (Sổ công nhận): decisions per unit, which are in force, who may upgrade.

A decision stays in force for ``recognition_valid_years`` × 12 months from its date (default 36,
the Circular's "3 năm"); a level-1 unit may ask for level 2 ``upgrade_after_months`` (default 12)
after its level-1 decision. The reference date is 31/12 of the assessment year.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from cdht import contract as L
from cdht.messages import Finding, finding


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass
class Decision:
    unit: str
    name: str
    level: int
    number: str
    date: dt.date
    issuer: str = ""
    note: str = ""
    valid_until: dt.date | None = None
    in_force: bool = False
    upgrade_from: dt.date | None = None

    def evaluate(self, ref: dt.date, settings) -> None:
        self.valid_until = add_months(self.date, 12 * settings.recognition_valid_years) - dt.timedelta(days=1)
        self.in_force = self.date <= ref <= self.valid_until
        self.upgrade_from = add_months(self.date, settings.upgrade_after_months) if self.level == 1 else None

    def as_dict(self) -> dict:
        return {"unit": self.unit, "level": self.level, "number": self.number, "date": self.date.isoformat(),
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "in_force": self.in_force,
                "upgrade_from": self.upgrade_from.isoformat() if self.upgrade_from else None}


def _date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(v.strip(), fmt).date()
            except ValueError:
                pass
    return None


def read_register(rb, file_name: str) -> tuple[list[Decision], list[Finding]]:
    """Decisions typed in (or carried into) a parent workbook's register (a raw read,
    ``cdht.xlsx.fastread.read_raw``), with coded problems."""
    from cdht.xlsx.fastread import named_rows

    if L.N_REGISTER not in rb.names:
        return [], [finding("CDHT-W009", file=file_name, name=L.N_REGISTER)]
    sheet, first, rows = named_rows(rb, L.N_REGISTER)
    out, problems = [], []
    for k, vals in enumerate(rows):
        if all(v in (None, "") for v in vals[:6]):
            continue
        rownum = first + k
        code, name, level, number, date, issuer = (vals + [None] * 10)[:6]
        d = _date(date)
        bad = []
        if code in (None, ""):
            bad.append("thiếu mã đơn vị")
        if level not in (1, 2, 1.0, 2.0, "1", "2"):
            bad.append(f"mức độ '{level}' không phải 1 hoặc 2")
        if d is None:
            bad.append(f"ngày quyết định '{date}' không hợp lệ")
        if bad:
            problems.append(finding("CDHT-M013", file=file_name, sheet=sheet, row=rownum, detail="; ".join(bad)))
            continue
        out.append(Decision(str(code).strip(), str(name or ""), int(float(level)), str(number or ""), d,
                            str(issuer or ""), str(vals[9] or "") if len(vals) > 9 else ""))
    return out, problems


def standing(unit: str, decisions: list[Decision], appraised: int | None) -> int:
    """A unit's recognised level for the 90 % indicators: best decision in force or this year's appraisal."""
    best = max((d.level for d in decisions if d.unit == unit and d.in_force), default=0)
    return max(best, appraised or 0)


def register_rows(decisions: list[Decision]) -> list[list]:
    """The register's rows, sorted by unit and date, with the computed columns filled."""
    return [[d.unit, d.name, d.level, d.number, d.date, d.issuer, d.valid_until,
             "Có" if d.in_force else "Không", d.upgrade_from or "", d.note or ""]
            for d in sorted(decisions, key=lambda d: (d.unit, d.date, d.level))]
