"""Compute a workbook's level and check its evidence — the library behind ``cdht compute`` / ``check``
and the add-in's first two buttons. Levels are always recomputed from inputs, never read back.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cdht import contract as L
from cdht import rules as R
from cdht.dates import month_day
from cdht.evaluate import Assessment, appraised_level, evaluate, level_label
from cdht.messages import ERROR, Finding, finding

from cdht.xlsx.fastread import _letters as _col_letter
from cdht.read.submission import Submission, read_workbook

_CITATION_SPLIT = re.compile(r"[,;\n]+")
# One indicator id as people type it, after accents are dropped and the text lower-cased:
# "xa.1.1", "xa 1.1", "1.1", "chi tieu 1.1", "ct 1.1", "cap xa - 1.1", "xa.01.1".
_CITATION = re.compile(r"(?:(?:chi\s*tieu|ct|cap)\s*[:.\-]?\s*)*(?:([a-z]+)\s*[.:\-]?\s*)?"
                       r"(?:(?:chi\s*tieu|ct)\s*[:.\-]?\s*)?(\d+)\s*\.\s*(\d+)\s*\.?")


_GAP = re.compile(r"[\s.:/&+\-]*(?:va[\s.:/&+\-]*)?")  # what may stand between two ids


def _plain(text: str) -> str:
    """Lower-case, without Vietnamese accents ("Chỉ tiêu Xã 1.1" -> "chi tieu xa 1.1")."""
    t = unicodedata.normalize("NFD", str(text)).replace("\u0111", "d").replace("\u0110", "d")
    return "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()


def cited_indicators(text, tier) -> tuple[list[str], list[str]]:
    """The indicator ids of ``tier`` cited by an evidence row's "Chỉ tiêu" cell, read the way
    people type them ("xa.1.1", "1.1", "xã 1.1", "Chỉ tiêu 1.1", "XA.1.1"; several separated by
    commas, semicolons, line breaks or spaces), and the parts that name no indicator of the tier
    (as typed). Returns (ids in order, unknown parts)."""
    key = (str(text or ""), id(tier))
    hit = _CITED.get(key)
    if hit is None or hit[0] is not tier:  # the same texts recur in every file of a merge: read once
        if len(_CITED) > 4096:
            _CITED.clear()
        hit = _CITED[key] = (tier, *_cited_indicators(text, tier))
    return list(hit[1]), list(hit[2])


_CITED: dict = {}


def _cited_indicators(text, tier) -> tuple[list[str], list[str]]:
    known = {i.id for i in tier.indicators}
    tiers = set(tier.edition.spec.hierarchy.tiers)
    ids: list[str] = []
    unknown: list[str] = []
    for part in filter(None, (p.strip() for p in _CITATION_SPLIT.split(str(text or "")))):
        plain, found, pos, ok = _plain(part), [], 0, True
        for m in _CITATION.finditer(plain):
            ok = ok and _GAP.fullmatch(plain[pos:m.start()]) is not None
            prefix = m.group(1)
            ok = ok and (prefix is None or prefix in tiers)
            found.append(f"{prefix or tier.code}.{int(m.group(2))}.{int(m.group(3))}")
            pos = m.end()
        if not (ok and found and _GAP.fullmatch(plain[pos:])):
            unknown.append(part)  # not read as ids at all: reported as typed
            continue
        ids += [i for i in found if i in known and i not in ids]
        unknown += [i for i in found if i not in known]
    return ids, unknown
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
        """The reading's findings, then the evidence findings."""
        return self.sub.findings + self.evidence_findings

    @property
    def level(self) -> int | None:
        """The level recomputed from the inputs (None: not computable)."""
        return self.assessment.level if self.assessment else None

    @property
    def ready_to_file(self) -> bool:
        """Complete, untampered, without errors and at a level the unit meets (1 or 2): the
        dossier may be filed — at :attr:`ready_level`. A unit that reaches no level files nothing
        (issue 12, case 6)."""
        return bool(self.assessment and self.assessment.complete and not self.sub.tampered
                    and self.level in (1, 2) and not any(f.severity == ERROR for f in self.findings))

    @property
    def ready_level(self) -> int | None:
        """The level the dossier may be filed at (None: not ready)."""
        return self.level if self.ready_to_file else None

    def as_dict(self) -> dict:
        """The report as plain data (the CLI's ``--json``)."""
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
            "tampered": s.tampered, "ready_to_file": self.ready_to_file, "ready_level": self.ready_level,
            "sha256": s.sha256,
            "findings": [f.as_dict() for f in self.findings],
        }
        return d


def compute_submission(sub: Submission) -> Report:
    """The level (recomputed from the inputs) and the appraisal of a read workbook."""
    rep = Report(sub)
    if not sub.readable:
        return rep
    rep.assessment = evaluate(sub.tier, sub.values)
    rep.appraised_level = appraised_level(sub.tier, sub.appraisal, sub.appraisal.get(L.N_APPRAISAL_TARGET))
    return rep


def compute(path: str | Path, edition=None) -> Report:
    """Read ``path`` and compute its level (``cdht compute``, the "Tính mức độ" button)."""
    return compute_submission(read_workbook(path, edition))


def check(path: str | Path, edition=None, year: int | None = None) -> Report:
    """:func:`compute` plus every evidence finding (``cdht check``, "Kiểm tra minh chứng");
    ``year``: the assessment year asked for (``--year``), see :func:`check_evidence`."""
    rep = compute(path, edition)
    if rep.assessment is not None:
        rep.evidence_findings = check_evidence(rep.sub, rep.assessment, year=year)
    return rep


