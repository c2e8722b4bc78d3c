"""Nothing is lost (issue 18): what a merge writes into the parent must fit where the next reading
looks. "Sổ công nhận" is read inside its named range only, so more decisions than its rows is
refused before anything is written (M044); "Đơn vị cấp dưới" is the merge's own below its header
and grows past its named range safely (read whole); the merge log grows to Excel's last row, then
is refused (M046); a hand-edited ``_meta`` list of lower units is a finding (M045), never an
exception. Every merge runs under a timeout (:func:`tests.test_hostile.alarm`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from cdht import contract as L
from cdht.fill import load, write_rows
from cdht.ops.merge import capacity, merge
from tests.merge_fixtures import H01_COMMUNES, YEAR
from tests.test_hostile import alarm, inbox_with, merged, mutate

def _decisions(codes, level: int = 1) -> list[list]:
    return [[c, f"Xã {c}", level, f"{k}/QĐ-UBND", dt.datetime(YEAR, 3, 20), "Ủy ban nhân dân huyện"]
            for k, c in enumerate(codes, start=1)]


def _with_register(path: Path, rows: list[list]) -> Path:
    wb = load(path)
    write_rows(wb, L.N_REGISTER, rows)
    wb.save(path)
    return path


def _register_size(path: Path) -> int:
    from cdht.xlsx.names import named_bounds
    _, r1, _, r2, _ = named_bounds(load(path), L.N_REGISTER)
    return r2 - r1 + 1


# -------------------------------------------------------------------------------------------------
# 1. The register: refused before writing when the decisions do not fit its range
# -------------------------------------------------------------------------------------------------

@pytest.fixture
def full_register(kit, tmp_path):
    """A blank parent whose register is full, last year's book with one decision more, an inbox."""
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)
    size = _register_size(parent)
    _with_register(parent, _decisions([f"X{k:04d}" for k in range(1, size + 1)]))
    last_year = _with_register(kit.parent(tmp_path / "nam-truoc.xlsx", unit=None), _decisions(["X9999"]))
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    return parent, last_year, inbox, size


def test_a_register_overflow_is_refused_and_nothing_is_written(full_register):
    parent, last_year, inbox, size = full_register
    before, stat = parent.read_bytes(), parent.stat()
    with alarm(120):
        r = merge(parent, [inbox], register_from=last_year)
    assert not r.written
    [f] = [f for f in r.findings if f.code == "CDHT-M044"]
    assert f.file == parent.name and f.sheet == L.SHEET_REGISTER
    assert f.facts["rows"] == size + 1 and f.facts["size"] == size
    assert str(size) in f.message and "cdht generate --units" in f.fix
    assert parent.read_bytes() == before and parent.stat().st_mtime_ns == stat.st_mtime_ns
    assert not (parent.parent / (parent.name + ".bak")).exists()  # not even a backup: nothing was written
    with alarm(120):
        dry = merge(parent, [inbox], register_from=last_year, dry_run=True)
    assert "CDHT-M044" in [f.code for f in dry.findings]  # the dry run says so too


def test_the_cli_refuses_a_register_overflow_with_its_code(full_register):
    from tests.test_hostile import cli
    parent, last_year, inbox, _ = full_register
    before = parent.read_bytes()
    res = cli("merge", parent, inbox, "--register-from", last_year, timeout=180)
    assert res.returncode == 2 and "CDHT-M044" in res.stdout, res.stdout + res.stderr
    assert parent.read_bytes() == before


def test_a_register_filled_to_its_last_row_is_written_whole(full_register):
    parent, _, inbox, size = full_register
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written and "CDHT-M044" not in [f.code for f in r.findings]
    assert len(r.register) == size
    from cdht.ops.register import read_register
    from cdht.xlsx.fastread import read_raw
    assert len(read_register(read_raw(parent), parent.name)[0]) == size


# -------------------------------------------------------------------------------------------------
# 2. "Đơn vị cấp dưới": the merge's own rows below the header, read whole past the named range
# -------------------------------------------------------------------------------------------------

