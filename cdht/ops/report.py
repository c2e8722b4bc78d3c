"""Reports people read, from a merged parent workbook (issue 16): the long table, the dashboard's
figures, the district's report to the Sở (before 15/5) and the Sở's report to the Ministry.

Everything starts from :func:`long_table`: one row per unit × indicator × year, read through the
workbook's defined names (never coordinates) with python-calamine (:mod:`cdht.xlsx.fastread`):

* the parent's own unit (its inputs recomputed by :func:`cdht.evaluate.evaluate`, its figures),
* every unit of its "Đơn vị cấp dưới" list (status, receipt, levels, the verdict of each indicator
  as the merge wrote it), with its standing in the recognition register ("Sổ công nhận"),
* optionally the units one tier further down, carried from the merged child workbooks the parent
  received (``children=``: only a file whose SHA-256 is the one the parent recorded).

pandas does the aggregation: :func:`dashboard_data` gives exactly what a "Tổng quan" sheet shows
(completeness, units by level, pass rate per indicator, recognitions in force and expiring,
trends); :func:`district_report` and :func:`ministry_report` write fresh xlsxwriter workbooks with
native charts; :func:`export_table` writes the long table as CSV or Parquet.

"Expiring within the next year" (the issue's words): a decision in force for assessment year N
whose validity ends no later than 31/12 of N + 1 (``EXPIRY_HORIZON_YEARS``), i.e. the unit needs
a new decision in the next round to stay recognised.
"""
from __future__ import annotations

import datetime as dt
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cdht import contract as L
from cdht.evaluate import appraised_level, evaluate
from cdht.messages import ERROR, Finding, finding
from cdht.xlsx.names import sheet_text

EXPIRY_HORIZON_YEARS = 1  # the "expiring within the next year"; a parameter of dashboard_data

# The verdict words the merge writes per indicator in "Đơn vị cấp dưới".
V_L2, V_L1, V_FAIL, V_INCOMPLETE = "MĐ2", "MĐ1", "Không đạt", "Chưa đủ"
_LEVEL_WORDS = {"Mức độ 2": 2, "Mức độ 1": 1, "Chưa đạt": 0}
_TIER_NAMES = {"xa": "cấp xã", "huyen": "cấp huyện", "tinh": "cấp tỉnh"}

COLUMNS = ["year", "edition", "tier", "unit", "unit_name", "parent", "receipt", "on_time", "received",
           "status", "level", "appraised_level", "recognised_level", "decision", "decision_date",
           "valid_until", "newly_recognised", "expiring", "evidence_errors", "indicator", "verdict",
           "pass_level1", "pass_level2", "figures"]


class ReportError(Exception):
    """The parent (or a --previous book) cannot be reported on; ``findings`` say why."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.text() for f in findings))
        self.findings = findings


# ---------------------------------------------------------------------------------------------
# Reading a merged parent
# ---------------------------------------------------------------------------------------------

@dataclass
class _Book:
    """One parent (or carried child) workbook, read: identity, its children's rows, its register."""

    path: Path
    sub: object
    rb: object
    rows: list[dict] = field(default_factory=list)   # the children's rows, by header
    indicators: list[str] = field(default_factory=list)
    decisions: list = field(default_factory=list)
    problems: list = field(default_factory=list)    # the register's bad rows (CDHT-M013, P015)


def _read_book(path: Path, profile=None) -> _Book:
    from cdht.read.submission import read_workbook_raw

    sub, rb = read_workbook_raw(path, tool_sheets=True)
    if not sub.readable or rb is None:
        raise ReportError([f for f in sub.findings if f.severity == ERROR] or sub.findings)
    if not sub.tier.children or L.N_CHILDREN not in rb.names:
        raise ReportError([finding("CDHT-R001", file=path.name, tier_name=_TIER_NAMES.get(sub.tier.code, sub.tier.name))])
    book = _Book(path, sub, rb)
    book.rows, book.indicators = _children_rows(rb, sub.tier)
    book.decisions, book.problems = _decisions(rb, path.name, sub, profile)
    return book


def _children_rows(rb, tier) -> tuple[list[dict], list[str]]:
    """The "Đơn vị cấp dưới" rows as dicts by header: the header row from the defined name, the
    rows down to the sheet's last used row (a merge may write past the named range)."""
    from cdht.fingerprint import parse_ref

    sheet, r1, c1, _, c2 = parse_ref(rb.names[L.N_CHILDREN])
    values = rb.sheets[sheet].values or []
    header = [str(h).strip() if h not in (None, "") else "" for h in (values[r1 - 1][c1 - 1:c2] if len(values) >= r1 else [])]
    child_ids = {i.id for t in tier.children for i in tier.edition.tier(t).indicators}
    out = []
    for raw in values[r1:]:
        vals = [None if v == "" else v for v in raw[c1 - 1:c2]]
        if not vals or vals[0] in (None, ""):
            continue
        out.append({h: (vals[k] if k < len(vals) else None) for k, h in enumerate(header) if h})
    return out, [h for h in header if h in child_ids]


def _decisions(rb, name: str, sub, profile=None) -> tuple[list, list]:
    """The register's decisions evaluated for the workbook's year as the merge does: the profile's
    decision deadline and validity reading (default: the catalogue's), the child tier's deadline
    when the profile has no registry to say."""
    from cdht.ops.register import read_register

    decisions, problems = read_register(rb, name, sub.edition.settings)
    memo = _MemoProfile(profile)
    for d in decisions:
        d.evaluate(dt.date(sub.year, 12, 31), sub.edition.settings, memo, sub.tier.children[0])
    return decisions, problems