def filing_deadline(tier, year: int | None) -> dt.date | None:
    """The day a ``tier`` dossier for assessment year ``year`` is due (the catalogue's
    ``procedure.submit_by``, in year + 1); None when the catalogue sets none."""
    mmdd = tier.procedure.submit_by
    if not mmdd or year is None:
        return None
    return month_day(mmdd, year + 1)


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


_REQUIRED = (("title", "Tên minh chứng"), ("number", "Số / ký hiệu"), ("date", "Ngày ban hành"))


class _EvidenceCheck:
    """The checks of one workbook's evidence list; findings gather in ``out``."""

    def __init__(self, sub: Submission, dates: bool = True):
        self.sub, self.out = sub, []
        self.known = {i.id for i in sub.tier.indicators}
        self.example = sub.tier.indicators[0].id
        dated = sub.year if dates else None  # dates=False: a workbook of another year, dates not judged
        self.deadline = filing_deadline(sub.tier, dated)
        self.oldest = dt.date(dated - sub.edition.settings.evidence_max_age_years, 1, 1) if dated else None
        self.cited: dict[str, list[int]] = {}
        self.codes: dict[str, int] = {}

    def add(self, code: str, row, **facts) -> None:
        self.out.append(finding(code, file=self.sub.path.name, sheet=L.SHEET_EVIDENCE, row=row, **facts))

    def outside(self) -> None:
        """E010: something typed beside the evidence columns."""
        columns = f"A–{_col_letter(len(L.EVIDENCE_COLUMNS))}"
        for row, cell, value in self.sub.evidence_outside:
            text = str(value)
            self.out.append(finding("CDHT-E010", file=self.sub.path.name, sheet=L.SHEET_EVIDENCE, cell=cell,
                                    row=row, value=text if len(text) <= 40 else text[:39] + "…", columns=columns))

    def record(self, rec: dict) -> None:
        """Every check of one evidence row."""
        row = rec["row"]
        self.indicators(rec, row)
        for key, col in _REQUIRED:
            if rec.get(key) in (None, "") or (isinstance(rec.get(key), str) and not rec[key].strip()):
                self.add("CDHT-E003", row, column=col)
        self.date(rec.get("date"), row)
        self.attachment(rec.get("attachment"), row)
        self.code(rec.get("code"), row)

    def indicators(self, rec: dict, row: int) -> None:
        """E009 none cited, E002 (once per row) what names no indicator of the tier; the known ones
        are remembered as cited."""
        ids_text = str(rec.get("indicators") or "").strip()
        if not ids_text:
            self.add("CDHT-E009", row, example=self.example)
            return
        ids, unknown = cited_indicators(ids_text, self.sub.tier)
        for ident in ids:
            self.cited.setdefault(ident, []).append(row)
        if unknown:  # one finding per row, whatever the number of parts it could not read
            self.add("CDHT-E002", row, value=", ".join(unknown), example=self.example,
                     known=", ".join(i.id for i in self.sub.tier.indicators))

    def date(self, raw_date, row: int) -> None:
        """E008 not a date, E004 after the filing deadline, E005 older than allowed."""
        if raw_date in (None, ""):
            return
        d = _as_date(raw_date)
        if d is None:
            self.add("CDHT-E008", row, value=raw_date)
            return
        if self.deadline and d > self.deadline:
            self.add("CDHT-E004", row, value=d.strftime("%d/%m/%Y"), deadline=self.deadline.strftime("%d/%m/%Y"))
        if self.oldest and d < self.oldest:
            self.add("CDHT-E005", row, value=d.strftime("%d/%m/%Y"), year=self.sub.year)

    def attachment(self, att, row: int) -> None:
        """E006: an attached file (not a link) that is not there, relative to the workbook."""
        if isinstance(att, str) and att.strip() and not _URL.match(att.strip()):
            p = Path(att.strip().replace("\\", "/"))
            if not (p if p.is_absolute() else self.sub.path.parent / p).exists():
                self.add("CDHT-E006", row, value=att.strip())

    def code(self, code, row: int) -> None:
        """E007: an evidence code used twice."""
        if code in (None, ""):
            return
        key = str(code).strip().casefold()
        if key in self.codes:
            self.add("CDHT-E007", row, value=code, other_row=self.codes[key])
        else:
            self.codes[key] = row

    def uncited(self, a: Assessment) -> None:
        """E001: an indicator claimed or met that no evidence row cites."""
        sub = self.sub
        for ind in sub.tier.indicators:
            r = a.indicators[ind.id]
            claimed = any(R._text_eq(sub.values.get(f.key), R.DAT) for f in ind.fields if f.type == "verdict")
            if (claimed or r.level1 or r.level2) and ind.id not in self.cited:
                first_key = ind.fields[0].key if ind.fields else None
                s, c = sub.where(first_key) if first_key else (None, None)
                self.out.append(finding("CDHT-E001", file=sub.path.name, sheet=s, cell=c, indicator=ind.id))


def check_evidence(sub: Submission, a: Assessment, year: int | None = None) -> list[Finding]:
    """Evidence (minh chứng) findings for one read workbook and its assessment: cells typed beside
    the list (E010), each row's checks (E002–E009), then indicators without evidence (E001).
    ``year``: the assessment year asked for; a workbook of another year gets ONE finding saying so
    (W031: retype it into that year's template; no migrate command exists yet) instead of a date finding per evidence row."""
    other_year = year is not None and sub.year is not None and sub.year != year
    check = _EvidenceCheck(sub, dates=not other_year)
    if other_year:
        sheet, cell = sub.where(L.N_YEAR)
        check.out.append(finding("CDHT-W031", file=sub.path.name, sheet=sheet, cell=cell, found=sub.year, year=year))
    check.outside()
    for rec in sub.evidence:
        check.record(rec)
    check.uncited(a)
    return check.out