def test_a_children_list_longer_than_its_range_keeps_every_unit(kit, tmp_path):
    """A blank parent accepts any unit (an open list): after more units than the range's 1,000 rows
    were merged, the next merge still sees every one of them — before, the rows past the range were
    not read: the units there were refused as unknown (M004) and the merge rewrote the list
    without them."""
    from cdht.xlsx.names import named_bounds
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)
    wb = openpyxl.load_workbook(parent)
    ws, header, _, last, _ = named_bounds(wb, L.N_CHILDREN)
    cols = L.child_columns(kit.edition.tier("xa"))
    n = last - header + 1  # one unit more than the range holds; the last one is the unit sending its file now
    codes = [f"C{k:04d}" for k in range(1, n)]
    for k, code in enumerate(codes, start=header + 1):
        row = {"Mã đơn vị": code, "Tên đơn vị": f"Xã {code}", "Trạng thái": L.Status.RECEIVED.value,
               "Đúng hạn": "Có", "Tệp": f"{code}.xlsx", "SHA-256": f"{k:012x}",
               "Thời điểm tổng hợp": f"{YEAR + 1}-03-01 08:00:00"}
        for h, v in row.items():
            ws.cell(k, cols.index(h) + 1, v)
    unit = H01_COMMUNES[0]
    ws.cell(header + n, 1, unit)
    ws.cell(header + n, 3, L.STATUS_MISSING)
    wb.save(parent)
    inbox = inbox_with(kit, tmp_path / "inbox", [unit])
    with alarm(240):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == [unit] and not r.refused
    assert set(codes) <= set(r.expected) and set(codes) == set(r.carried)
    ws = openpyxl.load_workbook(parent, read_only=True)[L.SHEET_CHILDREN]
    written = {row[0]: row for row in ws.iter_rows(min_row=header + 1, values_only=True) if row[0]}
    assert set(written) == set(codes) | {unit}
    assert written[codes[-1]][cols.index("SHA-256")] == f"{header + n - 1:012x}"  # carried as it was
    assert written[unit][2] == L.Status.RECEIVED.value


# -------------------------------------------------------------------------------------------------
# 3. The merge log: grows to Excel's last row, then refused
# -------------------------------------------------------------------------------------------------

def _raw(log_rows: int):
    ref = f"'{L.SHEET_LOG}'!$A$4:$G$4"
    return SimpleNamespace(names={L.N_LOG: ref}, sheets={L.SHEET_LOG: SimpleNamespace(values=[[]] * log_rows)})


def test_log_overflow_at_excels_last_row():
    limit = capacity.EXCEL_MAX_ROWS
    assert capacity.log_overflow(_raw(limit - 10), "p.xlsx", 10) is None
    f = capacity.log_overflow(_raw(limit - 10), "p.xlsx", 11)
    assert f.code == "CDHT-M046" and f.sheet == L.SHEET_LOG and f.facts["limit"] == limit
    assert capacity.log_overflow(SimpleNamespace(names={}, sheets={}), "p.xlsx", 10**7) is None


def test_a_merge_whose_log_would_pass_the_last_row_writes_nothing(kit, tmp_path, monkeypatch):
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx", unit=None)
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    monkeypatch.setattr(capacity, "EXCEL_MAX_ROWS", L.HEADER_ROW + 1)  # room for one row only
    before = parent.read_bytes()
    with alarm(120):
        r = merge(parent, [inbox])
    assert not r.written and "CDHT-M046" in [f.code for f in r.findings]
    assert parent.read_bytes() == before


# -------------------------------------------------------------------------------------------------
# 4. A hand-edited _meta list of lower units: a finding, never an exception
# -------------------------------------------------------------------------------------------------

META_CHILDREN = rb'\["MAU-X0101"[^<]*\]'


@pytest.mark.parametrize("value", [b'{"a":1}', b'[1,[2]]', b'[null]', b'5', b'null', b'[" "]', b'[[[[[[['],
                         ids=["object", "nested", "null_item", "number", "null", "blank_code", "broken"])
def test_a_malformed_meta_children_list_is_a_finding(kit, tmp_path, value):
    issued = kit.parent(tmp_path / "issued.xlsx")
    (tmp_path / "tong-hop").mkdir()
    parent = mutate(issued, tmp_path / "tong-hop" / "parent.xlsx", "xl/worksheets/sheet14.xml", META_CHILDREN,
                    value.replace(b'"', b"&quot;"))
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    with alarm(120):
        r = merge(parent, [inbox])  # the source never crashes the merge
    [f] = [f for f in r.findings if f.code == "CDHT-M045"]
    assert f.file == parent.name and f.sheet == L.SHEET_META
    assert "CDHT-M019" in [f.code for f in r.findings]  # no registry list: 4.1 not derived, as it says
    assert r.written and merged(r) == H01_COMMUNES[:2]  # the codes are not made up from the garbage


def test_an_issued_list_still_reads(kit, tmp_path):
    parent = kit.parent(tmp_path / "tong-hop" / "parent.xlsx")
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    with alarm(120):
        r = merge(parent, [inbox], dry_run=True)
    assert not [f for f in r.findings if f.code in ("CDHT-M045", "CDHT-M019")]
    assert r.expected == H01_COMMUNES
