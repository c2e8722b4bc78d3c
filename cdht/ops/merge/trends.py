""""Tổng quan" over the years and by district (issue 16): the blocks the merge adds to the
dashboard beside this year's figures (:func:`cdht.ops.merge.updates.overview_updates`).

* **Trends** — units by level (self-assessed of the files received; recognised in force) and each
  indicator's level-1 pass rate, for the last ``OVERVIEW_TREND_YEARS`` assessment years, the merged
  year last. An earlier year comes from that year's merged parent given to the merge
  (``--previous``), read by :func:`cdht.ops.report.long_table` — the same reading as ``cdht
  report --previous`` — or, when none is given, stays as an earlier merge wrote it in the block.
  A previous book of another unit, tier or a year not before the merged one is refused with the
  report's codes (R003–R006) and the merge goes on without it; a year never merged has no figures
  (empty cells), not zeros.
* **Districts** — a province over districts: per district, its communes (listed, filed, by
  self-assessed level, recognised) from the commune rows carried up from the district workbooks
  merged (:mod:`cdht.ops.merge.districts`); a district whose workbook was not read this time has
  its row with empty counts, not zeros.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from cdht import contract as L
from cdht.messages import Finding, finding
from cdht.xlsx.fastread import named_rows

_S = L.Status
_GOT = (_S.RECEIVED.value, _S.LATE.value)


@dataclass
class YearFigures:
    """One year of the trend: ``levels`` = self-assessed 0 / 1 / 2, recognised 1 / 2 (None: that
    year's parent was never merged); ``rates``: indicator → level-1 pass rate (%)."""

    year: int
    levels: list | None = None
    rates: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# The earlier years: from --previous books, or as the block holds them
# ---------------------------------------------------------------------------------------------

def from_books(paths, unit: str | None, tier: str, child_tier: str, year: int,
               profile=None) -> tuple[dict[int, YearFigures], list[Finding]]:
    """The figures of each previous year's merged parent (``paths``), checked against the merged
    parent (``unit``, ``tier``, ``year``) with the report's codes. No books: nothing imported
    (the report's reading needs pandas, which a merge without --previous never loads)."""
    if not paths:
        return {}, []
    from cdht.ops import report as R

    out: dict[int, YearFigures] = {}
    problems: list[Finding] = []
    current = SimpleNamespace(attrs={"unit": unit, "tier": tier, "year": year})
    for path in paths or ():
        try:
            df = R.long_table(path, profile=profile)
        except R.ReportError as e:
            problems += e.findings
            continue
        y = int(df.attrs["year"])
        bad = R.check_previous(current, [df]) or (
            [finding("CDHT-R006", file=df.attrs["file"], year=y)] if y in out else [])
        if bad:
            problems += bad
            continue
        out[y] = _figures(df, child_tier, R)
    return out, problems


def _figures(df, child_tier: str, R) -> YearFigures:
    y = int(df.attrs["year"])
    if not df.attrs.get("merged", True):
        return YearFigures(y)
    lv = R.levels(R.units(df, child_tier)).set_index("level")
    levels = [int(lv.loc[k, "self_assessed"]) for k in (0, 1, 2)] + [int(lv.loc[k, "recognised"]) for k in (1, 2)]
    rates = R.indicator_rates(df[df["tier"] == child_tier])
    return YearFigures(y, levels, {r.indicator: float(r.rate_level1) for r in rates.itertuples() if r.units})


def from_block(raw, year: int) -> dict[int, YearFigures]:
    """The earlier years (before ``year``) as the parent's trend blocks hold them."""
    if raw is None or L.N_OV_TREND_LEVELS not in raw.names:
        return {}
    out: dict[int, YearFigures] = {}
    for row in named_rows(raw, L.N_OV_TREND_LEVELS)[2]:
        y = _year(row[0] if row else None)
        if y is not None and y < year:
            nums = row[1:len(L.OVERVIEW_TREND_COLUMNS)]
            out[y] = YearFigures(y, None if all(v is None for v in nums) else [v or 0 for v in nums])
    years = (named_rows(raw, L.N_OV_TREND_YEARS)[2] or [[]])[0]
    _, first, rates = named_rows(raw, L.N_OV_TREND_INDICATORS)
    ids = _indicator_labels(raw, first, len(rates))
    for k, y in enumerate(map(_year, years)):
        if y in out and out[y].levels is not None:
            out[y].rates = {ind: row[k] for ind, row in zip(ids, rates) if k < len(row) and row[k] is not None}
    return out


def _indicator_labels(raw, first: int, n: int) -> list:
    """The indicator ids in column A beside the rates block (fixed words of the template)."""
    from cdht.fingerprint import parse_ref

    sheet = parse_ref(raw.names[L.N_OV_TREND_INDICATORS])[0]
    values = raw.sheets[sheet].values or []
    return [(values[r - 1][0] if r - 1 < len(values) and values[r - 1] else None) for r in range(first, first + n)]


def _year(v) -> int | None:
    try:
        y = int(float(str(v).strip()))
    except (TypeError, ValueError):
        return None
    return y if 1900 < y < 3000 else None


def history(raw, previous, unit, tier: str, child_tier: str, year: int, profile=None):
    """The earlier years to show: the block's, overridden by the ``previous`` books'."""
    kept = from_block(raw, year)
    given, problems = from_books(previous, unit, tier, child_tier, year, profile)
    return {**kept, **given}, problems


def block_rows(raw, name: str) -> int:
    """How many rows the parent's named block ``name`` has (0: the parent lacks it)."""
    from cdht.fingerprint import parse_ref

    ref = parse_ref(raw.names.get(name, "")) if raw is not None else None
    return ref[3] - ref[1] + 1 if ref else 0


# ---------------------------------------------------------------------------------------------
# The blocks
# ---------------------------------------------------------------------------------------------

def trend_rows(history: dict[int, YearFigures], current: YearFigures, ids: list[str]) -> tuple[list, list, list]:
    """(levels rows, the years row, rates rows) of the trend blocks, padded to their size."""
    n = L.OVERVIEW_TREND_YEARS
    years = [history[y] for y in sorted(y for y in history if y < current.year)][-(n - 1):] + [current]
    width = len(L.OVERVIEW_TREND_COLUMNS)
    levels = [[str(f.year), *(f.levels if f.levels is not None else [""] * (width - 1))] for f in years]
    levels += [[""] * width for _ in range(n - len(levels))]
    header = [[str(f.year) for f in years] + [""] * (n - len(years))]
    rates = [[f.rates.get(ind, "") if f.levels is not None else "" for f in years] + [""] * (n - len(years))
             for ind in ids]
    return levels, header, rates


def district_rows(result, rows: list[list], size: int) -> list[list]:
    """Per expected district (the province's rows, in order): its communes counted from the
    commune rows carried up. A district merged before and not read this time (its row in "Đơn vị
    cấp dưới" carried as it was) keeps the counts the block already shows for it — nothing the
    parent showed is lost because a file was not in this merge's folder; any other district
    without a workbook read has empty counts."""
    names = {row[0]: row[1] for row in rows}
    by_district: dict[str, list[dict]] = {}
    for c in result.communes:
        by_district.setdefault(c["district"], []).append(c)
    width = len(L.OVERVIEW_DISTRICT_COLUMNS)
    out = []
    for code in result.expected:
        communes = by_district.get(code)
        if communes:
            counts = _counts(communes)
        elif code in result.carried and code in result.district_before:
            counts = ["" if v is None else v for v in list(result.district_before[code])[:width - 2]]
            counts += [""] * (width - 2 - len(counts))
        else:
            counts = [""] * (width - 2)
        out.append([code, names.get(code, "") or ""] + counts)
    if len(out) > size:
        out = out[:size - 1] + [["", f"… và {len(out) - size + 1} huyện khác", *[""] * (width - 2)]]
    return out + [[""] * width for _ in range(size - len(out))]


def _counts(communes: list[dict]) -> list[int]:
    got = [c for c in communes if c["receipt"] in _GOT]
    return [len(communes), len(got), *(sum(c.get("self_assessed") == k for c in got) for k in (0, 1, 2)),
            *(sum(c["level"] == k for c in communes) for k in (1, 2))]
