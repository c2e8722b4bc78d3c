"""Year rollover (issue 16): ``cdht generate --year N+1 --from MERGED_N.xlsx``.

Year N+1's templates are issued as ``generate`` issues them (same tier, registry, profile,
password, signature), and each workbook of a unit whose merged parent workbook of year N is given
also gets, before it is saved:

* **last year's figures** where the Circular compares a year with the one before: every ``change``
  rule of the catalogue (huyen.4.2 income, huyen.4.3 employment, tinh.4.2 multidimensional poverty,
  tinh.4.3 GRDP — "so với năm trước liền kề") names a ``previous`` field, filled from the same
  rule's ``current`` field of year N's book (``*_nam_truoc`` ← ``*_nam_nay``), read and written by
  defined name. The cells stay inputs: the unit corrects a revised figure;
* **the recognition register** ("Sổ công nhận") carried over: the decisions of its lower units of
  year N+1's registry still in force in N+1 — under the profile's validity reading and decision
  deadlines — the latest per unit and level (an older one of the same level adds nothing).

Both go where the layout fingerprint does not look (input cells, a tool sheet), so the issued
workbook's fingerprint and signature are those of a fresh template. Every year-N book is judged
before anything is written; a book that is not a merged parent (R010, R011), of another year
(R012) or tier (R013), outside the province's registry (R014) or given twice (R015) refuses the
run. :class:`RolloverResult` says what was carried into each workbook and what was not, and why.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cdht import contract as L
from cdht import rules as R
from cdht.messages import ERROR, Finding, finding
from cdht.xlsx.names import named_bounds, named_cell, put

from cdht.ops.register import Decision, read_register, register_rows

TIER_NAMES = {"xa": "cấp xã", "huyen": "cấp huyện", "tinh": "cấp tỉnh"}
_IDENTITY_CODES = {"CDHT-P019", "CDHT-P029", "CDHT-P030", "CDHT-P031"}

# Why something was not carried (a closed vocabulary, shown in the report and the JSON).
NO_BOOK = "không có sổ tổng hợp năm trước của đơn vị này (--from)"
EMPTY = "ô năm đánh giá trong sổ năm trước trống hoặc không hợp lệ"
NOT_IN_BOOK = "sổ năm trước không có ô này"
EXPIRED = "hết hiệu lực trước năm đánh giá mới"
NOT_LISTED = "đơn vị không có trong danh sách đơn vị cấp dưới năm mới"
SUPERSEDED = "đã có quyết định cùng mức độ mới hơn"
CARRIED_NOTE = "Chuyển từ sổ tổng hợp năm {year}"


class RolloverError(Exception):
    """The run is refused before anything is written; ``findings`` say why."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.text() for f in findings))
        self.findings = findings


@dataclass
class Figure:
    """One previous-year cell of a new workbook: filled from ``source`` of year N, or not (``reason``)."""

    name: str
    source: str
    value: float | None = None
    reason: str | None = None

    def as_dict(self) -> dict:
        return {"name": self.name, "from": self.source, "value": self.value, "carried": self.reason is None,
                "reason": self.reason}


@dataclass
class UnitCarry:
    """What one issued workbook received from its unit's year-N book."""

    unit: str
    name: str
    book: str | None = None                                  # the year-N book (file name)
    figures: list[Figure] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # carried into the register
    dropped: list[tuple[Decision, str]] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)    # the year-N register's bad rows
    file: str | None = None                                  # the workbook issued

    def as_dict(self) -> dict:
        return {"unit": self.unit, "name": self.name, "from": self.book, "file": self.file,
                "figures": [f.as_dict() for f in self.figures],
                "register": {"carried": [_decision(d) for d in self.decisions],
                             "not_carried": [{**_decision(d), "reason": why} for d, why in self.dropped],
                             "problems": [f.as_dict() for f in self.problems]}}


def _decision(d: Decision) -> dict:
    return {"unit": d.unit, "level": d.level, "number": d.number, "date": d.date.isoformat(),
            "valid_until": d.valid_until.isoformat() if d.valid_until else None}


@dataclass
class RolloverResult:
    year: int                                   # N + 1, the year issued
    tier: str
    units: list[UnitCarry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # warnings (R016)
    paths: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"year": self.year, "from_year": self.year - 1, "tier": self.tier,
                "files": [str(p) for p in self.paths], "units": [u.as_dict() for u in self.units],
                "findings": [f.as_dict() for f in self.findings]}


@dataclass
class _Book:
    """A merged parent of year N, read."""

    path: Path
    sub: object
    rb: object


# ---------------------------------------------------------------------------------------------
# The previous-year fields of the catalogue
# ---------------------------------------------------------------------------------------------

