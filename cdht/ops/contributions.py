"""Accept the departments' data forms (``cdht_generator.contributor``) into the province workbook.

Each form is read on its own terms (not as a whole province workbook): its identity from ``_meta``,
its layout fingerprint with the form's tier wrapper (signer cells outside it), and only the fields
of its department's indicators, re-validated like any input. Values go into the province's cells by
name — an empty cell is filled, an equal one left alone, a different one is a conflict (CDHT-K002)
resolved by ``prefer``; evidence rows are appended to the province register once. Nothing outside
the province's input cells and evidence register is written, so its fingerprint is unchanged.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from cdht import contract as L
from cdht_generator.contributor import FORM_DEADLINE, META_CONTRIBUTOR, SIGNER_NAMES, TIER, known_codes
from cdht.dates import month_day
from cdht.edition import Edition, find_edition
from cdht_generator.workbook import writable_cell
from cdht.messages import ERROR, TAMPER_REASONS, UNREADABLE_CONTENT, Finding, finding, nfc

from cdht.xlsx.fastread import PackageError, read_raw
from cdht.read.tamper import check_layout
from cdht.xlsx.names import named_bounds, put
from cdht.read.submission import Submission, cell_value, read_evidence, resolve_names, preflight, read_meta, validate_value

STATUS_RECEIVED = "đã nộp"
STATUS_MISSING = "chưa nộp"
STATUS_RETURNED = "trả lại"
CHOSEN = {"workbook": "giá trị trong sổ tổng hợp", "file": "giá trị trong phiếu"}
EVIDENCE_KEYS = ("code", "indicators", "title", "number", "date", "issuer", "attachment", "note")


def form_deadline(year: int) -> dt.date:
    """The date a department's form is due: :data:`cdht_generator.contributor.FORM_DEADLINE` of year N+1."""
    return month_day(FORM_DEADLINE, year + 1)


def is_contribution(sub) -> bool:
    """True for a department's form (a Submission of ``cdht.read.submission`` or a :class:`Form`)."""
    return bool((getattr(sub, "meta", None) or {}).get(META_CONTRIBUTOR))


def is_contribution_path(path: str | Path) -> bool:
    """Cheap check on a file (document properties only), to route it before a full read."""
    import re
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            if "docProps/custom.xml" not in z.namelist():
                return False
            xml = z.read("docProps/custom.xml")
    except Exception:
        return False
    return re.search(rb'name="cdht_' + META_CONTRIBUTOR.encode() + rb'"', xml) is not None


@dataclass
class Form:
    """One department's form, read and judged."""

    path: Path
    code: str = ""
    name: str = ""
    sub: Submission | None = None
    values: dict[str, Any] = field(default_factory=dict)      # the department's field keys → value (None: empty/invalid)
    evidence: list[dict] = field(default_factory=list)
    signer: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    sha256: str = ""
    mtime: float = 0.0
    received: dt.date | None = None
    late: bool | None = None
    refused: Finding | None = None
    conflicts: list[Finding] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    evidence_added: int = 0
    evidence_rows: list[tuple[int, list]] = field(default_factory=list)  # (row, values) added to the province's list

    @property
    def meta(self) -> dict:
        """The form's document properties (``_meta``), empty before it is read."""
        return self.sub.meta if self.sub else {}

    @property
    def status(self) -> str:
        """"trả lại" when refused, else "đã nộp"."""
        return STATUS_RETURNED if self.refused is not None else STATUS_RECEIVED

    def refuse(self, code: str, **facts) -> None:
        """Return the form with the coded reason ``code`` (the first reason is kept as ``refused``)."""
        f = finding(code, file=self.path.name, **facts)
        self.findings.append(f)
        if self.refused is None:
            self.refused = f


