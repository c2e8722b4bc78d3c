"""Builders for the merge tests: issued templates, filled commune workbooks, parents, registers.

Everything is generated from the catalogue into a temporary folder. A commune is filled with the
passing values of :data:`tests.corpus.PASSING`, one complete evidence row per indicator and a
council appraisal at the requested level; its mtime (the "received" date) is set explicitly.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import openpyxl

from cdht import contract as L
from cdht_generator.api import generate
from cdht.edition import Edition, load_edition
from cdht.units import read_units
from cdht.fill import cell_of, evidence_for, fill, named_values

CATALOGUE = Path(__file__).resolve().parent.parent / "cdht" / "catalogue"
SAMPLE_UNITS_CSV = CATALOGUE / "don-vi-mau.csv"
TWO_TIER = CATALOGUE / "tt25-2023-hai-cap.yaml"
YEAR = 2026
EVIDENCE_DATE = dt.date(YEAR, 6, 1)
DEADLINE = dt.date(YEAR + 1, 2, 28)            # commune dossiers: before 28/02 N+1
ON_TIME = dt.datetime(YEAR + 1, 2, 10, 9, 0)    # received on time
LATE = dt.datetime(YEAR + 1, 3, 5, 9, 0)        # received after the deadline
H01_COMMUNES = [f"MAU-X010{i}" for i in range(1, 7)]
H02_COMMUNES = [f"MAU-X020{i}" for i in range(1, 7)]

COMMUNE_VALUES = {
    "tong_so_cong_dan": 1000, "vung_kho_khan": "Không",
    **{f"xa_{c}_{i}": "Đạt" for c in (1, 2, 3) for i in (1, 2, 3)},
    "xa_4_1": "Đạt", "xa_4_2": 3, "xa_4_3": 3, "xa_4_4": 2,
    "xa_5_1_so_cong_dan_hoc_tap": 850, "xa_5_2_so_duoc_dao_tao": 650, "xa_5_2_so_dai_hoc": 160,
}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def set_mtime(path: Path, when: dt.datetime) -> Path:
    ts = when.timestamp()
    os.utime(path, (ts, ts))
    return path


def appraisal(tier, level: int | None) -> dict:
    """The council's verdicts: every indicator "Đạt" at ``level`` (0: one "Không đạt")."""
    if level is None:
        return {}
    out = {L.appraisal_name(i.id): "Đạt" for i in tier.indicators}
    out[L.N_APPRAISAL_TARGET] = level or 2
    if level == 0:
        out[L.appraisal_name(tier.indicators[0].id)] = "Không đạt"
    return out


class Kit:
    """Templates generated once into ``root``; builders copy and fill them."""

    def __init__(self, root: Path, edition: Edition | None = None, units_csv: Path = SAMPLE_UNITS_CSV,
                 year: int = YEAR):
        self.root = Path(root)
        self.edition = edition or load_edition()
        self.units = read_units(units_csv)[0]
        self.year = year
        self._cache: dict = {}

    def template(self, tier: str, unit: str | None = None) -> Path:
        """The issued template of ``unit`` (``None``: the blank, unit-less template)."""
        key = (tier, unit)
        if key not in self._cache:
            folder = self.root / "mau" / self.edition.id / tier / (unit or "trong")
            if unit is None:
                self._cache[key] = generate(self.edition, tier, self.year, folder)[0]
            else:
                self._cache[key] = generate(self.edition, tier, self.year, folder, units=self.units,
                                            unit_code=unit)[0]
        return self._cache[key]

    def parent(self, out: Path, unit: str | None = "MAU-H01", tier: str = "huyen",
               values: dict | None = None) -> Path:
        """A fresh copy of the parent's workbook (``unit=None``: blank, accepts any unit)."""
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template(tier, unit), out)
        if values:
            wb = openpyxl.load_workbook(out)
            for k, v in values.items():
                cell_of(wb, k).value = v
            wb.save(out)
        return out

    def commune(self, out: Path, unit: str, *, appraised: int | None = 2, overrides: dict | None = None,
                evidence: bool = True, when: dt.datetime = ON_TIME, blank: bool = False,
                name: str | None = None, tier: str = "xa") -> Path:
        """A filled child workbook of ``unit`` (from its own template, or the blank one with the
        unit code and name typed in)."""
        t = self.edition.tier(tier)
        values = dict(COMMUNE_VALUES)
        if blank:
            values.update(don_vi_ma=unit, don_vi_ten=name or f"Xã {unit}")
        elif name is not None:
            values["don_vi_ten"] = name
        values.update(overrides or {})
        ev = evidence_for(t, EVIDENCE_DATE) if evidence else None
        p = fill(self.template(tier, None if blank else unit), out, values, evidence=ev,
                 appraisal=appraisal(t, appraised))
        return set_mtime(p, when)


def write_register(parent: Path, decisions: list[tuple]) -> Path:
    """Type decisions (unit, name, level, number, date, issuer) into the parent's register."""
    wb = openpyxl.load_workbook(parent)
    sheet, ref = next(iter(wb.defined_names[L.N_REGISTER].destinations))
    ws = wb[sheet]
    first_row = ws[ref.replace("$", "")][0][0].row
    for k, dec in enumerate(decisions):
        for j, v in enumerate(dec, start=1):
            ws.cell(first_row + k, j, v)
    wb.save(parent)
    return parent


def unit_list_csv(path: Path, district: str, n: int, province: str = "THU-T01") -> Path:
    """A unit list: one province, one district with ``n`` communes (THU-X01..)."""
    lines = ["ma,ten,cap,ma_cap_tren,vung_kho_khan",
             f"{province},Tỉnh Thử,tinh,,Không",
             f"{district},Huyện Thử,huyen,{province},Không"]
    lines += [f"THU-X{k:02d},Xã Thử {k},xa,{district},Không" for k in range(1, n + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sheet_cells(path: Path, skip: tuple[str, ...] = ()) -> dict[str, dict[str, object]]:
    """Every sheet's non-empty cell values by coordinate (sheets in ``skip`` left out)."""
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                for ws in wb.worksheets if ws.title not in skip}
    finally:
        wb.close()


named = named_values  # the tests of the merge call it by its short name


def rows_of(path: Path, name: str) -> list[list]:
    """Data rows (below the header) of the sheet holding defined name ``name``."""
    wb = openpyxl.load_workbook(path)
    try:
        sheet, _ = next(iter(wb.defined_names[name].destinations))
        ws = wb[sheet]
        return [list(r) for r in ws.iter_rows(min_row=L.HEADER_ROW + 1, values_only=True)
                if any(v not in (None, "") for v in r)]
    finally:
        wb.close()
