"""Compute a workbook's level and check its evidence — the library behind ``cdht compute`` / ``check``
and the add-in's first two buttons. Levels are always recomputed from inputs, never read back.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cdht import contract as L
from cdht import rules as R
from cdht.dates import month_day
from cdht.evaluate import Assessment, appraised_level, evaluate, level_label, verdict_label
from cdht.messages import ERROR, Finding, finding
from cdht.paths import display_name, name_problem

from cdht.xlsx.fastread import _letters as _col_letter
from cdht.read.submission import Submission, read_workbook

_CITATION_SPLIT = re.compile(r"[,;\n]+")
# One indicator id as people type it, after accents are dropped and the text lower-cased:
# "xa.1.1", "xa 1.1", "1.1", "chi tieu 1.1", "ct 1.1", "cap xa - 1.1", "xa.01.1"; "va" (và) is never a tier.
_CITATION = re.compile(r"(?:(?:chi\s*tieu|ct|cap)\s*[:.\-]?\s*)*(?:(?<![a-z])(?!va\b)([a-z]+)\s*[.:\-]?\s*)?"
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
BOTH_LEVELS = frozenset((1, 2))
_LEVEL_WORDS = re.compile(r"\b(muc\s*do|muc|md)\b")


def evidence_levels(value) -> tuple[frozenset, bool]:
    """The levels an evidence row supports, from its "Mức độ" cell (issue 15), and whether the
    cell could be read: empty (or a register without the column) = both; 1 or 2 (a number, "2",
    "Mức độ 2"); "1, 2" or "cả hai" = both. Anything else reads as both, with ok False (D010)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BOTH_LEVELS, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (frozenset((int(value),)), True) if value in (1, 2) else (BOTH_LEVELS, False)
    plain = _LEVEL_WORDS.sub(" ", _plain(str(value)))
    if re.fullmatch(r"\s*ca\s+hai\s*", plain):
        return BOTH_LEVELS, True
    parts = [p for p in re.split(r"[\s,;/&+]+|\bva\b", plain) if p]
    if parts and all(p in ("1", "2") for p in parts):
        return frozenset(int(p) for p in parts), True
    return BOTH_LEVELS, False


@dataclass
class Report:
    """Everything compute/check found for one workbook (JSON-ready via :meth:`as_dict`)."""

    sub: Submission
    assessment: Assessment | None = None
    appraised_level: int | None = None
    evidence_findings: list[Finding] = field(default_factory=list)

    @cached_property
    def evidence_rows(self) -> dict[str, list[int]]:
        """Indicator id → the register rows citing it (read on first use: a merge never needs it)."""
        return evidence_rows(self.sub) if self.sub.readable else {}

    @property
    def no_evidence(self) -> list[str]:
        """The indicators met (or claimed "Đạt") that no register row cites: their verdict cells
        read "Đạt (thiếu minh chứng)", their evidence count cell is flagged (CDHT-E001)."""
        if self.assessment is None:
            return []
        return [i.id for i in self.sub.tier.indicators
                if met_or_claimed(self.sub, self.assessment, i) and i.id not in self.evidence_rows]

    def verdict_texts(self, indicator_id: str) -> tuple[str, str]:
        """The indicator's two verdict cells in words, as the live formulas of "Tự đánh giá" show them."""
        r = self.assessment.indicators[indicator_id]
        evidenced = indicator_id in self.evidence_rows
        return verdict_label(r.level1, evidenced), verdict_label(r.level2, evidenced)

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
            "indicators": {k: {**v, "evidence_rows": self.evidence_rows.get(k, [])}
                           for k, v in a.as_dict()["indicators"].items()} if a else {},
            "no_evidence": self.no_evidence,
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


def evidence_rows(sub: Submission) -> dict[str, list[int]]:
    """The register rows citing each indicator of the workbook's tier, read by :func:`cited_indicators`
    (the live "Số minh chứng" count of "Tự đánh giá" reads the same forms)."""
    rows: dict[str, list[int]] = {}
    for rec in sub.evidence:
        for ident in cited_indicators(str(rec.get("indicators") or "").strip(), sub.tier)[0]:
            rows.setdefault(ident, []).append(rec["row"])
    return rows


