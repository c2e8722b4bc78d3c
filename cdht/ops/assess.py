"""Compute a workbook's level and check its evidence — the library behind ``cdht compute`` / ``check``
and the add-in's first two buttons. Levels are always recomputed from inputs, never read back.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from cdht import contract as L
from cdht import rules as R
from cdht.evaluate import Assessment, appraised_level, evaluate, level_label
from cdht.messages import ERROR, Finding, finding

from cdht.xlsx.fastread import _letters as _col_letter
from cdht.read.submission import Submission, read_workbook

_ID_SPLIT = re.compile(r"[,;\s]+")
_URL = re.compile(r"^(https?|ftp)://", re.I)


@dataclass
class Report:
    """Everything compute/check found for one workbook (JSON-ready via :meth:`as_dict`)."""

    sub: Submission
    assessment: Assessment | None = None
    appraised_level: int | None = None
    evidence_findings: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return self.sub.findings + self.evidence_findings

    @property
    def level(self) -> int | None:
        return self.assessment.level if self.assessment else None

    @property
    def ready_to_file(self) -> bool:
        return bool(self.assessment and self.assessment.complete and not self.sub.tampered
                    and not any(f.severity == ERROR for f in self.findings))

    def as_dict(self) -> dict:
        s, a = self.sub, self.assessment
        d = {
            "file": str(s.path), "unit_code": s.unit_code, "unit_name": s.unit_name,
            "tier": s.tier.code if s.tier else None, "year": s.year,
            "edition": s.edition.id if s.edition else None,
            "level": self.level, "level_text": level_label(self.level) if a else None,
            "complete": bool(a and a.complete), "missing": a.missing if a else [],
            "criteria": a.as_dict()["criteria"] if a else {},
            "indicators": a.as_dict()["indicators"] if a else {},
            "appraisal": {"level": self.appraised_level,
                          "indicators": {i.id: s.appraisal.get(L.appraisal_name(i.id))
                                         for i in s.tier.indicators} if s.tier else {},
                          "reasons": {i.id: s.appraisal.get(L.appraisal_reason_name(i.id))
                                      for i in s.tier.indicators
                                      if s.appraisal.get(L.appraisal_reason_name(i.id))} if s.tier else {}},
            "tampered": s.tampered, "ready_to_file": self.ready_to_file, "sha256": s.sha256,
            "findings": [f.as_dict() for f in self.findings],
        }
        return d


def compute_submission(sub: Submission) -> Report:
    rep = Report(sub)
    if not sub.readable:
        return rep
    rep.assessment = evaluate(sub.tier, sub.values)
    rep.appraised_level = appraised_level(sub.tier, sub.appraisal, sub.appraisal.get(L.N_APPRAISAL_TARGET))
    return rep


def compute(path: str | Path, edition=None) -> Report:
    return compute_submission(read_workbook(path, edition))


def check(path: str | Path, edition=None) -> Report:
    rep = compute(path, edition)
    if rep.assessment is not None:
        rep.evidence_findings = check_evidence(rep.sub, rep.assessment)
    return rep


def _deadline(sub: Submission) -> dt.date | None:
    mmdd = sub.tier.procedure.submit_by
    if not mmdd or sub.year is None:
        return None
    m, d = (int(x) for x in mmdd.split("-"))
    return dt.date(sub.year + 1, m, d)


def _as_date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(v.strip(), fmt).date()
            except ValueError:
                continue
    return None


def check_evidence(sub: Submission, a: Assessment) -> list[Finding]:
    """Evidence (minh chứng) findings for one read workbook and its assessment."""
    out: list[Finding] = []
    tier = sub.tier
    known = {i.id for i in tier.indicators}
    example = tier.indicators[0].id
    sheet = L.SHEET_EVIDENCE
    base = sub.path.parent
    deadline = _deadline(sub)
    oldest = dt.date(sub.year - sub.edition.settings.evidence_max_age_years, 1, 1) if sub.year else None
    cited: dict[str, list[int]] = {}
    codes: dict[str, int] = {}

    def add(code, row, **facts):
        out.append(finding(code, file=sub.path.name, sheet=sheet, row=row, **facts))

    columns = f"A–{_col_letter(len(L.EVIDENCE_COLUMNS))}"
    for row, cell, value in sub.evidence_outside:
        text = str(value)
        out.append(finding("CDHT-E010", file=sub.path.name, sheet=sheet, cell=cell, row=row,
                           value=text if len(text) <= 40 else text[:39] + "…", columns=columns))
    for rec in sub.evidence:
        row = rec["row"]
        ids_text = str(rec.get("indicators") or "").strip()
        if not ids_text:
            add("CDHT-E009", row, example=example)
        for ident in filter(None, _ID_SPLIT.split(ids_text)):
            ident = ident.strip().rstrip(".").lower()
            if ident in known:
                cited.setdefault(ident, []).append(row)
            else:
                add("CDHT-E002", row, value=ident, example=example)
        for key, col in (("title", "Tên minh chứng"), ("number", "Số / ký hiệu"), ("date", "Ngày ban hành")):
            if rec.get(key) in (None, "") or (isinstance(rec.get(key), str) and not rec[key].strip()):
                add("CDHT-E003", row, column=col)
        raw_date = rec.get("date")
        if raw_date not in (None, ""):
            d = _as_date(raw_date)
            if d is None:
                add("CDHT-E008", row, value=raw_date)
            else:
                if deadline and d > deadline:
                    add("CDHT-E004", row, value=d.strftime("%d/%m/%Y"), deadline=deadline.strftime("%d/%m/%Y"))
                if oldest and d < oldest:
                    add("CDHT-E005", row, value=d.strftime("%d/%m/%Y"), year=sub.year)
        att = rec.get("attachment")
        if isinstance(att, str) and att.strip() and not _URL.match(att.strip()):
            p = Path(att.strip().replace("\\", "/"))
            if not (p if p.is_absolute() else base / p).exists():
                add("CDHT-E006", row, value=att.strip())
        code = rec.get("code")
        if code not in (None, ""):
            key = str(code).strip().casefold()
            if key in codes:
                add("CDHT-E007", row, value=code, other_row=codes[key])
            else:
                codes[key] = row
    for ind in tier.indicators:
        r = a.indicators[ind.id]
        claimed = any(R._text_eq(sub.values.get(f.key), R.DAT) for f in ind.fields if f.type == "verdict")
        if (claimed or r.level1 or r.level2) and ind.id not in cited:
            first_key = ind.fields[0].key if ind.fields else None
            s, c = sub.where(first_key) if first_key else (None, None)
            out.append(finding("CDHT-E001", file=sub.path.name, sheet=s, cell=c, indicator=ind.id))
    return out
