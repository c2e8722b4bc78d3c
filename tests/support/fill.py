"""Fill a generated template by defined name with openpyxl — the way tests play a commune officer."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from cdht import contract as L
from cdht_generator.workbook import writable_cell


def cell_of(wb, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def named_values(path: Path, names) -> dict:
    """Current values of single-cell defined names (as openpyxl reads them)."""
    wb = openpyxl.load_workbook(path)
    try:
        return {n: cell_of(wb, n).value for n in names}
    finally:
        wb.close()


def fill(template: str | Path, out: str | Path, values: dict, evidence: list[list] | None = None,
         appraisal: dict | None = None) -> Path:
    """Copy ``template`` to ``out`` with ``values`` (name → value) and evidence rows written."""
    wb = openpyxl.load_workbook(template)
    for name, v in {**values, **(appraisal or {})}.items():
        cell_of(wb, name).value = v
    if evidence:
        sheet, ref = next(iter(wb.defined_names[L.N_EVIDENCE].destinations))
        first = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
        ws = wb[sheet]
        for i, row in enumerate(evidence):
            for j, v in enumerate(row, start=1):
                writable_cell(ws, first + i, j).value = v
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def evidence_for(tier, date: dt.date) -> list[list]:
    """One complete evidence row per indicator of ``tier`` (ready-to-file data)."""
    return [[f"MC{k:02d}", ind.id, f"Văn bản minh chứng {ind.id}", f"{k}/KH-UBND", date,
             "Ủy ban nhân dân", None, None] for k, ind in enumerate(tier.indicators, start=1)]