def met_or_claimed(sub: Submission, a: Assessment, ind) -> bool:
    """Whether an indicator needs evidence: met at a level, or its verdict typed "Đạt"."""
    r = a.indicators[ind.id]
    claimed = any(R._text_eq(sub.values.get(f.key), R.DAT) for f in ind.fields if f.type == "verdict")
    return bool(claimed or r.level1 or r.level2)


def free_evidence_row(sub: Submission) -> int | None:
    """The first empty row of the evidence register (None: all its rows are used)."""
    used = {rec["row"] for rec in sub.evidence}
    first = L.HEADER_ROW + 1
    return next((r for r in range(first, first + L.EVIDENCE_ROWS) if r not in used), None)


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
        self.levels: dict[str, list[tuple[int, frozenset]]] = {}  # indicator → (row, levels it supports)
        self.codes: dict[str, int] = {}

    def add(self, code: str, row, **facts) -> None:
        self.out.append(finding(code, file=self.sub.path.name, sheet=L.SHEET_EVIDENCE, row=row, **facts))

    def outside(self) -> None:
        """E010: something typed beside the evidence columns."""
        ref = (self.sub.cells.get(L.N_EVIDENCE) or (None, ""))[1] or ""
        last = re.sub(r"[^A-Z]", "", ref.rsplit(":", 1)[-1].upper()) or _col_letter(len(L.EVIDENCE_COLUMNS))
        columns = f"A–{last}"  # the register's own width: eight columns on templates issued before issue 15
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
        levels = self.level(rec, ids, row)
        for ident in ids:
            self.cited.setdefault(ident, []).append(row)
            self.levels.setdefault(ident, []).append((row, levels))
        if unknown:  # one finding per row, whatever the number of parts it could not read
            self.add("CDHT-E002", row, value=", ".join(unknown), example=self.example,
                     known=", ".join(i.id for i in self.sub.tier.indicators))

    def level(self, rec: dict, ids: list[str], row: int) -> frozenset:
        """The levels the row supports ("Mức độ", issue 15): D010 a value that is not 1, 2 or empty;
        D011 a level given where no cited indicator's bar differs by level."""
        raw = rec.get("level")
        levels, ok = evidence_levels(raw)
        cell = f"{_col_letter(L.EVIDENCE_LEVEL_COLUMN)}{row}"
        if not ok:
            self.out.append(finding("CDHT-D010", file=self.sub.path.name, sheet=L.SHEET_EVIDENCE, cell=cell, row=row,
                                    value=raw))
        elif levels != BOTH_LEVELS and ids and not any(R.differs_by_level(self.sub.tier.indicator(i)) for i in ids):
            differing = [i.id for i in self.sub.tier.indicators if R.differs_by_level(i)]
            self.out.append(finding("CDHT-D011", file=self.sub.path.name, sheet=L.SHEET_EVIDENCE, cell=cell, row=row,
                                    level=", ".join(map(str, sorted(levels))), indicators=", ".join(ids),
                                    differing=", ".join(differing) or "(không có)"))
        return levels

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
        """The "Tệp" of an evidence row (a link is not judged). Its form, from the text alone and
        the same on every machine (:func:`cdht.paths.name_problem`, E020–E025): a relative path of
        a document inside the dossier's folder. Only a name of sound form is then looked up, and
        only inside the workbook's own folder — what travels with it, never the rest of the
        checker's disk: E006 when no regular file is there."""
        if not isinstance(att, str) or not att.strip() or _URL.match(att.strip()):
            return
        text = att.strip()
        problem = name_problem(text)
        if problem is not None:
            code, facts = problem
            self.add(code, row, value=display_name(text), **facts)
        elif not _beside(self.sub.path.parent, text, self.root):
            self.add("CDHT-E006", row, value=text)

    @cached_property
    def root(self) -> str | None:
        """The real path of the workbook's folder (None when it cannot be resolved)."""
        try:
            return os.path.realpath(self.sub.path.parent)
        except (OSError, ValueError):
            return None

    def code(self, code, row: int) -> None:
        """E007: an evidence code used twice."""
        if code in (None, ""):
            return
        key = str(code).strip().casefold()
        if key in self.codes:
            self.add("CDHT-E007", row, value=code, other_row=self.codes[key])
        else:
            self.codes[key] = row

    def level_two(self, a: Assessment) -> None:
        """D012: an indicator met at level 2, whose level-2 bar is higher, cited only by rows marked level 1."""
        for ind in self.sub.tier.indicators:
            rows = self.levels.get(ind.id)
            if rows and a.indicators[ind.id].level2 and R.differs_by_level(ind) \
                    and all(2 not in levels for _, levels in rows):
                s, c = self.sub.where(ind.fields[0].key) if ind.fields else (None, None)
                self.out.append(finding("CDHT-D012", file=self.sub.path.name, sheet=s, cell=c, indicator=ind.id,
                                        rows=", ".join(str(r) for r, _ in rows), requirement=ind.rules[2].text()))

    def uncited(self, a: Assessment) -> None:
        """E001 (E011 when the register has no empty row): an indicator claimed or met that no
        evidence row cites. It points at the indicator's evidence count ("Số minh chứng") — the
        cell that is wrong — not at the verdict typed; in a workbook issued before that cell had a
        name, at the indicator's first input."""
        sub = self.sub
        free = free_evidence_row(sub)
        for ind in sub.tier.indicators:
            if not met_or_claimed(sub, a, ind) or ind.id in self.cited:
                continue
            s, c = sub.where(L.evidence_count_name(ind.id))
            if c is None and ind.fields:
                s, c = sub.where(ind.fields[0].key)
            if free is None:
                self.out.append(finding("CDHT-E011", file=sub.path.name, sheet=s, cell=c, indicator=ind.id,
                                        rows=L.EVIDENCE_ROWS))
            else:
                self.out.append(finding("CDHT-E001", file=sub.path.name, sheet=s, cell=c, indicator=ind.id,
                                        free_row=free))