class _MemoProfile:
    """A province profile (or the default one, as :meth:`Decision.evaluate` uses when given none),
    its deadlines looked up once per tier and year instead of once per decision: a province's
    register of hundreds of decisions is evaluated in milliseconds, with the same results."""

    def __init__(self, profile=None):
        from cdht.profile import default_profile

        self._profile, self._memo = profile if profile is not None else default_profile(), {}

    def __getattr__(self, name):
        return getattr(self._profile, name)

    def decision_deadline(self, tier: str, year: int):
        key = ("decide", tier, year)
        if key not in self._memo:
            self._memo[key] = self._profile.decision_deadline(tier, year)
        return self._memo[key]

    def tiers_in(self, year: int):
        key = ("tiers", year)
        if key not in self._memo:
            self._memo[key] = self._profile.tiers_in(year)
        return dict(self._memo[key])


def merged(book: _Book) -> bool:
    """True once a merge has written the children's list: a row received, returned or stamped."""
    return any(L.receipt_status(r.get("Trạng thái"), None) != L.Status.NOT_SUBMITTED or r.get("Tệp")
               or r.get("Thời điểm tổng hợp")
               for r in book.rows)


def _verdict(res) -> str:
    if res.level2:
        return V_L2
    if res.level1:
        return V_L1
    return V_FAIL if res.level1 is False else V_INCOMPLETE


_GOT = (L.Status.RECEIVED.value, L.Status.LATE.value)


def received(u: pd.DataFrame) -> pd.Series:
    """Units whose file this round was accepted (on time or late)."""
    return u["receipt"].isin(_GOT)


