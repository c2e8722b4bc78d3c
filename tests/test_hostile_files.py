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
from pathlib import Path

import openpyxl
import pytest

from cdht.paths import NAME_MAX_BYTES, safe_name, unique_names
from tests.merge_fixtures import H01_COMMUNES, YEAR
from tests.test_hostile import alarm, cli

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