def _beside(folder: Path, relative: str, root: str | None = None) -> bool:
    """Whether ``relative`` (a sound relative name, :func:`cdht.paths.name_problem`) is a regular
    file inside ``folder``, every link followed and required to stay inside. ``root``: the real
    path of ``folder`` when the caller has it (one per workbook, not one per evidence row).

    The walk is the cheap exact case of ``realpath``: from the real folder, each part of the name
    is looked at without following it; a part that is a link (or, on Windows, any reparse point:
    a junction) sends the whole name through ``realpath`` instead. A real dossier cites a dozen
    files; resolving each from the root of the disk cost a tenth of a millisecond apiece."""
    try:
        root = root or os.path.realpath(folder)
        path = root
        for part in relative.replace("\\", "/").split("/"):
            if part in ("", "."):
                continue
            if part == "..":  # (name_problem refuses it before; never walked by hand)
                return _beside_resolved(root, relative)
            path = os.path.join(path, part)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode) or getattr(st, "st_reparse_tag", 0):
                return _beside_resolved(root, relative)
        return path != root and stat.S_ISREG(st.st_mode)
    except (OSError, ValueError):  # not there; a name this system cannot hold
        return False


def _beside_resolved(root: str, relative: str) -> bool:
    """:func:`_beside` through ``realpath``: the link followed to where it leads, which must be a
    regular file inside ``root``."""
    real = Path(os.path.realpath(Path(root) / relative.replace("\\", "/")))
    return Path(root) in real.parents and real.is_file()


def check_evidence(sub: Submission, a: Assessment, year: int | None = None) -> list[Finding]:
    """Evidence (minh chứng) findings for one read workbook and its assessment: cells typed beside
    the list (E010), each row's checks (E002–E009), then indicators without evidence (E001).
    ``year``: the assessment year asked for; a workbook of another year gets ONE finding saying so
    (W031: carry it into that year's template with ``cdht migrate``, :mod:`cdht.ops.migrate`) instead of a
    date finding per evidence row."""
    other_year = year is not None and sub.year is not None and sub.year != year
    check = _EvidenceCheck(sub, dates=not other_year)
    if other_year:
        sheet, cell = sub.where(L.N_YEAR)
        check.out.append(finding("CDHT-W031", file=sub.path.name, sheet=sheet, cell=cell, found=sub.year, year=year))
    check.outside()
    for rec in sub.evidence:
        check.record(rec)
    check.uncited(a)
    check.level_two(a)
    return check.out