def read_form(path: str | Path, edition: Edition | None = None) -> Form:
    """Read one form: identity, tamper check (M008), the department's values and evidence.

    A form that cannot be used comes back with ``refused`` set (and nothing read past that)."""
    form = Form(Path(path))
    rb = _open_form(form)
    con = _identify(form, rb, edition) if rb is not None else None
    rb = _intact(form, rb) if con is not None else None
    if rb is not None:
        _read_values(form, rb, con)
    return form


def _open_form(form: Form):
    """The form's raw read (and SHA-256, modification time); None when it cannot be read."""
    try:
        form.mtime = form.path.stat().st_mtime
    except OSError:
        pass
    pre = preflight(form.path)
    if pre is not None:
        form.findings.append(pre)
        form.refused = pre
        return None
    try:
        data = form.path.read_bytes()
        form.sha256 = hashlib.sha256(data).hexdigest()
        return read_raw(data, skip=L.TOOL_SHEETS)
    except Exception:
        form.refuse("CDHT-W002", reason=UNREADABLE_CONTENT)
        return None


def _identify(form: Form, rb, edition: Edition | None):
    """Who sent the form (``_meta``): its department in the catalogue of its edition, with the
    Submission set up to read it; None (refused) when it is not a form of a known department."""
    sub = form.sub = Submission(form.path, sha256=form.sha256)
    sub.meta = meta = read_meta(rb)
    form.code = meta.get(META_CONTRIBUTOR, "")
    if not meta.get("template_id", "").startswith("cdht:") or not form.code:
        return form.refuse("CDHT-W006")
    ed_id = meta.get("edition_id", "")
    if edition is None or edition.id != ed_id:
        edition = find_edition(ed_id)
        if edition is None:
            return form.refuse("CDHT-W007", edition=ed_id)
    con = edition.contributor(form.code)
    if con is None or meta.get("tier") != TIER or TIER not in edition.tiers:
        return form.refuse("CDHT-K001", contributor=form.code, known=known_codes(edition))
    form.name = con.name
    sub.edition, sub.tier = edition, edition.tier(TIER)
    try:
        sub.year = int(float(meta.get("year", "")))
    except ValueError:
        return form.refuse("CDHT-W006")
    sub.readable = True
    resolve_names(sub, rb)
    return con


def _intact(form: Form, rb):
    """The one tamper check of every issued form (:func:`cdht.read.tamper.check_layout`: protection
    on, sheets present, layout fingerprint with the form's wrapper, confirmed by a real XML parse);
    the read to take values from, or None (refused, M008 with its cause)."""
    try:
        found = check_layout(rb, form.sub.meta, form.sub.tier)
    except PackageError:  # not well-formed XML: as unreadable as a broken zip
        form.refuse("CDHT-W002", reason=UNREADABLE_CONTENT)
        return None
    if found.tampered:
        cause = ("CDHT-W026" if found.unknown_scheme else "CDHT-W018" if found.sheet_problems
                 else "CDHT-W060" if found.name_clashes else "CDHT-W021")
        reason = TAMPER_REASONS[cause]
        if found.sheet_problems:
            reason += ": " + ", ".join(s for _, s in found.sheet_problems)
        form.refuse("CDHT-M008", reason=reason, cause=cause)
        return None
    if found.book is not rb:
        resolve_names(form.sub, found.book)
    return found.book


def _read_values(form: Form, rb, con) -> None:
    """The department's fields (re-validated like any input), the signer and the evidence rows."""
    sub = form.sub
    for ind_id in con.indicators:
        for spec in sub.tier.indicator(ind_id).fields:
            raw, present = cell_value(rb, sub, spec.key)
            if not present:
                sub.add("CDHT-W009", name=spec.key)
                form.values[spec.key] = None
                continue
            form.values[spec.key] = validate_value(sub, spec.key, spec, raw)
    for key in SIGNER_NAMES:
        v, _ = cell_value(rb, sub, key)
        form.signer[key] = nfc(v) if isinstance(v, str) else v
    read_evidence(sub, rb)
    form.evidence = [e for e in sub.evidence]
    form.findings += sub.findings


