"""Files and paths the product writes (issue 18, part 1): safe names, writes that keep what was
there, workers that die with their merge, evidence file names judged on their text, and the
folders and files a merge is given. Every case runs under a timeout (``alarm`` in-process, the
``timeout=`` of a subprocess), so a hang fails instead of stalling the suite.

Real clients only: the ``cdht`` command in a subprocess, real links, FIFOs, read-only modes, a
real ``kill -9``; no fake of the operating system.
"""
from __future__ import annotations

import json
import shutil
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
    with alarm(10):
        name = safe_name(text)
    assert name and "/" not in name and "\\" not in name and ".." not in name and ":" not in name
    assert all(ch.isprintable() and ch not in "\u202e\u200b" for ch in name)
    assert not name.startswith((".", " ")) and not name.endswith((".", " "))
    assert len(name.encode("utf-8")) <= NAME_MAX_BYTES
    assert name.split(".")[0].upper() not in {"CON", "NUL"}
    assert safe_name(text) == name  # the same text, the same name


def test_safe_name_keeps_a_good_code_and_unique_names_never_collide():
    assert safe_name("MAU-X0101") == "MAU-X0101" and safe_name("Xã Mới") == "Xã Mới"
    with alarm(10):
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
    assert "U+000B" in res.stderr and "'ma'" in res.stderr and "A001" not in res.stderr and not out.exists()


def test_a_profile_unit_with_a_control_character_is_refused_before_writing(tmp_path):
    from cdht.profile import __file__ as profile_module
    catalogue = Path(profile_module).parent / "catalogue"
    text = (catalogue / "profiles" / "tinh-hai-cap-2026-mau.yaml").read_text("utf-8")
    assert 'name: "Phường Tân Thành (mẫu)"' in text
    prof = tmp_path / "ho-so.yaml"
    prof.write_text(text.replace('name: "Phường Tân Thành (mẫu)"', 'name: "Phường\\vTân Thành"'), "utf-8")
    out = tmp_path / "bieu-mau"
    res = cli("generate", "--tier", "xa", "--year", YEAR, "--profile", prof, "--edition",
              catalogue / "tt25-2023-hai-cap.yaml", "--out", out, timeout=300)
    assert res.returncode == 1 and "[CDHT-T027]" in res.stderr and "'name'" in res.stderr, res.stdout + res.stderr
    assert "A001" not in res.stderr and (not out.exists() or not list(out.iterdir()))  # all or nothing


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


@POSIX
def test_a_dossier_is_never_written_through_a_planted_link(kit, tmp_path):
    from cdht.ops.dossier import OUTPUT_NAMES, build_dossier
    wb = kit.commune(tmp_path / "xa.xlsx", H01_COMMUNES[0])
    out = tmp_path / "ho-so"
    out.mkdir()
    victim = tmp_path / "van-ban-cua-toi.docx"
    victim.write_bytes(b"my own document")
    (out / f"HS_{YEAR}_xa_{H01_COMMUNES[0]}_{OUTPUT_NAMES['bao_cao']}.docx").symlink_to(victim)
    with alarm(180):
        res = build_dossier(wb, out)
    assert "CDHT-W052" in [f.code for f in res.findings] and not res.documents
    assert victim.read_bytes() == b"my own document" and [p.name for p in out.iterdir() if not p.is_symlink()] == []


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


# -------------------------------------------------------------------------------------------------
# 4. Evidence file names: judged on their text, never on the checker's disk
# -------------------------------------------------------------------------------------------------

def _with_attachments(kit, path: Path, names: list[str]) -> Path:
    from cdht.fill import evidence_for, fill
    from tests.merge_fixtures import COMMUNE_VALUES, EVIDENCE_DATE, appraisal
    tier = kit.edition.tier("xa")
    extra = [[f"MC9{k:02d}", "xa.1.1", "Văn bản", f"{k}/KH", EVIDENCE_DATE, "UBND", name]
             for k, name in enumerate(names)]
    return fill(kit.template("xa", H01_COMMUNES[0]), path, COMMUNE_VALUES,
                evidence=evidence_for(tier, EVIDENCE_DATE) + extra, appraisal=appraisal(tier, 2))


ATTACHMENTS = [  # (Tệp as typed, code expected)
    ("/etc/passwd", "CDHT-E020"),                 # accepted before: it exists on the checker's disk
    ("C:\\Users\\xa\\ke-hoach.pdf", "CDHT-E020"),
    ("minh-chung", "CDHT-E025"),                  # accepted before: a folder beside the workbook
    ("minh-chung/", "CDHT-E024"),
    ("../ngoai/ke-hoach.pdf", "CDHT-E021"),
    ("bien-ban_x000B_so-2.pdf", "CDHT-E022"),     # a control character (Excel's escape for U+000B)
    ("ke-hoach-" + "rat-dai-" * 40 + ".pdf", "CDHT-E023"),  # "cannot write file, check disk space" before
    ("quyet-dinh.pdf", None),                     # sound and present
    ("minh-chung/thieu.pdf", "CDHT-E006"),        # sound, not sent with the workbook
    ("lien-ket.pdf", "CDHT-E006"),                # a link leading out of the folder counts as absent
]


