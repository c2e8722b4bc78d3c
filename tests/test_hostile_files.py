"""Files and paths the product writes (issue 18, part 1): safe names, writes that keep what was
there, workers that die with their merge, evidence file names judged on their text, and the
folders and files a merge is given. Every case runs under a timeout (``alarm`` in-process, the
``timeout=`` of a subprocess), so a hang fails instead of stalling the suite.

Real clients only: the ``cdht`` command in a subprocess, real links, FIFOs, read-only modes, a
real ``kill -9``; no fake of the operating system.
"""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

import cdht.xlsx.save as save_mod
from cdht.ops.merge import merge
from cdht.paths import NAME_MAX_BYTES, safe_name, unique_names
from tests.merge_fixtures import H01_COMMUNES, YEAR
from tests.test_hostile import CLI, alarm, cli, inbox_with, merged

POSIX = pytest.mark.skipif(os.name != "posix", reason="links, modes and signals as on POSIX")


@pytest.fixture
def parent(kit, tmp_path) -> Path:
    return kit.parent(tmp_path / "tong-hop" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx")


def _units_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("ma,ten,cap,ma_cap_tren,vung_kho_khan\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


# -------------------------------------------------------------------------------------------------
# 1. One safe-name function, and every written path kept inside its folder
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["X/../../tong-hop-huyen", "..", "../..", "a\\b", "C:evil", "a\x0bb\x00c",
                                  "CON", "nul.xlsx", " .an ", "\u202egpj.exe", "Xã" * 200, "ab\u200bcd", ""])
def test_safe_name_is_one_plain_bounded_name(text):
    name = safe_name(text)
    assert name and "/" not in name and "\\" not in name and ".." not in name and ":" not in name
    assert all(ch.isprintable() and ch not in "\u202e\u200b" for ch in name)
    assert not name.startswith((".", " ")) and not name.endswith((".", " "))
    assert len(name.encode("utf-8")) <= NAME_MAX_BYTES
    assert name.split(".")[0].upper() not in {"CON", "NUL"}
    assert safe_name(text) == name  # the same text, the same name


def test_safe_name_keeps_a_good_code_and_unique_names_never_collide():
    assert safe_name("MAU-X0101") == "MAU-X0101" and safe_name("Xã Mới") == "Xã Mới"
    names = unique_names(["A/B", "A_B", "a_b", "A/B"])
    assert len({n.casefold() for n in names.values()}) == 3


def test_generate_keeps_hostile_unit_codes_inside_out(tmp_path):
    csv = _units_csv(tmp_path / "don-vi.csv", ["H01,Huyện,huyen,,", "X/../../tong-hop-huyen,Xã lạ,xa,H01,",
                                                "..,Chấm,xa,H01,", "X01,Xã tốt,xa,H01,"])
    out = tmp_path / "bieu-mau"
    res = cli("generate", "--tier", "xa", "--year", YEAR, "--units", csv, "--out", out, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bieu-mau", "don-vi.csv"]  # nothing outside --out
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted([f"CDHT_{YEAR}_xa_X_._._tong-hop-huyen.xlsx", f"CDHT_{YEAR}_xa__.xlsx",
                              f"CDHT_{YEAR}_xa_X01.xlsx"])
    assert res.stderr.count("[CDHT-T025]") == 2 and "X/../../tong-hop-huyen" in res.stderr
    wb = openpyxl.load_workbook(out / f"CDHT_{YEAR}_xa_X_._._tong-hop-huyen.xlsx")
    assert "X/../../tong-hop-huyen" in [c.value for ws in wb for row in ws.iter_rows() for c in row]  # the code kept


def test_a_unit_list_with_a_control_character_is_refused_naming_the_line(tmp_path):
    csv = _units_csv(tmp_path / "don-vi.csv", ["H01,Huyện,huyen,,", "X\x0bY,Điều khiển,xa,H01,"])
    out = tmp_path / "bieu-mau"
    res = cli("generate", "--tier", "xa", "--year", YEAR, "--units", csv, "--out", out, timeout=300)
    assert res.returncode == 1 and "[CDHT-T027]" in res.stderr and "don-vi.csv:3" in res.stderr, res.stderr
    assert "U+000B" in res.stderr and "A001" not in res.stderr and not out.exists()


def test_generate_refuses_two_codes_with_one_file_name_before_writing(tmp_path):
    csv = _units_csv(tmp_path / "don-vi.csv", ["H01,Huyện,huyen,,", "A/B,Một,xa,H01,", "a_b,Hai,xa,H01,"])
    out = tmp_path / "bieu-mau"
    res = cli("generate", "--tier", "xa", "--year", YEAR, "--units", csv, "--out", out, timeout=300)
    assert res.returncode == 1 and "[CDHT-T026]" in res.stderr and "'a_b'" in res.stderr
    assert not out.exists() or not list(out.iterdir())


@POSIX
def test_generate_refuses_a_link_planted_under_a_workbook_name(tmp_path):
    csv = _units_csv(tmp_path / "don-vi.csv", ["H01,Huyện,huyen,,", "X01,Xã,xa,H01,"])
    out = tmp_path / "bieu-mau"
    out.mkdir()
    victim = tmp_path / "so-cua-toi.xlsx"
    victim.write_bytes(b"my own work")
    (out / f"CDHT_{YEAR}_xa_X01.xlsx").symlink_to(victim)
    res = cli("generate", "--tier", "xa", "--year", YEAR, "--units", csv, "--out", out, timeout=300)
    assert res.returncode == 1 and "[CDHT-W052]" in res.stderr, res.stdout + res.stderr
    assert victim.read_bytes() == b"my own work"


def test_return_workbook_of_a_typed_code_stays_in_return_dir(kit, tmp_path):
    """A unit code typed into a blank template steered its return workbook onto the district
    workbook just merged (issue 18); now it is one safe name inside --return-dir."""
    parent = kit.parent(tmp_path / "tong-hop-huyen.xlsx", unit=None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    code = "X/../../tong-hop-huyen"
    kit.commune(inbox / "la.xlsx", code, blank=True, evidence=False)  # returned: evidence missing
    returns = tmp_path / "nop" / "tra-lai"
    res = cli("merge", "--json", parent, inbox, "--return-dir", returns, timeout=300)
    out = json.loads(res.stdout)
    assert [(m["unit_code"], m["status"]) for m in out["merged"]] == [(code, "Trả lại")], res.stdout
    assert [Path(p).name for p in out["return_workbooks"]] == [f"TRA-LAI_{YEAR}_X_._._tong-hop-huyen.xlsx"]
    assert _tree(tmp_path / "nop") == {"tra-lai", f"tra-lai/TRA-LAI_{YEAR}_X_._._tong-hop-huyen.xlsx"}
    openpyxl.load_workbook(parent)  # the district workbook is still a workbook
    assert not list((tmp_path / "nop" / "tra-lai").glob(".~cdht-*"))


@POSIX
def test_a_return_workbook_is_never_written_through_a_planted_link(kit, tmp_path):
    parent = kit.parent(tmp_path / "tong-hop.xlsx", unit=None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    kit.commune(inbox / "a.xlsx", H01_COMMUNES[0], blank=True, evidence=False)
    returns = tmp_path / "tra-lai"
    returns.mkdir()
    (returns / f"TRA-LAI_{YEAR}_{H01_COMMUNES[0]}.xlsx").symlink_to(parent)
    before = parent.read_bytes()
    res = cli("merge", "--json", parent, inbox, "--return-dir", returns, timeout=300)
    out = json.loads(res.stdout)
    assert out["return_workbooks"] == [] and "CDHT-W052" in [f["code"] for f in out["findings"]]
    assert parent.read_bytes() != before  # merged …
    openpyxl.load_workbook(parent)        # … and not overwritten by a return workbook


def test_dossier_file_names_of_a_typed_code_stay_in_out(kit, tmp_path):
    from cdht.ops.dossier import build_dossier
    wb = kit.commune(tmp_path / "xa.xlsx", "X/../../../evil", blank=True)
    out = tmp_path / "ho-so"
    with alarm(180):
        res = build_dossier(wb, out)
    assert res.documents, [f.text() for f in res.findings]
    for path in res.documents.values():
        assert path.parent == out and path.name.startswith(f"HS_{YEAR}_xa_X_._._._evil_")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho-so", "xa.xlsx"]


# -------------------------------------------------------------------------------------------------
# 2. Writes that keep what was there
# -------------------------------------------------------------------------------------------------

ROOT = os.name == "posix" and os.geteuid() == 0


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(save_mod.TEMP_PREFIX))


@POSIX
def test_merge_keeps_the_parents_mode_and_owner(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    os.chmod(parent, 0o664)  # a shared drive's group-writable workbook
    if ROOT:
        os.chown(parent, 4321, 4322)
    before = os.stat(parent)
    with alarm(120):
        r = merge(parent, [inbox])
    after = os.stat(parent)
    assert r.written and merged(r) == H01_COMMUNES[:1]
    assert stat.S_IMODE(after.st_mode) == 0o664  # was 0600 after every merge
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    bak = save_mod.backup_path(parent)
    assert stat.S_IMODE(os.stat(bak).st_mode) == 0o664 and _temps(parent.parent) == []


@POSIX
def test_check_write_follows_a_symlink_and_keeps_hard_links(kit, tmp_path):
    real = kit.commune(tmp_path / "that" / "xa.xlsx", H01_COMMUNES[0])
    link = tmp_path / "here" / "xa.xlsx"
    link.parent.mkdir()
    link.symlink_to(real)
    twin = tmp_path / "that" / "xa-hard.xlsx"
    os.link(real, twin)
    inode = os.stat(real).st_ino
    before = real.read_bytes()
    res = cli("check", "--write", link, timeout=180)
    assert res.returncode in (0, 1), res.stdout + res.stderr
    assert link.is_symlink() and link.resolve() == real  # the link stays a link …
    assert real.read_bytes() != before                     # … and its target is updated
    assert os.stat(real).st_ino == inode and os.stat(real).st_nlink == 2 and twin.read_bytes() == real.read_bytes()
    assert save_mod.backup_path(real).read_bytes() == before
    assert "Kết quả kiểm tra" in openpyxl.load_workbook(link).sheetnames
    assert _temps(real.parent) == [] and _temps(link.parent) == []


@POSIX
def test_a_read_only_parent_is_refused_naming_it(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    os.chmod(parent, 0o444)
    before = parent.read_bytes()
    with alarm(60):
        r = merge(parent, [inbox])
    assert not r.written and [(f.code, f.file) for f in r.findings] == [("CDHT-W050", parent.name)]
    assert parent.read_bytes() == before and not save_mod.lock_path(parent).exists()
    res = cli("merge", parent, inbox, timeout=120)
    assert res.returncode == 2 and "[CDHT-W050]" in res.stdout and parent.name in res.stdout, res.stdout + res.stderr
    res = cli("check", "--write", parent, timeout=120)  # the same for check --write
    assert "[CDHT-W050]" in res.stdout + res.stderr and parent.read_bytes() == before


@POSIX
def test_a_read_only_stale_backup_never_blocks_a_later_merge(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    bak = save_mod.backup_path(parent)
    bak.write_bytes(b"an old, read-only backup")
    os.chmod(bak, 0o444)
    before = parent.read_bytes()
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written, [f.text() for f in r.findings]
    assert bak.read_bytes() == before  # the backup is the parent as it was


@POSIX
def test_disk_full_leaves_parent_and_backup_whole_and_no_temp(kit, parent, tmp_path):
    """A real write error (RLIMIT_FSIZE: EFBIG, as a full disk gives ENOSPC) in a real merge: the
    parent and the previous backup are untouched, no temporary file is left."""
    import resource
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    assert cli("merge", parent, inbox / f"CDHT_{YEAR}_xa_{H01_COMMUNES[0]}.xlsx", timeout=180).returncode == 0
    parent_bytes, bak_bytes = parent.read_bytes(), save_mod.backup_path(parent).read_bytes()
    limit = len(parent_bytes) // 2

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    res = subprocess.run([*CLI, "merge", str(parent), str(inbox)], capture_output=True, text=True, timeout=180,
                         preexec_fn=small_disk, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert res.returncode == 2 and "[CDHT-W023]" in res.stdout, res.stdout + res.stderr
    assert parent.read_bytes() == parent_bytes and save_mod.backup_path(parent).read_bytes() == bak_bytes
    assert _temps(parent.parent) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


@POSIX
def test_a_later_run_cleans_the_temporary_files_of_killed_runs_only(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    folder = parent.parent
    tag = save_mod.temp_prefix().split("-")[1]  # this machine's
    dead = folder / f"{save_mod.TEMP_PREFIX}{tag}-{_dead_pid()}-k1ll3d.xlsx"
    old_other = folder / f"{save_mod.TEMP_PREFIX}0badc0de-77-x.xlsx"
    fresh_other = folder / f"{save_mod.TEMP_PREFIX}0badc0de-78-y.xlsx"  # another machine, writing now
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    live = folder / f"{save_mod.TEMP_PREFIX}{tag}-{alive.pid}-busy.xlsx"
    try:
        for p in (dead, old_other, fresh_other, live):
            p.write_bytes(b"half a workbook")
        week = time.time() - 7 * 24 * 3600
        os.utime(old_other, (week, week))
        with alarm(120):
            r = merge(parent, [inbox])
        assert r.written
        assert _temps(folder) == sorted(p.name for p in (fresh_other, live))
    finally:
        alive.kill()
        alive.wait()


@POSIX
def test_kill_9_mid_save_leaves_a_temp_that_the_next_merge_removes(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:3])
    folder, caught = parent.parent, []
    for _ in range(6):  # kill the merge the moment its temporary file appears beside the parent
        run = subprocess.Popen([*CLI, "merge", str(parent), str(inbox)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while run.poll() is None and time.monotonic() < deadline:
            caught = [n for n in _temps(folder) if ".lock" not in n]
            if caught:
                os.kill(run.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
        run.wait(timeout=30)
        if caught:
            break
    assert caught, "never caught the merge while it saved"
    with alarm(120):
        r = merge(parent, [inbox])  # the dead writer's lock is cleared, its temporary file removed
    assert r.written and merged(r) == H01_COMMUNES[:3]
    assert _temps(folder) == []
    openpyxl.load_workbook(parent)


# -------------------------------------------------------------------------------------------------
# 3. Workers die with their parent
# -------------------------------------------------------------------------------------------------

def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (read from /proc; zombies count as gone)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(d.name))
    return out


def _running(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


LINUX = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@LINUX
def test_a_killed_merge_leaves_no_worker_behind(kit, parent, tmp_path):
    import shutil
    from cdht.ops.merge import FORK_MIN_FILES
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    one = next(inbox.iterdir())
    for k in range(FORK_MIN_FILES + 20):  # big enough for the worker processes
        shutil.copyfile(one, inbox / f"ban-sao-{k:03d}.xlsx")
    run = subprocess.Popen([*CLI, "merge", "--dry-run", str(parent), str(inbox)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline and len(workers) < 2:
        workers = _children(run.pid)
        time.sleep(0.01)
    assert len(workers) >= 2, "the merge never started its workers"
    os.kill(run.pid, signal.SIGKILL)  # as Excel closed mid-merge
    run.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _running(w)]
    for w in left:  # never leave them to the next test
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers still running after their merge was killed: {left}"