def _as_form(item, edition: Edition | None) -> Form:
    if isinstance(item, Form):
        return item
    if isinstance(item, Submission):
        return read_form(item.path, edition)
    return read_form(Path(item), edition)


@dataclass
class ContribResult:
    """What accepting the forms did: per department, the values written and every finding."""

    parent: Path | None = None
    year: int | None = None
    prefer: str = "workbook"
    deadline: dt.date | None = None
    forms: list[Form] = field(default_factory=list)          # every form given, judged
    departments: list[dict] = field(default_factory=list)   # one per catalogue contributor
    findings: list[Finding] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)    # field key → value now in the workbook
    changed: bool = False

    def as_dict(self) -> dict:
        """The result as plain data (JSON)."""
        return {"parent": str(self.parent) if self.parent else None, "year": self.year,
                "prefer": self.prefer, "deadline": self.deadline.isoformat() if self.deadline else None,
                "contributors": self.departments, "values": self.values,
                "findings": [f.as_dict() for f in self.findings], "changed": self.changed}

    def provenance(self) -> list[str]:
        """One line per department (for a log or a report)."""
        out = []
        for d in self.departments:
            if d["status"] == STATUS_MISSING:
                out.append(f"{d['name']} ({d['code']}): chưa nộp")
                continue
            late = "" if d["late"] is None else (" — nộp muộn" if d["late"] else " — đúng hạn")
            out.append(f"{d['name']} ({d['code']}): {d['status']}, tệp {d['file']}, SHA-256 {d['sha256']}, "
                       f"nhận {d['received'] or '—'}{late}")
        return out


def _norm(v):
    if isinstance(v, str):
        v = nfc(v).strip()
        return v or None
    return v