@POSIX
def test_evidence_file_names_are_judged_on_their_text(kit, tmp_path):
    from cdht.ops.assess import check
    folder = tmp_path / "ho-so"
    folder.mkdir()
    wb = _with_attachments(kit, folder / "xa.xlsx", [a for a, _ in ATTACHMENTS])
    (folder / "minh-chung").mkdir()
    (folder / "quyet-dinh.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "lien-ket.pdf").symlink_to("/etc/passwd")
    with alarm(60):
        rep = check(wb)
    first = min(f.row for f in rep.findings if f.code in {c for _, c in ATTACHMENTS if c})
    got = {f.row - first: f.code for f in rep.findings if f.code.startswith("CDHT-E0") and f.code != "CDHT-E001"}
    assert got == {k: c for k, (_, c) in enumerate(ATTACHMENTS) if c}
    e22 = next(f for f in rep.findings if f.code == "CDHT-E022")
    assert "U+000A" in e22.facts["chars"] or "U+000B" in e22.facts["chars"]
    assert all(f.severity == "cảnh báo" for f in rep.findings if f.code in {c for _, c in ATTACHMENTS if c})
    assert all(len(f.facts["value"]) <= 60 for f in rep.findings if f.code == "CDHT-E023")


def test_the_same_workbook_gets_the_same_name_findings_anywhere(kit, tmp_path):
    """Copied elsewhere without its attachments, a workbook keeps every form finding (only the
    look-up beside it, E006, depends on what was sent with it)."""
    from cdht.ops.assess import check
    wb = _with_attachments(kit, tmp_path / "a" / "xa.xlsx", [a for a, _ in ATTACHMENTS])
    forms = {"CDHT-E020", "CDHT-E021", "CDHT-E022", "CDHT-E023", "CDHT-E024", "CDHT-E025"}
    (tmp_path / "b").mkdir()
    copy = tmp_path / "b" / "xa.xlsx"
    copy.write_bytes(wb.read_bytes())
    with alarm(120):
        one, two = ([(f.code, f.row) for f in check(p).findings if f.code in forms] for p in (wb, copy))
    assert one == two and len(one) == 7


def test_hostile_evidence_names_never_stop_a_merge(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[1:3])
    _with_attachments(kit, inbox / "ten-tep-la.xlsx", [a for a, _ in ATTACHMENTS])
    with alarm(180):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:3]  # warnings only: the dossier still counts
    mine = next(m for m in r.merged if m.file.name == "ten-tep-la.xlsx")
    assert {"CDHT-E020", "CDHT-E023"} <= {f.code for f in mine.findings}


# -------------------------------------------------------------------------------------------------
# 5. What a merge is given: --register-from, unit lists, file names, sub-folders
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["missing", "text", "folder", "xls"])
def test_register_from_that_is_not_last_years_book_is_coded(kit, parent, tmp_path, case):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    prev = {"missing": tmp_path / "khong-co.xlsx", "text": tmp_path / "ghi-chu.xlsx",
            "folder": tmp_path / "thu-muc.xlsx", "xls": tmp_path / "cu.xls"}[case]
    if case == "text":
        prev.write_text("Sổ năm trước để ở phòng văn thư\n", "utf-8")
    elif case == "folder":
        prev.mkdir()
    elif case == "xls":
        prev.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    before = parent.read_bytes()
    res = cli("merge", "--json", parent, inbox, "--register-from", prev, timeout=120)
    out = json.loads(res.stdout)
    codes = [f["code"] for f in out["findings"]]
    expect = {"missing": ["CDHT-M023"], "folder": ["CDHT-M023"], "text": ["CDHT-M024", "CDHT-W002"],
              "xls": ["CDHT-M024", "CDHT-W004"]}[case]
    assert res.returncode == 2 and codes == expect, res.stdout + res.stderr
    assert out["findings"][0]["file"] == prev.name and not out["written"]
    assert "A001" not in res.stdout + res.stderr and "W023" not in res.stdout + res.stderr
    assert parent.read_bytes() == before and not save_mod.lock_path(parent).exists()


