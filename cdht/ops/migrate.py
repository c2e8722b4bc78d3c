"""Carry a filled workbook into a fresh template of year N for the same unit — ``cdht migrate``
and the ribbon's "Chuyển sang mẫu năm sau" (issue 17). The source is only read, never written.

Who the unit is comes from the issuer, never from text the unit typed: the source must be a
workbook the Sở issued for a registry unit (its code, name, parent and disadvantaged status are
locked, fingerprinted and kept in ``_meta``, and signed when the Sở signs; a tampered source, or
one whose signature does not verify against the profile's key, is refused, CDHT-W040). The source's
facts are those of its own year, so they are not compared with the registry of year N: with
``profile`` the new workbook carries that unit's facts from the registry of year N (a unit merged away is refused and its successor named, CDHT-W042; a fact
that changed is said, CDHT-W049); without one, the source's issued facts are used and the result
says they were not confirmed against year N (CDHT-W044) — a parent then gets no locked list of
lower units, since that list is the registry's of each year.

What is carried (the Circular counts data from 01/01 to 31/12 of the assessment year; everything
a unit answers is about that year):

* **Same year, another template version** (``year`` equal to the source's): every input, the
  appraisal and the evidence register; a value the new template no longer accepts is not carried
  (CDHT-W046, with the validation finding that says why), a field the new template lacks neither
  (CDHT-W047).
* **Another year**: the preparer's name and the evidence register (documents such as a decision
  establishing the learning centre or a coordination rule may still prove year N; each row dated
  before year N is carried and flagged to be confirmed, CDHT-W048). Moving exactly one year on,
  each "năm trước liền kề" figure of a change indicator (huyện 4.2/4.3, tỉnh 4.2/4.3) receives the
  source's "năm đánh giá" figure — last year's "this year" is this year's "last year". Every other
  answer and figure (verdicts, phổ cập levels, counts, the date prepared, the council's appraisal)
  is of the source's year and is left empty, each named (CDHT-W045) so the officer knows what to
  enter. Registry facts (name, disadvantaged status) are never carried: the template has them.
* **A parent's recognition register** ("Sổ công nhận"), in both cases: a decision is in force for
  years after the year recognised, so every decision is carried with its validity recomputed for
  year N (what ``merge --register-from`` does). This round's lower-unit list, return list and log
  are the old round's and are not carried.

The report goes to the caller and onto the new workbook's "Kết quả kiểm tra" sheet; the new file
is never written over an existing one (CDHT-W043).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cdht import contract as L
from cdht import rules as R
from cdht.messages import ERROR, Finding, finding, nfc, os_reason

__all__ = ["EMPTIED", "NOT_CARRIED", "TO_REVIEW", "Migration", "migrate", "default_target"]

_ISSUED = {L.N_UNIT_CODE, L.N_UNIT_NAME, L.N_YEAR, L.N_DISADVANTAGED}  # from the template, never carried
_LABELS = {L.N_PREPARER: "Người lập biểu", L.N_PREPARED_ON: "Ngày lập",
           L.N_APPRAISAL_TARGET: "Mức độ xét (thẩm định)"}
NOT_CONFIRMED = "thông tin đơn vị lấy từ biểu mẫu năm {found} do Sở phát hành, chưa đối chiếu danh sách đơn vị năm {year}"
UNSIGNED = "sổ mới chưa có chữ ký số của Sở (hồ sơ cấu hình có khóa công khai, chưa có khóa bí mật để ký)"
BLANK = "biểu mẫu trống (mã đơn vị do người điền tự ghi)"
FORM = "phiếu số liệu của sở/ngành"
# The codes of a migration's report, for filtering (``Migration.of``): cells left empty, values not
# carried, things to look at again.
EMPTIED = ("CDHT-W045",)
NOT_CARRIED = ("CDHT-W046", "CDHT-W047")
TO_REVIEW = ("CDHT-W048", "CDHT-W049", "CDHT-W044")


@dataclass
class Migration:
    """What :func:`migrate` did (JSON-ready via :meth:`as_dict`)."""

    source: Path
    year: int | None = None
    target: Path | None = None
    from_year: int | None = None
    tier: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    carried: list[dict] = field(default_factory=list)    # name, label, value, sheet, cell (, from)
    evidence_rows: int = 0                               # evidence rows carried
    decisions: int = 0                                   # a parent's recognition decisions carried
    decisions_in_force: int = 0                          # of which in force for the new year
    findings: list[Finding] = field(default_factory=list)
    written: bool = False
    level: int | None = None                             # the new workbook, checked after writing
    new_errors: int | None = None

    @property
    def refused(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR and not self.written]

    def of(self, *codes: str) -> list[Finding]:
        return [f for f in self.findings if f.code in codes]

    def as_dict(self) -> dict:
        return {"source": str(self.source), "target": str(self.target) if self.target else None,
                "written": self.written, "from_year": self.from_year, "year": self.year, "tier": self.tier,
                "unit_code": self.unit_code, "unit_name": self.unit_name, "carried": self.carried,
                "evidence_rows": self.evidence_rows,
                "register": {"decisions": self.decisions, "in_force": self.decisions_in_force},
                "emptied": [f.as_dict() for f in self.of(*EMPTIED)],
                "not_carried": [f.as_dict() for f in self.of(*NOT_CARRIED)],
                "findings": [f.as_dict() for f in self.findings],
                "new_workbook": {"level": self.level, "errors": self.new_errors} if self.written else None}


class _Refuse(Exception):
    def __init__(self, findings: list[Finding]):
        super().__init__(", ".join(f.code for f in findings))
        self.findings = findings


def default_target(source: Path, edition, tier: str, year: int, unit_code: str) -> Path:
    """Beside the source, named as the Sở names issued workbooks (``CDHT_<năm>_<cấp>_<mã>.xlsx``)."""
    from cdht.units import Unit
    from cdht_generator.workbook import file_name

    return Path(source).with_name(file_name(edition, tier, year, Unit(unit_code, "", tier, None, False)))


def migrate(source: str | Path, year: int | None = None, *, profile=None, out: str | Path | None = None,
            source_edition=None, edition=None, signing_key=None, password: str | None = None) -> Migration:
    """Carry ``source`` into a fresh template of ``year`` (default: the source's year + 1) for the
    same unit, written to ``out`` (default :func:`default_target`). Never raises on bad input and
    never writes the source; a refusal is coded findings with ``written`` False.

    ``profile``: the province profile (or ``--units`` CSV) whose registry of ``year`` gives the
    unit's facts; ``source_edition``: the catalogue the source was issued from when it is not the
    installed one (an older version); ``edition``: the new template's (default: the installed
    edition of the source's id); ``signing_key``: the Sở's private key file, to sign the new
    workbook (default: the profile's ``signing_key``)."""
    result = Migration(Path(source), year)
    try:
        _run(result, profile, out, source_edition, edition, signing_key, password)
    except _Refuse as r:  # what was noted about a new workbook that is not written goes too
        result.findings = r.findings
    return result


# ------------------------------------------------------------------------------------------------
# the steps
# ------------------------------------------------------------------------------------------------

def _run(result: Migration, profile, out, source_edition, edition, signing_key, password) -> None:
    from cdht.read.submission import read_workbook_raw

    sub, rb = read_workbook_raw(result.source, source_edition, tool_sheets=True)  # a parent's register too
    if sub.readable and profile is not None and profile.spec.public_key:
        from cdht.read.identity import _check_signature  # the Sở's key is the same from year to year
        _check_signature(sub, profile)
    _source_usable(sub)
    result.from_year, result.tier, result.unit_code = sub.year, sub.tier.code, sub.meta["unit_code"]
    if result.year is None:
        result.year = sub.year + 1
    edition = _target_edition(sub, edition, result.year, profile)
    target = Path(out) if out is not None else default_target(result.source, edition, sub.tier.code,
                                                               result.year, result.unit_code)
    _target_free(result.source, target)
    unit, units = _unit_of_year(result, sub, profile)
    result.unit_name = unit.name
    key = _signing_key(result, profile, signing_key)
    wb = _fresh(edition, sub.tier.code, result.year, unit, units, password, profile, key)
    result.target = target
    new_tier = edition.tier(sub.tier.code)
    _carry_inputs(result, sub, rb, wb, new_tier)
    _carry_evidence(result, sub, wb, new_tier)
    _carry_register(result, sub, rb, wb, new_tier, profile)
    _write_report(result, wb)
    _save(result, wb, target)
    _check_new(result, edition)


def _source_usable(sub) -> None:
    """Refuse what is not a unit's issued, intact workbook (the reader's own findings say why)."""
    errors = [f for f in sub.findings if f.severity == ERROR]
    if not sub.readable:
        raise _Refuse(errors or [finding("CDHT-W006", file=sub.path.name)])
    if sub.meta.get("contributor"):
        raise _Refuse([finding("CDHT-W041", file=sub.path.name, kind=FORM, year=sub.year)])
    if sub.tampered:
        causes = sorted({f.code for f in errors}) or ["CDHT-W021"]
        raise _Refuse(errors + [finding("CDHT-W040", file=sub.path.name, causes=", ".join(causes))])
    if not sub.meta.get("unit_code"):
        raise _Refuse([finding("CDHT-W041", file=sub.path.name, kind=BLANK, year=sub.year)])


def _target_edition(sub, edition, year: int, profile):
    """The new template's edition: given, else the installed one of the source's id (its current
    version), else the source's; it must apply to ``year`` and have the tier in that year."""
    from cdht.edition import find_edition
    from cdht_generator.api import profile_problems

    edition = edition or find_edition(sub.edition.id) or sub.edition
    tier = sub.tier.code
    problems = []
    if tier not in edition.tiers:
        problems.append(finding("CDHT-T005", edition=edition.id, tier=tier, tiers=", ".join(edition.tiers)))
    if not edition.applies_to(year):
        y = edition.spec.years
        problems.append(finding("CDHT-T004", year=year, edition=edition.id, years=f"{y.first}–{y.last or 'nay'}"))
    problems += profile_problems(edition, tier, year, profile) if not problems else []
    if problems:
        raise _Refuse(problems)
    return edition


def _unit_of_year(result: Migration, sub, profile):
    """(unit, unit list) the new workbook is issued for: the registry's of ``year`` with a profile,
    else the source's issued facts (CDHT-W044)."""
    from cdht.units import Unit, UnitList

    code, year = sub.meta["unit_code"], result.year
    if profile is not None and profile.units:
        return _registry_unit(result, sub, profile, code, year)
    parent = sub.meta.get("parent_code") or None
    unit = Unit(code, sub.meta.get("unit_name") or code, sub.tier.code, parent, sub.meta.get("disadvantaged") == R.CO)
    units = [unit]
    if parent:
        parent_tier = sub.edition.spec.hierarchy.parent.get(sub.tier.code) or ""
        units.append(Unit(parent, sub.meta.get("parent_name") or parent, parent_tier, None, False))
    result.findings.append(finding("CDHT-W044", file=result.source.name, year=year,
                                   reason=NOT_CONFIRMED.format(found=sub.year, year=year)))
    return unit, UnitList(units)


def _registry_unit(result: Migration, sub, profile, code: str, year: int):
    from cdht_generator.api import registry_units

    entry = profile.unit(code, year)
    if entry is None:
        after = [u for u in profile.units_in(year) if code in u.predecessors]
        if after:
            raise _Refuse([finding("CDHT-W042", file=result.source.name, unit=code, year=year,
                                   successor=after[0].code, successor_name=after[0].name)])
        raise _Refuse([finding("CDHT-P031", file=result.source.name, unit=code, tier=sub.tier.name.lower(),
                               profile=profile.name, year=year)])
    if entry.tier != sub.tier.code:
        tiers = sub.edition.tiers
        raise _Refuse([finding("CDHT-P030", file=result.source.name, fact="Cấp", unit=code, found=sub.tier.name,
                               expected=tiers[entry.tier].name if entry.tier in tiers else entry.tier,
                               profile=profile.name, year=year)])
    units = registry_units(profile, year)
    unit = units.get(code)
    old = {"Tên đơn vị": sub.meta.get("unit_name") or "", "Mã đơn vị cấp trên": sub.meta.get("parent_code") or "",
           "Xã thuộc vùng khó khăn": sub.meta.get("disadvantaged") or ""}
    new = {"Tên đơn vị": unit.name, "Mã đơn vị cấp trên": unit.parent or "",
           "Xã thuộc vùng khó khăn": (R.CO if unit.hardship else R.KHONG) if old["Xã thuộc vùng khó khăn"] else ""}
    for fact, before in old.items():
        if " ".join(str(before).split()) != " ".join(str(new[fact]).split()):
            result.findings.append(finding("CDHT-W049", file=result.source.name, fact=fact, found=sub.year,
                                           old=before or "(trống)", new=new[fact] or "(trống)", year=year))
    return unit, units


def _target_free(source: Path, target: Path) -> None:
    if target.resolve() == source.resolve() or target.exists():
        raise _Refuse([finding("CDHT-W043", file=source.name, target=str(target))])


def _signing_key(result: Migration, profile, signing_key):
    """The loaded key to sign with (given, or the profile's), None when there is none; a profile
    with a public key and no private key here gives an unsigned workbook and says so (W044)."""
    from cdht_generator.api import GenerateError, signing_key_of

    if signing_key is None and profile is not None:
        from cdht.profile import signing_key_path
        signing_key = signing_key_path(profile)
    if signing_key is None:
        if profile is not None and profile.spec.public_key:
            result.findings.append(finding("CDHT-W044", file=result.source.name, year=result.year, reason=UNSIGNED))
        return None
    try:
        return signing_key_of(signing_key, profile)
    except GenerateError as e:
        raise _Refuse(e.findings) from None


def _fresh(edition, tier: str, year: int, unit, units, password, profile, key):
    """The new template, built and linted exactly as ``cdht generate`` issues it."""
    from cdht_generator.api import GenerateError, refuse_lint_problems
    from cdht_generator.lint import lint
    from cdht_generator.workbook import build_workbook

    wb, _ = build_workbook(edition, tier, year, unit, units, password, profile, key)
    try:
        refuse_lint_problems(lint(wb))
    except GenerateError as e:
        raise _Refuse(e.findings) from None
    return wb


# ------------------------------------------------------------------------------------------------
# inputs
# ------------------------------------------------------------------------------------------------

def _label(tier, name: str) -> str:
    """What people call the cell ``name``: an indicator's field with its indicator ("xa.1.1 — Kết
    quả tự đánh giá"), a unit field by its label."""
    if name in _LABELS:
        return _LABELS[name]
    for ind in tier.indicators:
        if any(f.key == name for f in ind.fields):
            return f"{ind.id} — {tier.fields[name].label}"
    if name in tier.fields:
        return tier.fields[name].label
    for ind in tier.indicators:
        if name == L.appraisal_name(ind.id):
            return f"Kết luận thẩm định chỉ tiêu {ind.id}"
        if name == L.appraisal_reason_name(ind.id):
            return f"Lý do không đạt (thẩm định) chỉ tiêu {ind.id}"
    return name


def _previous_of(tier) -> dict[str, str]:
    """previous-year field → this-year field, for every change rule of the tier."""
    out: dict[str, str] = {}

    def walk(rule):
        if rule.kind == "change":
            out[rule.p.previous] = rule.p.current
        for child in getattr(rule, "children", []):
            walk(child)

    for ind in tier.indicators:
        for rule in ind.rules.values():
            walk(rule)
    return out


def _raw(sub, rb, name: str):
    from cdht.read.submission import cell_value

    v, present = cell_value(rb, sub, name)
    if isinstance(v, str):
        v = nfc(v).strip() or None
    return v if present else None


def _where(wb, name: str) -> tuple[str, str]:
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return sheet, ref.replace("$", "")


def _carry_inputs(result: Migration, sub, rb, wb, new_tier) -> None:
    """Every input name of the new template, from the source as the policy says (module doc)."""
    same_year = result.year == sub.year
    shift = _previous_of(new_tier) if result.year == sub.year + 1 else {}
    old_names = L.input_names(sub.tier)
    new_names = [n for n in L.input_names(new_tier) if n not in _ISSUED and n in wb.defined_names]
    for name in new_names:
        if name in shift and shift[name] in old_names:
            _put_value(result, sub, wb, new_tier, name, _raw(sub, rb, shift[name]), source_name=shift[name])
            continue
        value = _raw(sub, rb, name) if name in old_names else None
        if value is None:
            continue
        if same_year or name == L.N_PREPARER:
            _put_value(result, sub, wb, new_tier, name, value)
        else:
            sheet, cell = _where(wb, name)
            result.findings.append(finding("CDHT-W045", file=result.target.name, sheet=sheet, cell=cell,
                                           label=_label(new_tier, name), value=_shown(value), found=sub.year,
                                           year=result.year))
    for name in old_names:
        if name not in _ISSUED and name not in wb.defined_names and (value := _raw(sub, rb, name)) is not None:
            sheet, cell = sub.where(name)
            result.findings.append(finding("CDHT-W047", file=sub.path.name, sheet=sheet, cell=cell,
                                           what=_label(sub.tier, name), value=_shown(value), year=result.year))


def _shown(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return R.fmt_number(value, 2)
    return str(value)


def _put_value(result: Migration, sub, wb, new_tier, name: str, value, source_name: str | None = None) -> None:
    """Validate ``value`` as the new template's field ``name`` and write it, or say why not (W046)."""
    from cdht.read.submission import Submission, validate_value
    from cdht.xlsx.names import put

    if value is None:
        return
    sheet, cell = _where(wb, name)
    if name in new_tier.fields:
        scratch = Submission(Path(result.target.name), cells={name: (sheet, cell)})
        checked = validate_value(scratch, name, new_tier.fields[name], value)
        problems = [f for f in scratch.findings if f.severity == ERROR]
        if checked is None or problems:
            result.findings += problems
            result.findings.append(finding("CDHT-W046", file=result.target.name, sheet=sheet, cell=cell,
                                           label=_label(new_tier, name), value=_shown(value),
                                           causes=", ".join(f.code for f in problems) or "CDHT-W016"))
            return
        value = checked
    elif isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    from cdht_generator.workbook import writable_cell
    from cdht.fingerprint import coord_of

    row, col = coord_of(cell)
    put(writable_cell(wb[sheet], row, col), value)
    item = {"name": name, "label": _label(new_tier, name), "value": value, "sheet": sheet, "cell": cell}
    if source_name is not None:
        item["from"] = source_name
        item["from_label"] = _label(sub.tier, source_name)
    result.carried.append(item)


# ------------------------------------------------------------------------------------------------
# evidence
# ------------------------------------------------------------------------------------------------

_EVIDENCE_KEYS = ("code", "indicators", "title", "number", "date", "issuer", "attachment", "note")


def _evidence_row(rec: dict, new_tier, source: Path, target: Path) -> list:
    """One register row as the new template takes it: indicator codes written the catalogue's way
    when every part is read ("1.1; Chỉ tiêu 1.2" → "xa.1.1, xa.1.2"), else as typed (check says);
    an attached file beside the source still found from the new workbook's folder."""
    from cdht.ops.assess import cited_indicators

    row = [rec.get(k) for k in _EVIDENCE_KEYS]
    ids, unknown = cited_indicators(rec.get("indicators"), new_tier)
    if ids and not unknown:
        row[1] = ", ".join(ids)
    if isinstance(row[4], dt.datetime) and row[4].time() == dt.time():
        row[4] = row[4].date()
    row[6] = _attachment(row[6], source.parent, target.parent)
    return row


def _attachment(value, old_dir: Path, new_dir: Path):
    """A relative attachment path that names a file beside the source, made relative to the new
    workbook's folder (a link, an absolute path or a file not found is kept as typed)."""
    import os

    if not isinstance(value, str) or "://" in value or old_dir.resolve() == new_dir.resolve():
        return value
    rel = Path(value.strip().replace("\\", "/"))
    if rel.is_absolute() or not (old_dir / rel).exists():
        return value
    try:
        return Path(os.path.relpath((old_dir / rel).resolve(), new_dir.resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return str((old_dir / rel).resolve())


def _carry_evidence(result: Migration, sub, wb, new_tier) -> None:
    from cdht.ops.assess import _as_date
    from cdht.xlsx.names import named_bounds, put
    from cdht_generator.workbook import writable_cell

    ws, r1, c1, r2, _ = named_bounds(wb, L.N_EVIDENCE)
    for k, rec in enumerate(sub.evidence):
        r = r1 + k
        if r > r2:
            result.findings.append(finding("CDHT-W047", file=sub.path.name, sheet=L.SHEET_EVIDENCE, row=rec["row"],
                                           what=f"Minh chứng dòng {rec['row']}", value=rec.get("title") or "",
                                           year=result.year))
            continue
        for j, v in enumerate(_evidence_row(rec, new_tier, sub.path, result.target)):
            put(writable_cell(ws, r, c1 + j), v)
        result.evidence_rows += 1
        d = _as_date(rec.get("date"))
        if d is not None and d.year < result.year and result.year != sub.year:
            result.findings.append(finding("CDHT-W048", file=result.target.name, sheet=ws.title, row=r,
                                           title=rec.get("title") or rec.get("code") or "",
                                           date=d.strftime("%d/%m/%Y"), found=d.year, year=result.year))


def _carry_register(result: Migration, sub, rb, wb, new_tier, profile) -> None:
    """A parent's "Sổ công nhận": the decisions stay decisions (a recognition is in force for years
    after the year recognised), so each readable one is carried with its validity recomputed for
    the new year — as ``merge --register-from`` would; a row that is not a decision is not carried,
    with the register's own finding saying why."""
    from cdht.ops.register import read_register, register_rows
    from cdht.xlsx.names import named_bounds, put
    from cdht_generator.workbook import writable_cell

    if not new_tier.children or L.N_REGISTER not in rb.names or L.N_REGISTER not in wb.defined_names:
        return
    decisions, problems = read_register(rb, sub.path.name, new_tier.edition.settings)
    result.findings += problems
    for d in decisions:
        d.evaluate(dt.date(result.year, 12, 31), new_tier.edition.settings, profile, new_tier.children[0])
    ws, r1, c1, r2, _ = named_bounds(wb, L.N_REGISTER)
    rows = register_rows(decisions)
    if len(rows) > r2 - r1 + 1:  # never carried in part: the new book would lose decisions (issue 18)
        raise _Refuse([finding("CDHT-M047", file=sub.path.name, sheet=L.SHEET_REGISTER, rows=len(rows), year=result.year,
                               name=L.N_REGISTER, size=r2 - r1 + 1, lost=len(rows) - (r2 - r1 + 1))])
    for k, row in enumerate(rows):
        for j, v in enumerate(row):
            put(writable_cell(ws, r1 + k, c1 + j), v)
        ws.cell(r1 + k, c1).number_format = L.TEXT_FORMAT  # the unit code: retyped, it stays text (00010)
    result.decisions = len(decisions)
    result.decisions_in_force = sum(1 for d in decisions if d.in_force)


# ------------------------------------------------------------------------------------------------
# report, save, check
# ------------------------------------------------------------------------------------------------

def _write_report(result: Migration, wb) -> None:
    """What was and was not carried, onto the new workbook's "Kết quả kiểm tra" (a tool sheet)."""
    from cdht.ops.results_sheet import result_rows
    from cdht.xlsx.names import put

    if L.SHEET_RESULTS not in wb.sheetnames:
        return
    ws = wb[L.SHEET_RESULTS]
    head = (f"Chuyển từ sổ tính '{result.source.name}' (năm {result.from_year}) sang biểu mẫu năm {result.year}: "
            f"{len(result.carried)} ô và {result.evidence_rows} dòng minh chứng đã chuyển. Các dòng dưới đây là ô cần "
            "nhập lại hoặc kiểm tra; bấm Kiểm tra minh chứng (hoặc cdht check) sau khi nhập.")
    rows = [["", "", "", "", "", head, ""]] + result_rows([f for f in result.findings if f.file == result.target.name])
    for r, row in enumerate(rows, start=L.HEADER_ROW + 1):
        for c, v in enumerate(row, start=1):
            put(ws.cell(r, c), v)


def _save(result: Migration, wb, target: Path) -> None:
    """Write the new workbook atomically; never over a file that appeared meanwhile (W043)."""
    from cdht.xlsx.save import write_atomic

    def still_free():
        if target.exists():
            raise FileExistsError(str(target))

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, wb.save, before_replace=still_free)
    except FileExistsError:
        raise _Refuse([finding("CDHT-W043", file=result.source.name, target=str(target))]) from None
    except OSError as e:
        raise _Refuse([finding("CDHT-W023", file=target.name, reason=os_reason(e))]) from None
    result.written = True


def _check_new(result: Migration, edition) -> None:
    """The new workbook read back as ``check`` reads it: its level and error count."""
    from cdht.ops.assess import check

    rep = check(result.target, edition)
    result.level = rep.level
    result.new_errors = sum(1 for f in rep.findings if f.severity == ERROR)
