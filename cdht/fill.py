"""Fill a workbook's inputs by defined name — the way a commune officer types them.

The demo (``cdht demo``), the scripts (benchmarks, the README's pictures) and the tests all play
the officer with these helpers: values go into the cells their workbook-scoped defined names point
at, evidence rows into the evidence register (``minh_chung``), never to hard-coded coordinates.
Nothing here judges a workbook; reading one back for assessment is :mod:`cdht.read`.

:data:`SAMPLE_INPUTS` are SAMPLE DATA for the shipped edition (Thông tư 25/2023): inputs that reach
level 2 on every indicator of a tier, each bar met with a margin.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from cdht import contract as L
from cdht.xlsx.book import load_workbook
from cdht_generator.workbook import writable_cell

__all__ = ["SAMPLE_INPUTS", "cell_of", "evidence_for", "fill", "load", "named_values", "write_evidence",
           "write_rows", "write_values"]

# Inputs that reach level 2 on every indicator of a tier of the shipped edition (sample data).
SAMPLE_INPUTS: dict[str, dict] = {
    "xa": {
        "tong_so_cong_dan": 1000, "vung_kho_khan": "Không",
        **{f"xa_{c}_{i}": "Đạt" for c, n in ((1, 3), (2, 3), (3, 3)) for i in range(1, n + 1)},
        "xa_4_1": "Đạt", "xa_4_2": 3, "xa_4_3": 3, "xa_4_4": 2,
        "xa_5_1_so_cong_dan_hoc_tap": 850, "xa_5_2_so_duoc_dao_tao": 650, "xa_5_2_so_dai_hoc": 160,
    },
    "huyen": {
        **{f"huyen_{c}_{i}": "Đạt" for c, n in ((1, 3), (2, 4), (3, 3)) for i in range(1, n + 1)},
        "huyen_4_1_tong_so_xa": 30, "huyen_4_1_so_xa_muc_do_1": 29, "huyen_4_1_so_xa_muc_do_2": 28,
        "huyen_4_2_nam_nay": 62.5, "huyen_4_2_nam_truoc": 58.1,
        "huyen_4_3_nam_nay": 71.2, "huyen_4_3_nam_truoc": 70.4,
    },
    "tinh": {
        **{f"tinh_{c}_{i}": "Đạt" for c, n in ((1, 3), (2, 5), (3, 3)) for i in range(1, n + 1)},
        "tinh_3_4_so_chuong_trinh": 5, "tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": "Có",
        "tinh_4_1_tong_so_huyen": 10, "tinh_4_1_so_huyen_muc_do_1": 10, "tinh_4_1_so_huyen_muc_do_2": 9,
        "tinh_4_2_nam_nay": 3.1, "tinh_4_2_nam_truoc": 4.2,
        "tinh_4_3_nam_nay": 125000, "tinh_4_3_nam_truoc": 118000,
    },
}


def load(path: str | Path):
    """The workbook at ``path`` opened with openpyxl for writing (its extension warnings silenced)."""
    return load_workbook(path)  # (openpyxl without numpy: cdht.xlsx.book)


def cell_of(wb, name: str):
    """The cell a single-cell, workbook-scoped defined name points at."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def named_values(path: str | Path, names: Iterable[str]) -> dict:
    """Current values of single-cell defined names (as openpyxl reads them)."""
    wb = load(path)
    try:
        return {n: cell_of(wb, n).value for n in names}
    finally:
        wb.close()


def write_values(wb, values: Mapping[str, object]) -> None:
    """Write ``values`` (defined name → value; ``None`` clears the cell) into an open workbook."""
    for name, v in values.items():
        cell_of(wb, name).value = v


def write_rows(wb, name: str, rows: Iterable[list]) -> None:
    """Write ``rows`` from the first row (and column) of the named list range ``name`` on, keeping
    the list's unlocked row format."""
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    start = ref.replace("$", "").split(":")[0]
    first = int("".join(ch for ch in start if ch.isdigit()))
    from openpyxl.utils import column_index_from_string  # (wb given: openpyxl is loaded)

    col = column_index_from_string("".join(ch for ch in start if ch.isalpha()))
    ws = wb[sheet]
    for i, row in enumerate(rows):
        for j, v in enumerate(row, start=col):
            writable_cell(ws, first + i, j).value = v


def write_evidence(wb, rows: Iterable[list]) -> None:
    """Write evidence rows (Mã, Chỉ tiêu, Tên, Số/ký hiệu, Ngày, Cơ quan, Tệp, Ghi chú) into the
    evidence register (``minh_chung``) from its first row on."""
    write_rows(wb, L.N_EVIDENCE, rows)


def fill(template: str | Path, out: str | Path, values: Mapping[str, object],
         evidence: list[list] | None = None, *, appraisal: Mapping[str, object] | None = None,
         register: list[list] | None = None, when: dt.datetime | None = None) -> Path:
    """Copy ``template`` to ``out`` with ``values`` and ``appraisal`` (name → value), the
    ``evidence`` rows and the ``register`` rows (decisions typed into "Sổ công nhận": Mã đơn vị,
    Tên đơn vị, Mức độ, Số quyết định, Ngày quyết định, Cơ quan quyết định) written; ``when`` sets
    the file's modification time (the time it was "received"). The template is never modified."""
    wb = load(template)
    write_values(wb, {**values, **(appraisal or {})})
    if evidence:
        write_evidence(wb, evidence)
    if register:
        write_rows(wb, L.N_REGISTER, register)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    if when:
        ts = when.timestamp()
        os.utime(out, (ts, ts))
    return out


def evidence_for(tier, date: dt.date) -> list[list]:
    """One complete evidence row per indicator of ``tier`` (ready-to-file sample data)."""
    return [[f"MC{k:02d}", ind.id, f"Văn bản minh chứng {ind.id}", f"{k}/KH-UBND", date,
             "Ủy ban nhân dân", None, None] for k, ind in enumerate(tier.indicators, start=1)]