def test_a_unit_csv_as_excel_writes_it_is_read_right(tmp_path):
    from cdht.units import read_units
    path = tmp_path / "don-vi.csv"  # Excel's "CSV UTF-8": BOM, CRLF, quotes doubled inside quoted fields
    path.write_bytes("\ufeffma,ten,cap,ma_cap_tren,vung_kho_khan\r\n"
                     "H01,\"Huyện \"\"Một\"\"\",huyen,,\r\n"
                     "X01,\"Xã \"\"Mới\"\", khu A\",xa,H01,Có\r\n"
                     "X02,\"Thị trấn\r\nHai dòng\",xa,H01,\r\n"
                     "X03,\"Xã \"\"Ba\"\"\",huyen_sai,H01,\r\n".encode("utf-8"))
    with alarm(10):
        units, findings = read_units(path)
    assert [(f.code, f.line) for f in findings] == [("CDHT-T009", 6)]  # the real line, after a two-line name
    path.write_bytes(path.read_bytes().replace(b"huyen_sai", b"xa"))
    units, findings = read_units(path)
    assert not findings
    assert [(u.code, u.name) for u in units.units] == [
        ("H01", 'Huyện "Một"'), ("X01", 'Xã "Mới", khu A'), ("X02", "Thị trấn\r\nHai dòng"), ("X03", 'Xã "Ba"')]
    semi = tmp_path / "chấm-phẩy.csv"  # Excel in a Vietnamese locale: semicolons
    semi.write_text('ma;ten;cap;ma_cap_tren;vung_kho_khan\nH01;"Huyện ""Một""; A";huyen;;\n', "utf-8")
    assert [u.name for u in read_units(semi)[0].units] == ['Huyện "Một"; A']


@POSIX
def test_a_file_name_with_a_control_character_is_refused_alone(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:2])
    bad = inbox / "xa\x0bba.xlsx"
    kit.commune(bad, H01_COMMUNES[2])
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:2]
    [note] = [n for n in r.notes if n.code == "CDHT-M025"]
    assert note.file == "xa?ba.xlsx" and note.facts["chars"] == "U+000B"
    logged = [c.value for ws in openpyxl.load_workbook(parent) for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and "xa?ba" in c.value]
    assert logged  # the refusal is in the parent's log, under a name that can be written there


@pytest.mark.skipif(sys.platform != "linux", reason="file names as raw bytes")
def test_a_file_name_that_is_not_utf8_is_refused_alone(kit, parent, tmp_path):
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    made = kit.commune(tmp_path / "b.xlsx", H01_COMMUNES[1])
    os.rename(bytes(made), bytes(inbox) + b"/xa-\xff.xlsx")  # made on a machine with another code page
    with alarm(120):
        r = merge(parent, [inbox])  # crashed in openpyxl before (surrogates not allowed)
    assert r.written and merged(r) == H01_COMMUNES[:1]
    assert [(n.code, n.file, n.facts["chars"]) for n in r.notes] == [("CDHT-M025", "xa-?.xlsx", "U+DCFF")]


@POSIX
def test_an_unreadable_sub_folder_is_a_noted_finding(kit, parent, tmp_path):
    """Real errors from the listing, provoked without faking the OS: a loop of links and a link to
    a folder that is gone (tests run as root, so permissions alone would not stop a listing)."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    (inbox / "vong-lap").symlink_to("vong-lap")              # ELOOP
    (inbox / "o-mang").symlink_to(tmp_path / "da-thao-ra")   # ENOENT: the shared drive is unplugged
    shared = tmp_path / "o-chung"
    kit.commune(shared / f"CDHT_{YEAR}_xa_{H01_COMMUNES[1]}.xlsx", H01_COMMUNES[1])
    (inbox / "lien-ket").symlink_to(shared)                  # a linked sub-folder is followed …
    (shared / "len-tren").symlink_to(inbox)                  # … once, even through a loop
    with alarm(120):
        r = merge(parent, [inbox])
    assert r.written and merged(r) == H01_COMMUNES[:2]
    notes = {n.file: n.facts["reason"] for n in r.notes if n.code == "CDHT-M026"}
    assert set(notes) == {"inbox/vong-lap", "inbox/o-mang"}
    assert "vòng lặp" in notes["inbox/vong-lap"] and "không tồn tại" in notes["inbox/o-mang"]


SETPRIV = shutil.which("setpriv") if os.name == "posix" else None


@pytest.mark.skipif(not (SETPRIV and os.geteuid() == 0), reason="root without its override capabilities (setpriv)")
def test_a_sub_folder_the_clerk_may_not_read_is_noted(kit, parent, tmp_path):
    """The permission case itself: the merge runs as root *without* the capabilities that let root
    read any folder (setpriv drops CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH), so a folder of mode
    000 gives the same EACCES a clerk gets on a shared drive."""
    inbox = inbox_with(kit, tmp_path / "inbox", H01_COMMUNES[:1])
    locked = inbox / "khoa"
    kit.commune(locked / "b.xlsx", H01_COMMUNES[1])
    os.chmod(locked, 0)
    try:
        res = subprocess.run([SETPRIV, "--bounding-set=-dac_override,-dac_read_search", *CLI, "merge", "--dry-run",
                              "--json", str(parent), str(inbox)], capture_output=True, text=True, timeout=180,
                             env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    finally:
        os.chmod(locked, 0o755)
    out = json.loads(res.stdout)
    assert [(n["code"], n["file"]) for n in out["skipped"]] == [("CDHT-M026", "inbox/khoa")], res.stdout + res.stderr
    assert "không có quyền truy cập" in out["skipped"][0]["message"]
    assert [m["unit_code"] for m in out["merged"]] == H01_COMMUNES[:1]
