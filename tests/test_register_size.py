"""The size of "Sổ công nhận" (issue 16): sized when the parent is issued, from the registry's lower
units with a margin (its named range is in the layout fingerprint: no merge may grow it). A
province of 3,321 communes (the two-tier edition: every commune of the country under one
province) holds two decisions per commune, and every one of them is read back."""
from __future__ import annotations

import datetime as dt

from cdht import contract as L
from cdht.edition import load_edition
from cdht.fill import load, write_rows
from cdht.ops.register import read_register
from cdht.units import Unit, UnitList
from cdht.xlsx.fastread import read_raw
from cdht.xlsx.names import named_bounds
from cdht_generator.api import generate
from tests.merge_fixtures import TWO_TIER

YEAR = 2026
COMMUNES = 3321


def _rows(path) -> int:
    wb = load(path)
    _, r1, _, r2, _ = named_bounds(wb, L.N_REGISTER)
    return r2 - r1 + 1


def test_register_size_rule():
    assert L.register_size(0) == L.REGISTER_ROWS == 500       # unknown (a blank template): the minimum
    assert L.register_size(12) == 500                           # a district of 12 communes
    assert L.register_size(167) == 600                          # 501 rows wanted → the next hundred
    assert L.register_size(COMMUNES) == 10_000                  # 9,963 wanted


def test_blank_template_keeps_the_minimum(tmp_path):
    path = generate(load_edition(TWO_TIER), "tinh", YEAR, tmp_path)[0]
    assert _rows(path) == L.REGISTER_ROWS


def test_province_of_3321_communes_holds_every_decision(tmp_path):
    edition = load_edition(TWO_TIER)
    units = UnitList([Unit("T", "Tỉnh Thử", "tinh", None, False)]
                     + [Unit(f"X{k:04d}", f"Xã {k}", "xa", "T", False) for k in range(1, COMMUNES + 1)])
    path = generate(edition, "tinh", YEAR, tmp_path, units=units)[0]
    assert _rows(path) >= 2 * COMMUNES and _rows(path) == L.register_size(COMMUNES)
    decisions = [[f"X{k:04d}", f"Xã {k}", level, f"{k}-{level}/QĐ-UBND", dt.datetime(YEAR - 1 + level, 3, 20),
                  "Ủy ban nhân dân tỉnh"] for k in range(1, COMMUNES + 1) for level in (1, 2)]
    wb = load(path)
    write_rows(wb, L.N_REGISTER, decisions)
    wb.save(path)
    read, problems = read_register(read_raw(path), path.name, edition.settings)
    assert not problems
    assert len(read) == 2 * COMMUNES
    assert {(d.unit, d.level) for d in read} == {(row[0], row[2]) for row in decisions}
