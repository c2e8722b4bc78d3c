"""Writes that keep what was there, and text from sources as data (issue 18), for the writers the
first rounds left out: the dossier's outlines (a planted link is never written through), the
temporary files and folders of killed runs (cleaned by any later run: a dry-run merge, a dossier),
the report's and the add-in's cells (the one cleaning of every write) and ``cdht dossier`` on a
folder it cannot write (a coded message, never A001). Each case under a timeout."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

import cdht.xlsx.save as save_mod
from cdht.dossier import GUIDE, TEMPLATES
from cdht.ops.dossier import TEMP_FOLDER, build_dossier, write_outlines
from cdht.ops.merge import merge
from tests.merge_fixtures import H01_COMMUNES, YEAR
from tests.test_hostile import POSIX, alarm, cli, inbox_with


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _tag() -> str:
    return save_mod.temp_prefix().split("-")[1]  # this machine's


# -------------------------------------------------------------------------------------------------
# 1. The outlines: a link planted under one of their names is never written through
# -------------------------------------------------------------------------------------------------

@POSIX
def test_outlines_never_write_through_a_planted_link(tmp_path):
    out, victim = tmp_path / "mau", tmp_path / "elsewhere.docx"
    out.mkdir()
    victim.write_bytes(b"the user's own file")
    name = next(iter(TEMPLATES.values()))
    (out / name).symlink_to(victim)
    problems: list = []
    with alarm(60):
        written = write_outlines(out, problems)
    assert victim.read_bytes() == b"the user's own file" and (out / name).is_symlink()
    assert [(f.code, f.file) for f in problems] == [("CDHT-W052", name)]
    assert sorted(p.name for p in written) == sorted({*TEMPLATES.values(), GUIDE} - {name})
    assert all(p.is_file() and not p.is_symlink() and p.stat().st_size > 0 for p in written)
    assert not [p for p in out.iterdir() if p.name.startswith(save_mod.TEMP_PREFIX)]


@POSIX
def test_the_outlines_command_says_so_and_fails(tmp_path):
    out, victim = tmp_path / "mau", tmp_path / "elsewhere.docx"
    out.mkdir()
    victim.write_bytes(b"mine")
    (out / GUIDE).symlink_to(victim)
    res = cli("dossier", "--outlines", "--out", out, timeout=120)
    assert res.returncode == 1 and "CDHT-W052" in res.stderr and "CDHT-A001" not in res.stdout + res.stderr
    assert victim.read_bytes() == b"mine"


def test_outlines_are_written_again_over_the_previous_ones(tmp_path):
    first = write_outlines(tmp_path)
    (tmp_path / GUIDE).write_bytes(b"old")
    again = write_outlines(tmp_path)
    assert [p.name for p in again] == [p.name for p in first] and (tmp_path / GUIDE).read_bytes() != b"old"


# -------------------------------------------------------------------------------------------------
# 2. No temporary file or folder of a killed run survives a later run
# -------------------------------------------------------------------------------------------------

def _leftovers(folder: Path, pid: int) -> tuple[Path, Path]:
    """What a run killed with ``kill -9`` leaves: a half-made dossier folder and a temporary file."""
    half = folder / f"{TEMP_FOLDER}{_tag()}-{pid}-x1y2z3"
    half.mkdir(parents=True)
    (half / "HS_2026_xa_MAU-X0101_1-to-trinh.docx").write_bytes(b"half")
    temp = folder / f"{save_mod.TEMP_PREFIX}{_tag()}-{pid}-abc.docx"
    temp.write_bytes(b"half")
    return half, temp


def test_a_dossier_run_removes_what_a_killed_run_left(kit, tmp_path):
    out = tmp_path / "ho-so"
    dead_dir, dead_file = _leftovers(out, _dead_pid())
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # a run still working
    try:
        live_dir, live_file = _leftovers(out, live.pid)
        old_style = out / f"{TEMP_FOLDER}q8w7e6"  # an older version's name (no pid): kept while recent
        old_style.mkdir()
        wb = kit.commune(tmp_path / "xa.xlsx", H01_COMMUNES[0])
        with alarm(120):
            res = build_dossier(wb, out)
        assert res.ok and res.documents
        assert not dead_dir.exists() and not dead_file.exists()
        assert live_dir.is_dir() and live_file.is_file() and old_style.is_dir()
        mine = [p.name for p in out.iterdir() if p.name.startswith(TEMP_FOLDER)]
        assert sorted(mine) == sorted([live_dir.name, old_style.name])  # its own temporary folder is gone
    finally:
        live.kill()
        live.wait()


def test_a_failed_dossier_run_also_cleans_and_creates_nothing(kit, tmp_path):
    out = tmp_path / "ho-so"
    dead_dir, dead_file = _leftovers(out, _dead_pid())
    res = build_dossier(kit.template("xa", H01_COMMUNES[0]), out)  # nothing typed: no dossier (D001)
    assert not res.ok and not dead_dir.exists() and not dead_file.exists()
    assert not any(out.iterdir())


@POSIX
def test_old_temporary_entries_of_another_machine_go_after_a_while(tmp_path):
    other = tmp_path / f"{TEMP_FOLDER}00000000-1-abc"
    other.mkdir()
    assert save_mod.clean_stale_temps(tmp_path, TEMP_FOLDER, dirs=True) == []  # recent: perhaps running
    old = os.stat(other).st_mtime - save_mod.STALE_AFTER - 60
    os.utime(other, (old, old))
    assert save_mod.clean_stale_temps(tmp_path, TEMP_FOLDER, dirs=True) == [other]


@POSIX
def test_cleaning_never_follows_a_link(tmp_path):
    target = tmp_path / "keep"
    target.mkdir()
    (target / "f").write_text("x")
    (tmp_path / "ho-so").mkdir()
    link = tmp_path / "ho-so" / f"{TEMP_FOLDER}{_tag()}-{_dead_pid()}-l"
    link.symlink_to(target)
    save_mod.clean_stale_temps(tmp_path / "ho-so", TEMP_FOLDER, dirs=True)
    assert link.is_symlink() and (target / "f").exists()


def test_a_dry_run_merge_removes_a_killed_writers_temporary_file(kit, tmp_path):
    parent = kit.parent(tmp_path / "tong-hop" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx")
    pid = _dead_pid()
    stale = parent.with_name(f"{save_mod.TEMP_PREFIX}{_tag()}-{pid}-q.xlsx")
    stale.write_bytes(b"PK half a workbook")
    lock = save_mod.lock_path(parent)  # a lock is never a temporary file to clean
    lock.write_text("{}")
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    before = parent.read_bytes()
    with alarm(120):
        r = merge(parent, [inbox], dry_run=True)
    assert not r.written and parent.read_bytes() == before
    assert not stale.exists() and lock.exists()


# -------------------------------------------------------------------------------------------------
# 3. The report's and the add-in's cells: the one cleaning of every write
# -------------------------------------------------------------------------------------------------

def test_report_cells_hold_text_from_sources_as_data(tmp_path):
    import xlsxwriter

    from cdht.ops.report import _Sheet
    out = tmp_path / "r.xlsx"
    wb = xlsxwriter.Workbook(str(out), {"remove_timezone": True})
    sh = _Sheet(wb, "Báo cáo", [20, 20, 20, 20])
    sh.table(["a", "b", "c", "d"], [["=1+2", "Xã\x0bMới\x01", "http://example.org/x", 7]])
    wb.close()
    ws = openpyxl.load_workbook(out)["Báo cáo"]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    values = {c.value: c for c in cells}
    assert values["=1+2"].data_type == "s"  # text, never a formula
    assert "Xã\nMới" in values and not any(isinstance(v, str) and "\x01" in v for v in values)
    assert values["http://example.org/x"].hyperlink is None and values[7].data_type == "n"


def test_the_addin_writes_text_through_the_same_cleaning():
    from cdht_addin.buttons import _text
    from cdht.xlsx.names import CELL_MAX_CHARS
    assert _text("Xã\x0bMới\x00") == "Xã\nMới"
    assert _text("=HYPERLINK(\"x\")\x07") == "'=HYPERLINK(\"x\")"
    assert len(_text("x" * (CELL_MAX_CHARS + 10))) == CELL_MAX_CHARS
    assert _text(3) == 3 and _text(None) is None


# -------------------------------------------------------------------------------------------------
# 4. `cdht dossier` into a folder it cannot write: a coded message naming it
# -------------------------------------------------------------------------------------------------

def test_dossier_cli_on_an_unwritable_folder_gives_a_coded_message(kit, tmp_path):
    wb = kit.commune(tmp_path / "xa.xlsx", H01_COMMUNES[0])
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    out = blocker / "ho-so"
    res = cli("dossier", wb, "--out", out, timeout=120)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "CDHT-W066" in res.stderr and str(out) in res.stderr and "CDHT-A001" not in res.stdout + res.stderr
    res = cli("dossier", "--outlines", "--out", out, timeout=120)
    assert res.returncode == 1 and "CDHT-W066" in res.stderr
