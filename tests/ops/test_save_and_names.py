"""The one atomic save (cdht.xlsx.save) and the defined-name helpers (cdht.xlsx.names), on real
openpyxl workbooks."""
from __future__ import annotations

import os
import stat

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from cdht.xlsx.names import first_row, named_bounds, named_cell, named_range, put
from cdht.xlsx.save import TEMP_PREFIX, backup_path, load_for_write, save_atomic, save_safely, write_atomic


def _book(value: str = "một") -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Đơn vị cấp dưới"
    ws["B4"] = value
    wb.defined_names["danh_sach"] = DefinedName("danh_sach", attr_text="'Đơn vị cấp dưới'!$B$4:$D$9")
    wb.defined_names["o_mot"] = DefinedName("o_mot", attr_text="'Đơn vị cấp dưới'!$C$2")
    return wb


def test_save_safely_keeps_a_backup_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "so.xlsx"
    _book("cũ").save(path)
    old = path.read_bytes()
    assert save_safely(_book("mới"), path) is None
    assert backup_path(path).read_bytes() == old
    assert load_for_write(path).active["B4"].value == "mới"
    assert not list(tmp_path.glob(TEMP_PREFIX + "*"))


@pytest.mark.parametrize("lock", ["~$so.xlsx", ".~lock.so.xlsx#"])
def test_save_safely_refuses_an_open_workbook(tmp_path, lock):
    path = tmp_path / "so.xlsx"
    _book("cũ").save(path)
    old = path.read_bytes()
    (tmp_path / lock).write_text("")
    problem = save_safely(_book("mới"), path)
    assert problem.code == "CDHT-W022" and lock in problem.message
    assert path.read_bytes() == old and not backup_path(path).exists()


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path):
    path = tmp_path / "so.xlsx"
    path.write_bytes("gốc".encode())

    def broken(tmp):
        with open(tmp, "wb") as f:
            f.write("nửa".encode())
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomic(path, broken)
    assert path.read_bytes() == "gốc".encode() and os.listdir(tmp_path) == ["so.xlsx"]


def test_save_atomic_creates_the_folder_and_shares_the_file(tmp_path):
    path = tmp_path / "mau" / "2025" / "bieu-mau.xlsx"
    save_atomic(_book(), path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert openpyxl.load_workbook(path).active["B4"].value == "một"


def test_names_locate_sheets_ranges_and_cells():
    wb = _book()
    ws, ref = named_range(wb, "danh_sach")
    assert ws.title == "Đơn vị cấp dưới" and ref == "B4:D9"
    assert named_bounds(wb, "danh_sach") == (ws, 4, 2, 9, 4)
    assert first_row(wb, "danh_sach") == 4
    assert named_cell(wb, "danh_sach").value == "một" and named_cell(wb, "o_mot").coordinate == "C2"
    with pytest.raises(KeyError):
        named_range(wb, "khong_co")


def test_put_keeps_text_that_looks_like_a_formula_as_text():
    ws = openpyxl.Workbook().active
    put(ws["A1"], "=SUM(1,2)")
    put(ws["A2"], 3)
    assert ws["A1"].data_type == "s" and ws["A1"].value == "=SUM(1,2)"
    assert ws["A2"].data_type == "n"