def _same(a, b) -> bool:
    a, b = _norm(a), _norm(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    return a == b


def _shown(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"'{v}'" if isinstance(v, str) else str(v)


def _key(code, indicators) -> tuple[str, str]:
    def t(v):
        return "" if v is None else nfc(str(v)).strip().casefold()
    return t(code), " ".join(t(indicators).replace(",", " ").replace(";", " ").split())


def apply_contributions(wb, parent_sub: Submission, forms: Iterable, prefer: str = "workbook",
                        edition: Edition | None = None, *, receipts: dict | None = None,
                        now: dt.datetime | None = None) -> ContribResult:
    """Copy accepted forms into ``wb`` (the province workbook opened by ``load_for_write``).

    ``forms``: paths, Submissions or :class:`Form` objects. ``prefer`` decides conflicts: "workbook"
    keeps the clerk's value, "file" takes the department's; every conflict is a K002 finding saying
    which was chosen. ``receipts``: the parent's receipt ledger (:mod:`cdht.ops.merge.receipts`),
    which dates each form by the day its content was first seen (new contents are added to it);
    ``now``: this run's time (the receipt day of a form seen for the first time). A file's
    modification time is never a receipt date. Returns a :class:`ContribResult`; ``wb`` is changed
    in memory only."""
    if prefer not in CHOSEN:
        raise ValueError(f"prefer must be one of {sorted(CHOSEN)}")
    res = ContribResult(parent=parent_sub.path, year=parent_sub.year, prefer=prefer)
    edition = edition or parent_sub.edition
    if not parent_sub.readable or parent_sub.tier is None or parent_sub.tier.code != TIER:
        res.findings.append(finding("CDHT-M018", file=parent_sub.path.name))
        return res
    res.deadline = form_deadline(parent_sub.year)
    res.forms = [_as_form(f, edition) for f in forms]
    _screen(res.forms, parent_sub, edition)
    accepted = _newest_per_department(res.forms)
    current: dict[str, Any] = {}
    for form in accepted.values():
        _mark_received(form, res.deadline, receipts, now or dt.datetime.now())
        current.update(_fill(wb, form, parent_sub, prefer, res))
        form.evidence_added = _append_evidence(wb, form)
        res.changed = res.changed or form.evidence_added > 0
    for con in edition.spec.contributors:
        _report_department(res, con, accepted.get(con.code), parent_sub)
    for form in res.forms:  # the forms' own findings (refusals, invalid values, conflicts) after K003
        res.findings += [f for f in form.findings]
    res.values = {key: current[key] for key in parent_sub.tier.fields if key in current}
    return res


def _screen(forms: list[Form], parent_sub: Submission, edition: Edition) -> None:
    """Refuse the readable forms of another edition (M003) or year (M002), or with an error."""
    for form in forms:
        if form.refused is not None:
            continue
        if form.sub.edition.id != edition.id:
            form.refuse("CDHT-M003", found=form.sub.edition.id, expected=edition.id)
        elif form.sub.year != parent_sub.year:
            form.refuse("CDHT-M002", found=form.sub.year, expected=parent_sub.year)
        elif any(f.severity == ERROR for f in form.findings):
            form.refused = next(f for f in form.findings if f.severity == ERROR)


def _newest_per_department(forms: list[Form]) -> dict[str, Form]:
    """One form per department: the newest; older ones are returned (M005)."""
    by_code: dict[str, list[Form]] = {}
    for form in forms:
        if form.refused is None:
            by_code.setdefault(form.code, []).append(form)
    accepted: dict[str, Form] = {}
    for code, cands in by_code.items():
        cands.sort(key=lambda f: (f.mtime, f.path.name), reverse=True)
        accepted[code] = cands[0]
        for f in cands[1:]:
            f.refuse("CDHT-M005", unit=code, kept=cands[0].path.name)
    return accepted


def _mark_received(form: Form, deadline: dt.date, receipts: dict | None, now: dt.datetime) -> None:
    """Date the form by the receipt ledger (the day its content was first seen, or the day staff
    typed there), else this run's day, and flag it when late (M012)."""
    from cdht.ops.merge.receipts import receive

    if receipts is not None and form.sha256:
        form.received = receive(form.sha256, receipts, now, form.path.name, form.code)
    else:
        form.received = now.date()
    form.late = form.received > deadline
    if form.late:
        form.findings.append(finding("CDHT-M012", file=form.path.name, unit=form.name,
                                     received=form.received.strftime("%d/%m/%Y"),
                                     deadline=deadline.strftime("%d/%m/%Y")))


def _fill(wb, form: Form, parent_sub: Submission, prefer: str, res: ContribResult) -> dict[str, Any]:
    """The form's values into the province's cells by name: an empty cell is filled, an equal one
    left alone, a different one is a conflict (K002) resolved by ``prefer``. Returns each field's
    value now in the workbook."""
    tier, current = parent_sub.tier, {}
    for key, file_value in form.values.items():
        if file_value is None or key not in tier.fields:
            continue
        sheet, ref = parent_sub.cells.get(key, (None, None))
        if sheet is None or sheet not in wb.sheetnames:
            form.findings.append(finding("CDHT-W009", file=parent_sub.path.name, name=key))
            continue
        cell = wb[sheet][ref]
        wb_value = _norm(cell.value)
        conflict = wb_value is not None and not _same(wb_value, file_value)
        if conflict:
            c = finding("CDHT-K002", file=form.path.name, sheet=sheet, cell=ref,
                        indicator=_indicator_of(tier, key), field=f"{key} ({tier.fields[key].label})",
                        workbook_value=_shown(wb_value), file_value=_shown(file_value),
                        contributor=form.name, chosen=CHOSEN[prefer])
            form.conflicts.append(c)
            form.findings.append(c)
        if wb_value is None or (conflict and prefer == "file"):
            put(cell, file_value)
            form.filled.append(key)
            res.changed = True
        current[key] = _norm(cell.value)
    return current


def _report_department(res: ContribResult, con, form: Form | None, parent_sub: Submission) -> None:
    """One line of ``res.departments`` for catalogue contributor ``con`` (K003 when nothing came)."""
    mine = [f for f in res.forms if f.code == con.code]
    if form is None and not mine:
        res.findings.append(finding("CDHT-K003", contributor=con.name, file=parent_sub.path.name))
    shown = form or (max(mine, key=lambda f: f.mtime) if mine else None)
    received = shown.received if shown else None
    res.departments.append({
        "code": con.code, "name": con.name, "indicators": list(con.indicators),
        "status": (STATUS_RECEIVED if form else STATUS_RETURNED if mine else STATUS_MISSING),
        "file": shown.path.name if shown else None,
        "sha256": shown.sha256[:12] if shown else None,
        "received": received.isoformat() if received else None,
        "late": form.late if form else None,
        "signer": {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v)
                   for k, v in (form.signer.items() if form else [])},
        "filled": list(form.filled) if form else [],
        "evidence_added": form.evidence_added if form else 0,
        "conflicts": [c.as_dict() for c in form.conflicts] if form else [],
        "reason": shown.refused.message if shown and shown.refused else "",
    })


def _indicator_of(tier, key: str) -> str | None:
    return next((i.id for i in tier.indicators if any(f.key == key for f in i.fields)), None)


def _append_evidence(wb, form: Form) -> int:
    """Append the form's evidence rows after the province register's last used row, once."""
    ws, r1, c1, r2, c2 = named_bounds(wb, L.N_EVIDENCE)
    present, last = set(), r1 - 1
    for r in range(r1, r2 + 1):
        vals = [ws.cell(r, c).value for c in range(c1, c2 + 1)]
        if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in vals):
            last = r
            present.add(_key(vals[0], vals[1]))
    added = 0
    for rec in form.evidence:
        k = _key(rec.get("code"), rec.get("indicators"))
        if k in present:
            continue
        if last >= r2:
            form.findings.append(finding("CDHT-E003", file=form.path.name, sheet=ws.title, row=rec.get("row"),
                                         column="chỗ trống trong danh mục minh chứng của sổ tổng hợp"))
            break
        last += 1
        note = rec.get("note")
        source = f"Do {form.name} cung cấp"
        vals = [rec.get(k2) for k2 in EVIDENCE_KEYS[:-1]] + [f"{source}; {note}" if note else source]
        for j, v in enumerate(vals):
            if v is not None:
                put(writable_cell(ws, last, c1 + j), v)
        form.evidence_rows.append((last, vals))
        present.add(k)
        added += 1
    return added