def previous_fields(tier) -> list[tuple[str, str]]:
    """(previous, current) field pairs of every ``change`` rule of ``tier``, both levels, in
    catalogue order, once each: where the Circular compares with the year before."""
    out: list[tuple[str, str]] = []

    def walk(rule):
        if isinstance(rule, R.Change):
            pair = (rule.p.previous, rule.p.current)
            if pair not in out:
                out.append(pair)
        for _, sub in rule.parts():
            walk(sub)

    for ind in tier.indicators:
        for lvl in (1, 2):
            walk(ind.rules[lvl])
    return out


# ---------------------------------------------------------------------------------------------
# Judging the year-N books
# ---------------------------------------------------------------------------------------------

def book_paths(sources) -> list[Path]:
    """The workbooks named, or found in the folders named (Excel's ``~$`` lock files left out)."""
    out: list[Path] = []
    for p in map(Path, sources):
        found = sorted(x for x in p.glob("*.xlsx") if not x.name.startswith("~$")) if p.is_dir() else [p]
        out += [x for x in found if x not in out]
    return out


def _registry_unit(code: str, tier: str, units, profile):
    """(the unit in the new year's list, known to the province at all)."""
    u = units.get(code, tier) if units is not None else None
    known = u is not None or (profile is not None and profile.unit(code) is not None)
    return u, known


def judge_book(path: Path, tier: str, year: int, units, profile=None) -> tuple[_Book | None, list[Finding]]:
    """A year-N merged parent for year ``year``'s templates of ``tier``, or why not."""
    from cdht.read.submission import read_workbook_raw

    sub, rb = read_workbook_raw(path, tool_sheets=True, profile=profile)
    where = dict(file=path.name)
    if not sub.readable or rb is None:
        cause = next((f.code for f in sub.findings if f.severity == ERROR), "CDHT-W006")
        return None, [finding("CDHT-R010", **where, what=f"tệp không đọc được hoặc không phải sổ tính của phần mềm "
                                                         f"({cause})", year=year - 1)]
    unit = sub.unit_code or "(chưa ghi mã)"
    if not sub.tier.children:
        return None, [finding("CDHT-R010", **where, what=f"biểu mẫu {TIER_NAMES.get(sub.tier.code, sub.tier.name)}",
                              year=year - 1)]
    if sub.year != year - 1:
        return None, [finding("CDHT-R012", **where, unit=unit, found=sub.year, year=year, expected=year - 1)]
    if sub.tier.code != tier:
        return None, [finding("CDHT-R013", **where, unit=unit, found=TIER_NAMES.get(sub.tier.code, sub.tier.code),
                              expected=TIER_NAMES.get(tier, tier), found_code=sub.tier.code)]
    problem = _province_problem(sub, tier, units, profile)
    if problem is not None:
        return None, [finding("CDHT-R014", **where, unit=unit, **problem)]
    if not was_merged(rb):
        return None, [finding("CDHT-R011", **where, unit=unit, year=sub.year, next_year=year)]
    return _Book(path, sub, rb), []


def _province_problem(sub, tier: str, units, profile) -> dict | None:
    """Facts of R014 when the book is not of this province: its identity refused by the profile
    (signature, registry facts of its own year), or its unit unknown to the registry."""
    source = f"hồ sơ cấu hình '{profile.name}'" if profile is not None else "danh sách đơn vị (--units)"
    bad = [f.code for f in sub.findings if f.code in _IDENTITY_CODES]
    if bad:
        return {"source": source, "reason": "chữ ký số hoặc thông tin đơn vị không khớp (" + ", ".join(bad) + ")"}
    if not sub.unit_code:
        return {"source": source, "reason": "sổ không ghi mã đơn vị (biểu mẫu trống)"}
    _, known = _registry_unit(sub.unit_code, tier, units, profile)
    if not known:
        return {"source": source, "reason": f"không có đơn vị mã '{sub.unit_code}'"}
    return None


def was_merged(rb) -> bool:
    """A merge has written the children's list: a row received, returned or stamped."""
    from cdht.ops.merge.children import children_table, existing_rows

    return any(rec.get("sha") or rec.get("merged_at") or (rec["row"][2:3] == [L.Status.RETURNED.value])
               for rec in existing_rows(children_table(rb)).values())


def judge_books(sources, tier: str, year: int, units, profile=None) -> tuple[dict[str, _Book], list[Finding]]:
    """Every year-N book by unit code, and every refusal (R010–R015) and warning (R016)."""
    books: dict[str, _Book] = {}
    problems: list[Finding] = []
    for path in book_paths(sources):
        book, found = judge_book(path, tier, year, units, profile)
        problems += found
        if book is None:
            continue
        code = book.sub.unit_code
        if code in books:
            problems.append(finding("CDHT-R015", file=path.name, unit=code, other=books[code].path.name))
            continue
        books[code] = book
        if _registry_unit(code, tier, units, profile)[0] is None:
            problems.append(finding("CDHT-R016", file=path.name, unit=code, year=year))
    return books, problems


# ---------------------------------------------------------------------------------------------
# What each new workbook receives
# ---------------------------------------------------------------------------------------------