def _as_int(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer():
        return int(v)
    return None


def _as_date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def _unit_facts(code: str, rec: dict, book: _Book, horizon: int) -> dict:
    """The per-unit columns of a child row: receipt, standing in the register, levels."""
    from cdht.ops.register import unit_standing

    year = book.sub.year
    receipt = L.receipt_status(rec.get("Trạng thái"), rec.get("Đúng hạn"))
    appraised = _as_int(rec.get("Mức độ thẩm định"))
    st = unit_standing(code, book.decisions, appraised=appraised, receipt=receipt)
    d = st.decision if st.level else None
    return {"unit_name": rec.get("Tên đơn vị"), "receipt": receipt.value,
            "on_time": {"Có": True, "Không": False}.get(rec.get("Đúng hạn")),
            "received": _as_date(rec.get("Ngày nhận")), "status": st.status.value,
            "level": _LEVEL_WORDS.get(rec.get("Mức độ tự đánh giá")), "appraised_level": appraised,
            "recognised_level": st.level, "decision": d.number if d else None,
            "decision_date": d.date if d else None, "valid_until": d.valid_until if d else None,
            "newly_recognised": bool(d and d.recognised_year == year),
            "expiring": bool(d and d.valid_until and d.valid_until <= dt.date(year + horizon, 12, 31)),
            "evidence_errors": _as_int(rec.get("Số lỗi minh chứng"))}


def _child_records(book: _Book, child_tier: str, horizon: int) -> list[dict]:
    base = {"year": book.sub.year, "edition": book.sub.edition.id, "tier": child_tier,
            "parent": book.sub.unit_code, "figures": None}
    out = []
    for rec in book.rows:
        code = str(rec.get("Mã đơn vị")).strip()
        unit = {**base, "unit": code, **_unit_facts(code, rec, book, horizon)}
        for ind in book.indicators:
            v = rec.get(ind)
            out.append({**unit, "indicator": ind, "verdict": v,
                        "pass_level1": None if v in (None, V_INCOMPLETE) else v in (V_L1, V_L2),
                        "pass_level2": None if v in (None, V_INCOMPLETE) else v == V_L2})
    return out


def _own_records(book: _Book) -> list[dict]:
    """The parent's own unit: its inputs recomputed, its figures per indicator."""
    sub = book.sub
    a = evaluate(sub.tier, sub.values)
    unit = {"year": sub.year, "edition": sub.edition.id, "tier": sub.tier.code, "unit": sub.unit_code,
            "unit_name": sub.unit_name, "parent": sub.meta.get("parent_code") or None, "receipt": None,
            "on_time": None, "received": None, "status": None, "level": a.level,
            "appraised_level": appraised_level(sub.tier, sub.appraisal, sub.appraisal.get(L.N_APPRAISAL_TARGET)),
            "recognised_level": None, "decision": None, "decision_date": None, "valid_until": None,
            "newly_recognised": False, "expiring": False, "evidence_errors": None}
    out = []
    for ind in sub.tier.indicators:
        res = a.indicators[ind.id]
        figures = "; ".join(f"{f.key}={sub.values.get(f.key)}" for f in ind.fields if sub.values.get(f.key) is not None)
        out.append({**unit, "indicator": ind.id, "verdict": _verdict(res), "pass_level1": res.level1,
                    "pass_level2": res.level2, "figures": figures or None})
    return out


def _carried(parent: _Book, paths, horizon: int, profile=None) -> tuple[list[dict], list[Finding]]:
    """Rows one tier further down, from the merged child workbooks the parent received: a file
    counts only when the parent recorded its SHA-256 (the very file merged)."""
    recorded = {str(r.get("Mã đơn vị")).strip(): r for r in parent.rows}
    out, problems, seen = [], [], set()
    explicit = {Path(p) for p in paths if not Path(p).is_dir()}
    for path in _workbook_paths(paths):
        try:
            child = _read_book(path, profile)
        except ReportError as e:
            if path in explicit:  # a folder also holds other files (departments' forms): skipped quietly
                problems += e.findings
            continue
        code = child.sub.unit_code
        rec = recorded.get(code)
        if rec is None or L.receipt_status(rec.get("Trạng thái"), rec.get("Đúng hạn")).value not in _GOT or code in seen:
            problems.append(finding("CDHT-R009", file=path.name, unit=code, parent=parent.sub.unit_code))
            continue
        if not child.sub.sha256.startswith(str(rec.get("SHA-256") or "-")):
            problems.append(finding("CDHT-R008", file=path.name, unit=code, found=child.sub.sha256[:12],
                                    expected=rec.get("SHA-256") or "—"))
            continue
        seen.add(code)
        problems += child.problems
        out += _child_records(child, child.sub.tier.children[0], horizon)
    return out, problems


def _workbook_paths(paths) -> list[Path]:
    out = []
    for p in map(Path, paths or ()):
        out += sorted(x for x in p.rglob("*.xlsx") if not x.name.startswith("~$")) if p.is_dir() else [p]
    return out


def long_table(parent_path, children=(), horizon_years: int = EXPIRY_HORIZON_YEARS, profile=None) -> pd.DataFrame:
    """One row per unit × indicator × year of a merged parent (district or province) workbook.

    Columns: :data:`COLUMNS`. ``df.attrs`` carries the parent's identity (``unit``, ``unit_name``,
    ``tier``, ``child_tier``, ``year``, ``edition``), ``merged`` (False for a parent no merge has
    written: its children's figures are unknown, not zero), ``expected`` (units listed) and
    ``findings`` (warnings, e.g. a carried child file that is not the one merged).
    ``profile`` (:class:`cdht.profile.Profile`): the province's decision deadlines and validity
    reading for the register, as given to the merge (default: the catalogue's).
    Raises :class:`ReportError` when the file is unreadable or not a parent workbook."""
    book = _read_book(Path(parent_path), profile)
    sub = book.sub
    child_tier = sub.tier.children[0]
    records = _own_records(book) + _child_records(book, child_tier, horizon_years)
    carried, problems = _carried(book, children, horizon_years, profile) if children else ([], [])
    problems = book.problems + problems
    df = pd.DataFrame.from_records(records + carried, columns=COLUMNS)
    df = _typed(df)
    was_merged = merged(book)
    if not was_merged:
        problems.insert(0, finding("CDHT-R002", file=book.path.name, unit=sub.unit_code or "(chưa ghi mã)", year=sub.year,
                                   expected=len(book.rows)))
    texts = {i.id: i.spec.text for t in sub.edition.tiers.values() for i in t.indicators}
    df.attrs.update(unit=sub.unit_code, unit_name=sub.unit_name, tier=sub.tier.code, child_tier=child_tier,
                    indicator_texts=texts,
                    year=sub.year, edition=sub.edition.id, merged=was_merged, expected=len(book.rows),
                    file=book.path.name, findings=problems)
    return df


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("level", "appraised_level", "recognised_level", "evidence_errors"):
        df[c] = df[c].astype("Int64")
    for c in ("on_time", "pass_level1", "pass_level2"):
        df[c] = df[c].astype("boolean")
    for c in ("newly_recognised", "expiring"):
        df[c] = df[c].astype(bool)
    df["year"] = df["year"].astype("int64")
    for c in ("received", "decision_date", "valid_until"):
        df[c] = pd.to_datetime(df[c])
    return df


# ---------------------------------------------------------------------------------------------
# Previous years
# ---------------------------------------------------------------------------------------------

def check_previous(current: pd.DataFrame, previous: list[pd.DataFrame]) -> list[Finding]:
    """Coded problems of --previous books: another unit (R003), another tier (R004), a year not
    before the report's (R005), two books of one year (R006)."""
    out, years = [], set()
    cur = current.attrs
    for prev in previous:
        p = prev.attrs
        if p["tier"] != cur["tier"]:
            out.append(finding("CDHT-R004", file=p["file"], found=_TIER_NAMES.get(p["tier"], p["tier"]),
                               expected=_TIER_NAMES.get(cur["tier"], cur["tier"])))
        elif p["unit"] != cur["unit"]:
            out.append(finding("CDHT-R003", file=p["file"], found=p["unit"], expected=cur["unit"]))
        elif p["year"] >= cur["year"]:
            out.append(finding("CDHT-R005", file=p["file"], found=p["year"], expected=cur["year"]))
        elif p["year"] in years:
            out.append(finding("CDHT-R006", file=p["file"], year=p["year"]))
        years.add(p["year"])
    return out


# ---------------------------------------------------------------------------------------------
# Aggregation (pandas)
# ---------------------------------------------------------------------------------------------

def units(df: pd.DataFrame, tier: str | None = None) -> pd.DataFrame:
    """One row per unit (its per-unit columns), optionally of one tier."""
    per_unit = [c for c in COLUMNS if c not in ("indicator", "verdict", "pass_level1", "pass_level2", "figures")]
    sel = df if tier is None else df[df["tier"] == tier]
    return sel[per_unit].drop_duplicates(["year", "unit"]).reset_index(drop=True)


def completeness(u: pd.DataFrame) -> pd.DataFrame:
    """Received / on time / late / returned / missing among the listed units, counts and %."""
    n = len(u)
    S = L.Status
    counts = {"Đã nhận": int(received(u).sum()),
              "Đúng hạn": int((u["receipt"] == S.RECEIVED.value).sum()),
              "Nộp muộn": int((u["receipt"] == S.LATE.value).sum()),
              "Trả lại": int((u["receipt"] == S.RETURNED.value).sum()),
              "Chưa nộp": int((u["receipt"] == S.NOT_SUBMITTED.value).sum())}
    return pd.DataFrame({"item": list(counts), "count": list(counts.values()),
                         "percent": [round(100 * v / n, 1) if n else 0.0 for v in counts.values()]})


LEVEL_ROWS = ["Chưa đạt / chưa công nhận", "Mức độ 1", "Mức độ 2"]


def levels(u: pd.DataFrame) -> pd.DataFrame:
    """Units by level 0 / 1 / 2: self-assessed (of the files received) and recognised (in force)."""
    got = u[received(u)]
    own = got["level"].value_counts()
    rec = u["recognised_level"].fillna(0).value_counts()
    return pd.DataFrame({"level": [0, 1, 2], "label": LEVEL_ROWS,
                         "self_assessed": [int(own.get(k, 0)) for k in (0, 1, 2)],
                         "recognised": [int(rec.get(k, 0)) for k in (0, 1, 2)]})


def indicator_rates(rows: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: units with a verdict, passing level 1 / 2, and the rates (%), the indicators
    that hold most units back first."""
    if rows.empty:
        return pd.DataFrame(columns=["indicator", "units", "pass_level1", "pass_level2", "rate_level1", "rate_level2"])
    g = rows.groupby("indicator", sort=False)
    out = pd.DataFrame({"units": g["pass_level1"].count(),
                        "pass_level1": g["pass_level1"].sum().astype(int),
                        "pass_level2": g["pass_level2"].sum().astype(int)}).reset_index()
    den = out["units"].where(out["units"] > 0)
    out["rate_level1"] = (100 * out["pass_level1"] / den).round(1).fillna(0.0)
    out["rate_level2"] = (100 * out["pass_level2"] / den).round(1).fillna(0.0)
    return out.sort_values(["rate_level1", "rate_level2", "indicator"], kind="stable").reset_index(drop=True)


def recognitions(u: pd.DataFrame) -> dict:
    """Recognitions in force (by level), newly recognised this round, expiring within the horizon."""
    live = u[u["recognised_level"].fillna(0) > 0]
    return {"in_force": len(live), "in_force_level1": int((live["recognised_level"] == 1).sum()),
            "in_force_level2": int((live["recognised_level"] == 2).sum()),
            "newly_recognised": int(live["newly_recognised"].sum()), "expiring": int(live["expiring"].sum())}


@dataclass
class Dashboard:
    """What a "Tổng quan" sheet shows, for the units directly under the parent (``tier``)."""

    meta: dict                       # unit, unit_name, tier, child_tier, year, edition, merged, expected
    completeness: pd.DataFrame       # item, count, percent  (Đã nhận, Đúng hạn, Nộp muộn, Trả lại, Chưa nộp)
    levels: pd.DataFrame             # level, label, self_assessed, recognised
    indicators: pd.DataFrame         # indicator, units, pass_level1, pass_level2, rate_level1, rate_level2, text
    recognitions: dict               # in_force, in_force_level1, in_force_level2, newly_recognised, expiring
    expiring: pd.DataFrame           # unit, unit_name, recognised_level, decision, decision_date, valid_until
    own: pd.DataFrame                # the parent's own result: indicator, verdict, figures, text (+ own_level in meta)
    trend_levels: pd.DataFrame       # year × (self_assessed / recognised level 0,1,2): one row per year
    trend_indicators: pd.DataFrame   # indicator × year: rate_level1 per year


def dashboard_data(df: pd.DataFrame, previous: list[pd.DataFrame] = (), tier: str | None = None) -> Dashboard:
    """Exactly the figures a dashboard sheet needs (see :class:`Dashboard`), from a long table and
    the long tables of earlier years. ``tier``: whose units to count (default: the direct children)."""
    tier = tier or df.attrs["child_tier"]
    u = units(df, tier)
    rows = df[df["tier"] == tier]
    expiring = u[u["expiring"]][["unit", "unit_name", "recognised_level", "decision", "decision_date", "valid_until"]]
    own = df[df["unit"] == df.attrs["unit"]][["indicator", "verdict", "figures"]].reset_index(drop=True)
    texts = df.attrs.get("indicator_texts", {})
    own["text"] = own["indicator"].map(texts)
    rates = indicator_rates(rows)
    rates["text"] = rates["indicator"].map(texts)
    meta = {k: df.attrs.get(k) for k in ("unit", "unit_name", "tier", "child_tier", "year", "edition", "merged",
                                          "expected")}
    meta["own_level"] = _first(df[df["unit"] == df.attrs["unit"]]["level"])
    tl, ti = trends([df, *previous], tier)
    return Dashboard(meta, completeness(u), levels(u), rates, recognitions(u),
                     expiring.reset_index(drop=True), own, tl, ti)


def _first(s: pd.Series):
    return None if s.empty or pd.isna(s.iloc[0]) else int(s.iloc[0])


def trends(tables: list[pd.DataFrame], tier: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units per level by year, indicators' level-1 pass rate by year) over the given years; a
    year whose parent was never merged has no figures (NA), not zeros."""
    lv, rates = [], []
    for t in sorted(tables, key=lambda t: t.attrs.get("year", 0)):
        y = t.attrs.get("year")
        u = units(t, tier)
        row = {"year": y, "merged": bool(t.attrs.get("merged", True))}
        for _, r in levels(u).iterrows():
            row[f"self_assessed_{r['level']}"] = r["self_assessed"] if row["merged"] else pd.NA
            row[f"recognised_{r['level']}"] = r["recognised"] if row["merged"] else pd.NA
        lv.append(row)
        ir = indicator_rates(t[t["tier"] == tier]).set_index("indicator")["rate_level1"].rename(y)
        rates.append(ir if row["merged"] else ir.where(ir.isna()))
    ti = pd.concat(rates, axis=1).sort_index() if rates else pd.DataFrame()
    ti.columns = [int(c) for c in ti.columns]
    return pd.DataFrame(lv), ti.reset_index().rename(columns={"index": "indicator"})


def by_parent(df: pd.DataFrame, tier: str) -> pd.DataFrame:
    """Per parent unit (e.g. per district), its ``tier`` units: listed, received, by self-assessed
    level, recognised in force (1 / 2), newly recognised, expiring."""
    u = units(df, tier)
    if u.empty:
        return pd.DataFrame(columns=["parent", "units", "received", "level_0", "level_1", "level_2",
                                     "recognised_1", "recognised_2", "newly_recognised", "expiring"])
    got = received(u)
    rec = u["recognised_level"].fillna(0)
    agg = pd.DataFrame({"parent": u["parent"], "units": 1, "received": got.astype(int),
                        "level_0": (got & (u["level"] == 0)).astype(int),
                        "level_1": (got & (u["level"] == 1)).astype(int),
                        "level_2": (got & (u["level"] == 2)).astype(int),
                        "recognised_1": (rec == 1).astype(int), "recognised_2": (rec == 2).astype(int),
                        "newly_recognised": u["newly_recognised"].astype(int), "expiring": u["expiring"].astype(int)})
    return agg.groupby("parent", sort=True).sum().reset_index()


def tier_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Counts by tier and level: one row per tier present (the parent's own tier first)."""
    rows = []
    order = [df.attrs["tier"], *[t for t in ("huyen", "xa") if t != df.attrs["tier"]]]
    for tier in [t for t in order if (df["tier"] == t).any()]:
        u = units(df, tier)
        own = tier == df.attrs["tier"]
        got = u if own else u[received(u)]
        rec = recognitions(u)
        rows.append({"tier": tier, "tier_name": _TIER_NAMES.get(tier, tier), "units": len(u),
                     # the parent itself files nothing to itself: no "received" for its own tier
                     "received": None if own else len(got), "level_0": int((got["level"] == 0).sum()),
                     "level_1": int((got["level"] == 1).sum()), "level_2": int((got["level"] == 2).sum()),
                     "recognised_1": rec["in_force_level1"], "recognised_2": rec["in_force_level2"],
                     "newly_recognised": rec["newly_recognised"], "expiring": rec["expiring"]})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Report workbooks (xlsxwriter, native charts)
# ---------------------------------------------------------------------------------------------

_BODY = {"huyen": "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "tinh": "SỞ GIÁO DỤC VÀ ĐÀO TẠO"}
_TO = {"huyen": "Sở Giáo dục và Đào tạo", "tinh": "Bộ Giáo dục và Đào tạo"}
_SYMBOL = {"huyen": "PGDĐT", "tinh": "SGDĐT"}
NOT_MERGED_TEXT = ("Sổ tổng hợp chưa được tổng hợp lần nào: chưa có số liệu của đơn vị cấp dưới "
                   "(không phải số 0). Gộp sổ tính của đơn vị cấp dưới rồi lập lại báo cáo.")
_LEVEL_TEXT = {None: "Chưa đủ dữ liệu", 0: "Chưa đạt", 1: "Mức độ 1", 2: "Mức độ 2"}


class _Sheet:
    """A report sheet: formats, a running row, tables and native charts."""

    def __init__(self, wb, name: str, widths: list[int]):
        self.wb, self.ws, self.name, self.row = wb, wb.add_worksheet(name), name, 0
        self.last_rows: list[list] = []  # the last table's rows: the scale of the chart drawn from it
        for k, w in enumerate(widths):
            self.ws.set_column(k, k, w)
        self.ws.set_paper(9)            # A4, printed one page wide (the tables and charts side by side)
        self.ws.fit_to_pages(1, 0)
        f = wb.add_format
        self.bold = f({"bold": True})
        self.center = f({"bold": True, "align": "center"})
        self.plain_center = f({"align": "center"})
        self.italic_center = f({"italic": True, "align": "center"})
        self.title = f({"bold": True, "font_size": 14, "align": "center"})
        self.note = f({"italic": True, "font_color": "#7F6000", "text_wrap": True, "valign": "top"})
        self.head = f({"bold": True, "bg_color": "#" + L.COLOR_HEADER, "border": 1, "text_wrap": True,
                       "valign": "vcenter", "border_color": "#" + L.COLOR_BORDER})
        self.cell = f({"border": 1, "border_color": "#" + L.COLOR_BORDER})
        self.date = f({"border": 1, "border_color": "#" + L.COLOR_BORDER, "num_format": "dd/mm/yyyy"})

    def heading(self, meta: dict, title: str, width: int = 8) -> None:
        """The administrative heading (Nghị định 30/2020, as the dossier's documents): the issuing
        body under its People's Committee, the national name and motto, number, place and date
        (left for the signer), then the title, the year and the addressee."""
        from cdht.dossier.style import MOTTO, NATIONAL_NAME
        from cdht.ops.dossier import place_name

        ws, tier = self.ws, meta["tier"]
        half = max(2, width // 2 - 1)
        name = str(meta["unit_name"] or meta["unit"] or "……")
        self.width = width
        ws.merge_range(0, 0, 0, half, f"ỦY BAN NHÂN DÂN {name.upper()}", self.center)
        ws.merge_range(1, 0, 1, half, _BODY.get(tier, ""), self.center)
        ws.merge_range(2, 0, 2, half, f"Số:       /BC-{_SYMBOL.get(tier, '')}", self.plain_center)
        ws.merge_range(0, half + 1, 0, width, NATIONAL_NAME, self.center)
        ws.merge_range(1, half + 1, 1, width, MOTTO, self.center)
        ws.merge_range(2, half + 1, 2, width, f"{place_name(name)}, ngày      tháng      năm {meta['year'] + 1}",
                       self.italic_center)
        ws.merge_range(4, 0, 4, width, title, self.title)
        ws.merge_range(5, 0, 5, width, f"Năm đánh giá {meta['year']} — Kính gửi: {_TO.get(tier, '')}", self.center)
        self.row = 7
        if not meta.get("merged", True):
            ws.merge_range(self.row, 0, self.row + 1, width, NOT_MERGED_TEXT, self.note)
            self.row += 3

    def print_heading_width(self) -> None:
        """Print the sheet as wide as its heading: long texts running past the last column (the
        indicators' wording) would otherwise shrink the one-page-wide printout."""
        self.ws.print_area(0, 0, max(self.row, 1), self.width)

    def section(self, text: str) -> None:
        self.ws.write(self.row, 0, text, self.bold)
        self.row += 1

    def text(self, text: str, fmt=None) -> None:
        self.ws.write(self.row, 0, text, fmt)
        self.row += 1

    def table(self, headers: list[str], rows) -> tuple[int, int]:
        """Write a table at the running row; returns (first data row, last data row), 0-based."""
        ws = self.ws
        ws.set_row(self.row, 30)
        for c, h in enumerate(headers):
            ws.write(self.row, c, h, self.head)
        first = self.row + 1
        self.last_rows = [list(r) for r in rows]
        for r, vals in enumerate(rows, start=first):
            for c, v in enumerate(vals):
                self._put(r, c, v)
        last = first + len(rows) - 1
        self.row = max(last, first) + 2
        return first, last

    def _put(self, r: int, c: int, v) -> None:
        if v is None or v is pd.NaT or (not isinstance(v, str) and pd.isna(v)):
            self.ws.write_blank(r, c, None, self.cell)
        elif isinstance(v, (pd.Timestamp, dt.date)):
            self.ws.write_datetime(r, c, pd.Timestamp(v).to_pydatetime(), self.date)
        elif isinstance(v, (bool, np.bool_)):
            self.ws.write(r, c, "Có" if v else "Không", self.cell)
        elif isinstance(v, str):  # text from the sources is data: cleaned as every write cleans it, never a formula or link
            self.ws.write_string(r, c, sheet_text(v), self.cell)
        elif hasattr(v, "item"):
            self.ws.write(r, c, v.item(), self.cell)
        else:
            self.ws.write(r, c, v, self.cell)

    def chart(self, kind: str, title: str, cats: tuple[int, int, int], series: list[tuple[str, int]],
              at: str, subtype: str | None = None, y_title: str = "Số đơn vị") -> None:
        """A native chart: ``cats`` = (first row, last row, column) of the categories, ``series``
        = (name, column) each over the same rows."""
        first, last, col = cats
        if last < first:
            return
        ch = self.wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
        for name, c in series:
            ch.add_series({"name": name, "categories": [self.name, first, col, last, col],
                           "values": [self.name, first, c, last, c], "data_labels": {"value": True, "num_format": "0.#;-0.#;;@"},
                           **({"gap": 60} if kind == "bar" else {})})
        ch.set_title({"name": title, "name_font": {"size": 12}})
        value_axis = {"name": y_title, "min": 0, **self._scale([c for _, c in series], subtype == "stacked", y_title)}
        category_axis = {"interval_unit": 1, **({"reverse": True} if kind == "bar" else {})}
        (ch.set_x_axis if kind == "bar" else ch.set_y_axis)(value_axis)
        (ch.set_y_axis if kind == "bar" else ch.set_x_axis)(category_axis)
        ch.set_legend({"position": "bottom"})
        n = last - first + 1
        height = max(320, 90 + n * 18 * (len(series) if subtype != "stacked" else 1)) if kind == "bar" else 320
        ch.set_size({"width": 560, "height": height})
        self.ws.insert_chart(at, ch)

    def _scale(self, cols: list[int], stacked: bool, y_title: str) -> dict:
        """Whole units on a count axis (a step of 1 for small numbers), 0–100 for a percentage."""
        if y_title == "%":
            return {"max": 100, "major_unit": 20}
        nums = [[float(v) for k, v in enumerate(r) if k in cols and isinstance(v, numbers.Real) and not pd.isna(v)]
                for r in self.last_rows]
        top = max((sum(r) if stacked else max(r, default=0) for r in nums), default=0)
        step = max(1.0, top / 8)
        scale = 10 ** (len(str(int(step))) - 1)
        nice = next(m * scale for m in (1, 2, 5, 10) if m * scale >= step)  # 1, 2, 5 × 10^k
        return {"major_unit": nice, "num_format": "0"}


def _close(wb) -> None:
    """Save the workbook; a file that cannot be created (open in Excel, no right to write) is the
    OSError behind xlsxwriter's FileCreateError, which every front-end reports as CDHT-W023."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as e:
        err = e.args[0] if e.args and isinstance(e.args[0], OSError) else OSError(str(e))
        raise err from None


def _level(v) -> str:
    return _LEVEL_TEXT.get(None if v is None or pd.isna(v) else int(v), "")


def _own_block(sh: _Sheet, dash: Dashboard, label: str) -> None:
    sh.section(f"{label}: {_level(dash.meta['own_level'])} (tính lại từ số liệu của sổ)")
    sh.table(["Chỉ tiêu", "Kết quả", "Số liệu", "Nội dung chỉ tiêu"],
             dash.own[["indicator", "verdict", "figures", "text"]].values.tolist())


def _levels_block(sh: _Sheet, dash: Dashboard, what: str) -> None:
    sh.section(f"Số {what} theo mức độ")
    at = f"F{sh.row + 1}"
    first, last = sh.table(["Mức độ", "Tự đánh giá (hồ sơ đã nhận)", "Được công nhận (quyết định còn hiệu lực)"],
                           dash.levels[["label", "self_assessed", "recognised"]].values.tolist())
    sh.chart("column", f"Số {what} theo mức độ", (first, last, 0),
             [("Tự đánh giá", 1), ("Được công nhận", 2)], at)
    sh.row = max(sh.row, first + 16)


def _completeness_block(sh: _Sheet, dash: Dashboard) -> None:
    sh.section(f"Tình hình nộp hồ sơ ({dash.meta['expected']} đơn vị trong danh sách)")
    sh.table(["Nội dung", "Số đơn vị", "Tỷ lệ (%)"], dash.completeness.values.tolist())


def _indicators_sheet(wb, dash: Dashboard, name: str = "Chỉ tiêu") -> None:
    sh = _Sheet(wb, name, [10, 14, 12, 12, 12, 12, 60])
    sh.section(f"Tỷ lệ đơn vị {_TIER_NAMES.get(dash.meta['child_tier'], '')} đạt từng chỉ tiêu "
               "(chỉ tiêu giữ chân nhiều đơn vị nhất ở trên)")
    cols = ["indicator", "units", "pass_level1", "pass_level2", "rate_level1", "rate_level2", "text"]
    first, last = sh.table(["Chỉ tiêu", "Số đơn vị có kết quả", "Đạt mức độ 1", "Đạt mức độ 2",
                            "Tỷ lệ đạt mức độ 1 (%)", "Tỷ lệ đạt mức độ 2 (%)", "Nội dung chỉ tiêu"],
                           dash.indicators[cols].values.tolist())
    sh.chart("bar", "Tỷ lệ đạt theo chỉ tiêu (%)", (first, last, 0),
             [("Mức độ 1", 4), ("Mức độ 2", 5)], "I2", y_title="%")


def _trends_sheet(wb, dash: Dashboard) -> None:
    if len(dash.trend_levels) < 2:
        return
    sh = _Sheet(wb, "Xu hướng", [12, 14, 14, 14, 14, 14, 14])
    sh.section("Số đơn vị theo mức độ qua các năm")
    tl = dash.trend_levels
    rows = [[int(r["year"]), *(r[f"self_assessed_{k}"] for k in (0, 1, 2)),
             *(r[f"recognised_{k}"] for k in (1, 2))] for _, r in tl.iterrows()]
    at = f"I{sh.row + 1}"
    first, last = sh.table(["Năm", "Chưa đạt", "Mức độ 1", "Mức độ 2", "Công nhận mức độ 1", "Công nhận mức độ 2"],
                           [[str(r[0]), *r[1:]] for r in rows])
    sh.chart("column", "Tự đánh giá theo mức độ qua các năm", (first, last, 0),
             [("Chưa đạt", 1), ("Mức độ 1", 2), ("Mức độ 2", 3)], at, subtype="stacked")
    unmerged = [str(int(r["year"])) for _, r in tl.iterrows() if not r["merged"]]
    if unmerged:
        sh.text("Năm chưa tổng hợp (không có số liệu): " + ", ".join(unmerged), sh.note)
    sh.row = max(sh.row, first + 16)
    sh.section("Tỷ lệ đạt mức độ 1 theo chỉ tiêu qua các năm (%)")
    ti = dash.trend_indicators
    years = [c for c in ti.columns if c != "indicator"]
    at = f"I{sh.row + 1}"
    first, last = sh.table(["Chỉ tiêu", *map(str, years)], ti.values.tolist())
    sh.chart("bar", "Tỷ lệ đạt mức độ 1 qua các năm (%)", (first, last, 0),
             [(str(y), k) for k, y in enumerate(years, start=1)], at, y_title="%")


_UNIT_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Trạng thái", "Hồ sơ", "Đúng hạn", "Ngày nhận", "Mức độ tự đánh giá",
                 "Mức độ thẩm định", "Mức độ được công nhận", "Số quyết định", "Ngày quyết định",
                 "Hiệu lực đến", "Hết hiệu lực trong năm tới"]


def _unit_rows(u: pd.DataFrame) -> list[list]:
    return [[r.unit, r.unit_name, r.status, r.receipt, r.on_time, r.received, "" if pd.isna(r.level) else _level(r.level),
             r.appraised_level, r.recognised_level, r.decision, r.decision_date, r.valid_until, r.expiring]
            for r in u.itertuples()]


def _units_sheet(wb, name: str, title: str, u: pd.DataFrame) -> None:
    sh = _Sheet(wb, name, [12, 26, 18, 10, 9, 11, 14, 11, 13, 14, 12, 12, 12])
    sh.section(title)
    sh.table(_UNIT_HEADERS, _unit_rows(u))
    sh.ws.freeze_panes(2, 2)


def district_report(df: pd.DataFrame, out, previous: list[pd.DataFrame] = ()) -> Path:
    """The Phòng GD&ĐT's report to the Sở (before 15/5) from a district's long table: its communes
    with status, level and decision, the district's own result, pass rates, trends."""
    import xlsxwriter

    dash = dashboard_data(df, previous)
    out = Path(out)
    wb = xlsxwriter.Workbook(str(out), {"remove_timezone": True})
    sh = _Sheet(wb, "Báo cáo", [30, 16, 22, 12, 12, 12, 12, 12, 12])
    sh.heading(dash.meta, "BÁO CÁO KẾT QUẢ XÂY DỰNG CỘNG ĐỒNG HỌC TẬP CẤP XÃ VÀ CẤP HUYỆN")
    if dash.meta["merged"]:
        _completeness_block(sh, dash)
        _levels_block(sh, dash, "xã")
        r = dash.recognitions
        sh.text(f"Công nhận còn hiệu lực: {r['in_force']} xã (mức độ 1: {r['in_force_level1']}, mức độ 2: "
                f"{r['in_force_level2']}); công nhận mới năm {dash.meta['year']}: {r['newly_recognised']}; "
                f"hết hiệu lực trong năm tới: {r['expiring']}.")
        sh.row += 1
    _own_block(sh, dash, "Kết quả tự đánh giá của huyện")
    u = units(df, dash.meta["child_tier"])
    _units_sheet(wb, "Danh sách xã", f"Danh sách xã — trạng thái, mức độ, quyết định công nhận (năm {dash.meta['year']})", u)
    if dash.meta["merged"]:
        _indicators_sheet(wb, dash)
    _trends_sheet(wb, dash)
    sh.print_heading_width()
    _close(wb)
    return out


def _summary_rows(ts: pd.DataFrame) -> list[list]:
    return [[r.tier_name, r.units, r.received, r.level_0, r.level_1, r.level_2, r.recognised_1, r.recognised_2,
             r.newly_recognised, r.expiring] for r in ts.itertuples()]


def _districts_sheet(wb, df: pd.DataFrame) -> None:
    """Per district: its own standing and, when communes were carried, its communes by level."""
    sh = _Sheet(wb, "Theo huyện", [12, 26, 18, 10, 9, 11, 14, 11, 13, 14, 12, 12, 12])
    sh.section("Các huyện — trạng thái, mức độ, quyết định công nhận")
    sh.table(_UNIT_HEADERS, _unit_rows(units(df, "huyen")))
    bp = by_parent(df, "xa")
    if bp.empty:
        sh.text("Chưa có danh sách xã của các huyện (chạy với --children THƯ_MỤC_NỘP để lấy từ sổ tổng hợp huyện).",
                sh.note)
        return
    sh.section("Số xã theo huyện và mức độ")
    at = f"O{sh.row + 1}"
    first, last = sh.table(["Huyện", "Số xã", "Đã nhận", "Chưa đạt", "Mức độ 1", "Mức độ 2", "Công nhận mức độ 1",
                            "Công nhận mức độ 2", "Công nhận mới", "Hết hiệu lực trong năm tới"], bp.values.tolist())
    sh.chart("bar", "Số xã theo mức độ tự đánh giá, theo huyện", (first, last, 0),
             [("Chưa đạt", 3), ("Mức độ 1", 4), ("Mức độ 2", 5)], at, subtype="stacked")


def ministry_report(df: pd.DataFrame, out, previous: list[pd.DataFrame] = ()) -> Path:
    """The Sở's report to the Ministry from a province's long table: counts by tier and level,
    recognitions in force, new and expiring, by district where districts exist, trends."""
    import xlsxwriter

    dash = dashboard_data(df, previous)
    out = Path(out)
    wb = xlsxwriter.Workbook(str(out), {"remove_timezone": True})
    sh = _Sheet(wb, "Báo cáo", [18, 10, 12, 11, 11, 11, 13, 13, 12, 14])
    sh.heading(dash.meta, "BÁO CÁO KẾT QUẢ XÂY DỰNG CỘNG ĐỒNG HỌC TẬP", width=9)
    ts = tier_summary(df)
    if not dash.meta["merged"]:
        ts = ts[ts["tier"] == dash.meta["tier"]]
    sh.section("1. Số đơn vị theo cấp và mức độ; công nhận còn hiệu lực, công nhận mới, sắp hết hiệu lực")
    first, last = sh.table(["Cấp", "Số đơn vị", "Đã nhận hồ sơ", "Chưa đạt", "Mức độ 1", "Mức độ 2",
                            "Công nhận mức độ 1 (còn hiệu lực)", "Công nhận mức độ 2 (còn hiệu lực)",
                            "Công nhận mới trong năm", "Hết hiệu lực trong năm tới"], _summary_rows(ts))
    at = f"A{sh.row + 1}"
    sh.chart("column", "Số đơn vị theo cấp và mức độ tự đánh giá", (first, last, 0),
             [("Chưa đạt", 3), ("Mức độ 1", 4), ("Mức độ 2", 5)], at, subtype="stacked")
    sh.row += 17
    if dash.meta["merged"]:
        _completeness_block(sh, dash)
    _own_block(sh, dash, "2. Kết quả tự đánh giá của tỉnh")
    if dash.meta["child_tier"] == "huyen":
        _districts_sheet(wb, df)
    else:
        _units_sheet(wb, "Danh sách xã", "Danh sách xã — trạng thái, mức độ, quyết định công nhận",
                     units(df, dash.meta["child_tier"]))
    if dash.meta["merged"]:
        _indicators_sheet(wb, dash)
        expiring = units(df)
        expiring = expiring[expiring["expiring"]]
        _units_sheet(wb, "Sắp hết hiệu lực", "Đơn vị có quyết định công nhận hết hiệu lực trong năm tới", expiring)
    _trends_sheet(wb, dash)
    sh.print_heading_width()
    _close(wb)
    return out


def report(df: pd.DataFrame, out, previous: list[pd.DataFrame] = ()) -> Path:
    """The report the parent's tier makes: a district's to the Sở, a province's to the Ministry."""
    return (district_report if df.attrs["tier"] == "huyen" else ministry_report)(df, out, previous)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

def export_table(df: pd.DataFrame, out, fmt: str) -> Path:
    """The long table as CSV (UTF-8 with BOM, so Excel reads the Vietnamese) or Parquet (pyarrow,
    the ``report`` extra: a missing pyarrow raises :class:`ReportError` CDHT-R007)."""
    out = Path(out)
    plain = df.copy()
    plain.attrs = {}
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ReportError([finding("CDHT-R007", package="pyarrow", extra="report")]) from None
        plain.to_parquet(out, index=False)
    else:
        plain.to_csv(out, index=False, encoding="utf-8-sig")
    return out
