"""What a merge works with: one judged source, the whole result, the parent's identity, the
duplicate policy."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cdht import contract as L
from cdht.messages import Finding

from cdht.ops.register import Decision

if TYPE_CHECKING:
    from cdht.ops.contributions import ContribResult

TAMPER_CODES = {"CDHT-W018", "CDHT-W019", "CDHT-W020", "CDHT-W021", "CDHT-W026", "CDHT-W060", "CDHT-W061"}
UNREADABLE_CODES = {"CDHT-W001", "CDHT-W002", "CDHT-W003", "CDHT-W004", "CDHT-W006", "CDHT-W007", "CDHT-W024", "CDHT-W063"}


class DuplicatePolicy(str, enum.Enum):
    """What to do when one unit has several acceptable files (the CLI's ``--on-duplicate``).

    NEWEST: take the newest file (by modification time), return the others (M005).
    KEEP: keep what an earlier merge accepted (its SHA-256); other files are returned (M007);
    with nothing merged before, the oldest file is taken.
    ERROR: return every file of that unit (M006) until only one is sent."""

    NEWEST = "newest"
    KEEP = "keep"
    ERROR = "error"


@dataclass
class SourceResult:
    """One source workbook as judged (:func:`~cdht.ops.merge.judge.assess_source`) and placed
    (:func:`~cdht.ops.merge.place.place`): its identity, level, status and findings."""

    file: Path
    unit_code: str | None = None
    unit_name: str | None = None
    level: int | None = None
    appraised_level: int | None = None
    received: dt.date | None = None  # from the receipt ledger (never the file's modification time)
    received_source: str | None = None  # "ledger" (first seen, or typed by staff) or "now" (seen first now)
    on_time: bool | None = None
    status: str = L.Status.RECEIVED.value  # the status vocabulary (issue 12): one word, one meaning
    reason: str = ""
    code: str | None = None
    message: str = ""
    findings: list[Finding] = field(default_factory=list)
    evidence_errors: int = 0
    indicators: dict = field(default_factory=dict)
    sha256: str = ""
    template_version: str = ""
    mtime: float = 0.0
    form: bool = False  # a department's data form (routed to cdht.ops.contributions, not a child unit)
    tier: str | None = None        # what the source says it is (None: unreadable)
    year: int | None = None
    edition_id: str | None = None
    tamper: str | None = None      # the first tamper finding's message
    tamper_code: str | None = None  # … and its code (M008 tells its cause)
    read_findings: int = 0         # findings of the reading itself (kept when refused)


@dataclass
class MergeResult:
    """Everything one merge decided (and whether it was written), JSON-ready via :meth:`as_dict`."""

    parent: Path
    parent_tier: str | None = None
    child_tier: str | None = None
    year: int | None = None
    merged: list[SourceResult] = field(default_factory=list)
    refused: list[SourceResult] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    missing_units: list[str] = field(default_factory=list)
    carried: dict[str, bool] = field(default_factory=dict)  # merged earlier, kept: unit → on time
    deadline: dt.date | None = None
    parent_level: int | None = None
    derived: dict[str, int] = field(default_factory=dict)
    register: list[Decision] = field(default_factory=list)
    register_kept: list[list] = field(default_factory=list)  # register rows that are not decisions, as typed
    findings: list[Finding] = field(default_factory=list)  # about the parent / register
    written: bool = False
    contributions: "ContribResult | None" = None  # departments' forms (tỉnh only)
    duplicates: list[SourceResult] = field(default_factory=list)  # identical copies ("Bản trùng")
    derived_from: dict = field(default_factory=dict)  # the 90 % rule's denominator and its source
    standings: list = field(default_factory=list)     # cdht.ops.register.Standing per expected unit
    receipts: dict = field(default_factory=dict)      # the receipt ledger: sha256 → {date, file, unit, new}
    logged: set = field(default_factory=set)          # refusals the parent's log already shows (receipts.logged_refusals)
    communes: list[dict] = field(default_factory=list)  # "Xã trong tỉnh": the districts' commune rows
    profile: str | None = None
    timeliness: dict = field(default_factory=dict)  # per deadline of the procedure: dossier, decision, report
    trends: dict = field(default_factory=dict)      # "Tổng quan": earlier year → trends.YearFigures (issue 16)
    district_rows: int = 0                          # "Tổng quan": rows of the per-district block (0: none)
    district_before: dict = field(default_factory=dict)  # that block as the parent holds it: district → counts
    labels: dict[str, str] = field(default_factory=dict)  # for people: tier code / derived field → its name

    @property
    def returned_units(self) -> list[str]:
        """Expected units whose file was returned (refused, or read and returned for errors) and
        none accepted ("Trả lại", never "Chưa nộp")."""
        back = L.Status.RETURNED.value
        accepted = {r.unit_code for r in self.merged if r.status != back}
        returned = {r.unit_code for r in self.refused} | {r.unit_code for r in self.merged if r.status == back}
        return sorted((returned & set(self.expected)) - accepted - set(self.carried))

    def as_dict(self) -> dict:
        """The result as plain data (the CLI's ``--json``)."""
        def src(s: SourceResult) -> dict:
            return {"file": str(s.file), "unit_code": s.unit_code, "level": s.level,
                    "appraised_level": s.appraised_level, "status": s.status,
                    "received": s.received.isoformat() if s.received else None,
                    "received_source": s.received_source, "on_time": s.on_time,
                    "evidence_errors": s.evidence_errors, "reason": s.reason, "sha256": s.sha256}
        on_time = [s for s in self.merged if s.on_time] + [u for u, ok in self.carried.items() if ok]
        received = len(self.merged) + len(self.carried)
        return {
            "parent": str(self.parent), "tier": self.parent_tier, "child_tier": self.child_tier,
            "year": self.year,
            "merged": [src(s) for s in self.merged],
            "refused": [{"file": str(s.file), "unit_code": s.unit_code, "status": s.status, "code": s.code,
                         "message": s.message} for s in self.refused],
            "duplicates": [{"file": str(s.file), "unit_code": s.unit_code, "status": s.status, "code": s.code,
                            "message": s.message, "sha256": s.sha256} for s in self.duplicates],
            "skipped": [f.as_dict() for f in self.notes],
            "missing_units": self.missing_units, "carried": sorted(self.carried),
            "completeness": {"expected": len(self.expected), "received": received,
                             "on_time": len(on_time), "late": received - len(on_time),
                             "missing": len(self.missing_units), "returned": len(self.returned_units),
                             "deadline": self.deadline.isoformat() if self.deadline else None},
            "derived": self.derived, "derived_from": self.derived_from, "parent_level": self.parent_level,
            "profile": self.profile,
            "units": [st.as_dict() for st in self.standings],
            "receipts": [{"sha256": k, **{f: (v.isoformat() if isinstance(v, dt.date) else v)
                                          for f, v in rec.items()}} for k, rec in sorted(self.receipts.items())],
            "communes": self.communes, "timeliness": self.timeliness,
            "register": [d.as_dict() for d in self.register],
            "register_kept": [[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in self.register_kept],
            "findings": [f.as_dict() for f in self.findings], "written": self.written,
            "contributions": self.contributions.as_dict() if self.contributions else None,
        }


@dataclass(frozen=True)
class ParentInfo:
    """What :func:`~cdht.ops.merge.place.place` needs of the parent to accept or refuse a source."""

    edition_id: str
    tier: str
    child_tier: str
    year: int
    label: str
    expected: frozenset