def carry_figures(tier, book: _Book | None) -> list[Figure]:
    """The previous-year cells of ``tier`` from the year-N book's current-year values."""
    out = []
    for prev, cur in previous_fields(tier):
        f = Figure(prev, cur)
        if book is None:
            f.reason = NO_BOOK
        elif cur not in book.sub.tier.fields:
            f.reason = NOT_IN_BOOK
        else:
            v = book.sub.values.get(cur)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                f.value = v
            else:
                f.reason = EMPTY
        out.append(f)
    return out


def carry_register(book: _Book, year: int, children: set[str], child_tier: str, profile=None):
    """(carried, dropped with why, bad rows) of the year-N book's register for year ``year``:
    decisions in force in ``year`` of a unit of ``children``, the latest per unit and level."""
    sub = book.sub
    decisions, problems = read_register(book.rb, book.path.name, sub.edition.settings)
    latest: dict[tuple[str, int], Decision] = {}
    dropped: list[tuple[Decision, str]] = []
    for d in decisions:
        d.evaluate(dt.date(year, 12, 31), sub.edition.settings, profile, child_tier)
        if d.unit not in children:
            dropped.append((d, NOT_LISTED))
        elif not d.in_force:
            dropped.append((d, EXPIRED))
        else:
            key = (d.unit, d.level)
            old = latest.get(key)
            if old is not None and (old.date, old.number) >= (d.date, d.number):
                dropped.append((d, SUPERSEDED))
                continue
            if old is not None:
                dropped.append((old, SUPERSEDED))
            latest[key] = d
    carried = sorted(latest.values(), key=lambda d: (d.unit, d.date, d.level))
    for d in carried:
        d.note = d.note or CARRIED_NOTE.format(year=sub.year)
    return carried, dropped, problems


def _write(wb, carry: UnitCarry) -> None:
    """Type the carried figures and decisions into a built workbook, by defined name."""
    for f in carry.figures:
        if f.reason is None:
            put(named_cell(wb, f.name), f.value)
    if not carry.decisions:
        return
    ws, r1, c1, _, _ = named_bounds(wb, L.N_REGISTER)
    for i, row in enumerate(register_rows(carry.decisions)):
        for j, v in enumerate(row):
            if v not in ("", None):
                put(ws.cell(r1 + i, c1 + j), v)
        for j in (4, 6, 8):  # the dates: decision, valid until, level 2 possible from
            ws.cell(r1 + i, c1 + j).number_format = "dd/mm/yyyy"
        ws.cell(r1 + i, c1).number_format = L.TEXT_FORMAT  # the unit code: retyped, it stays text (00010)


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

def rollover(edition, tier: str, year: int, out_dir, sources, *, units=None, unit_code: str | None = None,
             password: str | None = None, profile=None, signing_key=None, progress=None) -> RolloverResult:
    """Issue year ``year``'s templates of ``tier`` with what the merged parents of year ``year - 1``
    (``sources``: files or folders) carry. ``units`` (a :class:`cdht.units.UnitList`) or the
    ``profile``'s registry says which units get workbooks. Raises :class:`RolloverError` when the
    run is refused (nothing written), :class:`cdht_generator.api.GenerateError` as ``generate``."""
    from cdht_generator.api import generate, registry_units
    from cdht_generator.workbook import file_name

    registry = units if units is not None else (registry_units(profile, year) if profile is not None
                                                and profile.units else None)
    if registry is None:
        raise RolloverError([finding("CDHT-T013", year=year)])
    books, findings = judge_books(sources, tier, year, registry, profile)
    if any(f.severity == ERROR for f in findings):
        raise RolloverError(findings)
    result = RolloverResult(year, tier, findings=findings)
    new_tier = edition.tier(tier) if tier in edition.tiers else None
    plans: dict[str, UnitCarry] = {}

    def prefill(wb, unit) -> None:
        if unit is None or new_tier is None:
            return
        carry = plans[unit.code] = plan_unit(unit, books.get(unit.code), new_tier, registry, year, profile)
        carry.file = str(Path(out_dir) / file_name(edition, tier, year, unit))
        _write(wb, carry)

    result.paths = generate(edition, tier, year, out_dir, units=registry, unit_code=unit_code, password=password,
                            progress=progress, profile=profile, signing_key=signing_key, prefill=prefill)
    result.units = list(plans.values())
    return result


def plan_unit(unit, book: _Book | None, tier, registry, year: int, profile=None) -> UnitCarry:
    """What the new workbook of ``unit`` receives from its year-N ``book`` (None: none given)."""
    carry = UnitCarry(unit.code, unit.name, book.path.name if book else None)
    carry.figures = carry_figures(tier, book)
    if book is not None and tier.children:
        child = tier.children[0]
        children = {u.code for u in registry.descendants(unit.code, child)}
        carry.decisions, carry.dropped, carry.problems = carry_register(book, year, children, child, profile)
    return carry