def contribute(parent_path: str | Path, sources: Iterable[str | Path], prefer: str = "workbook",
               dry_run: bool = False) -> ContribResult:
    """Read the province workbook, apply the forms and save it once (backup, atomic) — the library
    call behind a ``cdht contribute`` command or the add-in's button."""
    from cdht.read.submission import read_workbook
    from cdht.xlsx.save import load_for_write, save_safely

    parent_path = Path(parent_path)
    parent = read_workbook(parent_path)
    wb = load_for_write(parent_path)
    res = apply_contributions(wb, parent, list(sources), prefer=prefer)
    if res.changed and not dry_run:
        problem = save_safely(wb, parent_path)
        if problem is not None:
            res.findings.append(problem)
    return res


def log_rows(result: ContribResult, stamp: str) -> list[list]:
    """Rows for the province's "Nhật ký tổng hợp" (``cdht.contract.LOG_COLUMNS``), one per form."""
    rows = []
    for form in result.forms:
        if form.refused is not None:
            rows.append([stamp, "Từ chối phiếu", form.path.name, form.name or form.code, STATUS_RETURNED,
                         form.refused.code, form.refused.message])
        else:
            note = f"điền {len(form.filled)} ô, thêm {form.evidence_added} minh chứng, " \
                   f"{len(form.conflicts)} xung đột (chọn {CHOSEN[result.prefer]})" + \
                   ("; nộp muộn" if form.late else "")
            rows.append([stamp, "Nhận phiếu", form.path.name, form.name, STATUS_RECEIVED, "", note])
    return rows
