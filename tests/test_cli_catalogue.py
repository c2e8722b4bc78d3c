"""``cdht catalogue check`` and ``cdht catalogue show``, through click's CliRunner."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cdht.cli.main import main
from cdht import __version__
from cdht.edition import CATALOGUE_DIR, shipped_editions

try:
    from tests.broken_editions import BASE, TWO_TIER, mutate
except ImportError:  # tests/ itself on sys.path
    from broken_editions import BASE, TWO_TIER, mutate

COUNTS = {"xa": 15, "huyen": 13, "tinh": 16}


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_version():
    r = run("--version")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"cdht {__version__}"


def test_help_is_vietnamese():
    r = run("catalogue", "--help")
    assert r.exit_code == 0
    assert "Bộ tiêu chí" in r.stdout and "check" in r.stdout and "show" in r.stdout


# --- check ------------------------------------------------------------------------------------

def test_check_shipped_editions():
    r = run("catalogue", "check")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("Hợp lệ:") == len(shipped_editions()) >= 2
    assert "tt25-2023, số chỉ tiêu: cấp xã 15, cấp huyện 13, cấp tỉnh 16" in r.stdout
    assert "tt25-2023-hai-cap, số chỉ tiêu: cấp xã 15, cấp tỉnh 16" in r.stdout
    assert r.stderr == ""


def test_check_shipped_editions_json():
    r = run("catalogue", "check", "--json")
    assert r.exit_code == 0
    report = json.loads(r.stdout)
    assert {x["edition"] for x in report} == {"tt25-2023", "tt25-2023-hai-cap"}
    assert all(x["ok"] and x["findings"] == [] for x in report)


def test_check_named_file():
    r = run("catalogue", "check", CATALOGUE_DIR / TWO_TIER)
    assert r.exit_code == 0
    assert r.stdout.count("Hợp lệ:") == 1 and "tt25-2023-hai-cap" in r.stdout


def test_check_broken_file(tmp_path):
    path, (line,) = mutate(tmp_path, ("min_percent: 80", "min_percent: 160"))
    r = run("catalogue", "check", path)
    assert r.exit_code == 1
    assert "CDHT-C007" in r.stderr
    assert f"{BASE}:{line}" in r.stderr
    assert "Cách sửa:" in r.stderr
    assert "Hợp lệ" not in r.stdout


def test_check_broken_file_json(tmp_path):
    path, (l1, l2) = mutate(tmp_path, ("min_percent: 80", "min_percent: 160"),
                            ("level1: {verdict: xa_1_1}", "level1: {verdict: xa_1_9}"))
    r = run("catalogue", "check", "--json", path)
    assert r.exit_code == 1
    (report,) = json.loads(r.stdout)
    assert report["ok"] is False and report["edition"] is None
    got = sorted((f["code"], f["file"], f["line"]) for f in report["findings"])
    assert got == [("CDHT-C006", BASE, l2), ("CDHT-C007", BASE, l1)]
    assert all(f["severity"] == "lỗi" and f["message"] and f["fix"] for f in report["findings"])


def test_check_one_good_one_bad(tmp_path):
    path, _ = mutate(tmp_path, ("  tiers: [xa, huyen, tinh]", "  tiers: [xa, huyen, tinh]]"))
    r = run("catalogue", "check", CATALOGUE_DIR / BASE, path)
    assert r.exit_code == 1
    assert r.stdout.count("Hợp lệ:") == 1
    assert "CDHT-C015" in r.stderr


def test_check_missing_file(tmp_path):
    r = run("catalogue", "check", tmp_path / "khong-co.yaml")
    assert r.exit_code == 1
    assert "CDHT-C001" in r.stderr


# --- show -------------------------------------------------------------------------------------

def _show_json(*args):
    r = run("catalogue", "show", "--json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_show_json_shape():
    d = _show_json()
    assert d["edition"] == "tt25-2023"
    assert {"version", "title", "legal_basis", "years", "settings", "hierarchy", "contributors"} <= set(d)
    assert list(d["tiers"]) == ["xa", "huyen", "tinh"]
    assert d["tiers"]["xa"]["parent"] == "huyen"
    assert d["tiers"]["huyen"]["parent"] == "tinh"
    assert d["tiers"]["tinh"]["parent"] is None
    assert d["settings"]["recognition_valid_years"] == 3
    for code, t in d["tiers"].items():
        inds = [i for c in t["criteria"] for i in c["indicators"]]
        assert len(inds) == COUNTS[code]
        for c in t["criteria"]:
            assert c["id"].startswith(code + ".") and c["name"]
        for i in inds:
            assert {"id", "text", "fields", "level1", "level2"} <= set(i)
            assert i["id"].startswith(code + ".") and i["text"]
            assert i["fields"] and all({"key", "type"} <= set(f) for f in i["fields"])
            assert i["level1"]["kind"] and i["level2"]["kind"]


def test_show_json_details():
    d = _show_json()
    xa51 = next(i for c in d["tiers"]["xa"]["criteria"] for i in c["indicators"] if i["id"] == "xa.5.1")
    assert xa51["level1"] == {"kind": "ratio", "num": "xa_5_1_so_cong_dan_hoc_tap", "den": "tong_so_cong_dan",
                              "min_percent": 60.0, "label": "Tỷ lệ công dân học tập"}
    assert xa51["level2"]["min_percent"] == 80
    assert [f["key"] for f in xa51["fields"]] == ["xa_5_1_so_cong_dan_hoc_tap", "tong_so_cong_dan"]
    assert {f["key"]: f["type"] for f in xa51["fields"]} == {"xa_5_1_so_cong_dan_hoc_tap": "count",
                                                             "tong_so_cong_dan": "count"}
    t34 = next(i for c in d["tiers"]["tinh"]["criteria"] for i in c["indicators"] if i["id"] == "tinh.3.4")
    assert t34["contributor"] == "so_vhtt"
    h41 = next(i for c in d["tiers"]["huyen"]["criteria"] for i in c["indicators"] if i["id"] == "huyen.4.1")
    assert h41["from_children"]["tier"] == "xa"
    assert d["tiers"]["xa"]["procedure"]["submit_by"] == "02-28"


@pytest.mark.parametrize("tier", COUNTS)
def test_show_json_one_tier(tier):
    d = _show_json("--tier", tier)
    assert list(d["tiers"]) == [tier]
    assert sum(len(c["indicators"]) for c in d["tiers"][tier]["criteria"]) == COUNTS[tier]


def test_show_json_two_tier_edition():
    d = _show_json("--edition", CATALOGUE_DIR / TWO_TIER)
    assert d["edition"] == "tt25-2023-hai-cap"
    assert list(d["tiers"]) == ["xa", "tinh"]
    assert d["tiers"]["xa"]["parent"] == "tinh"
    t41 = next(i for c in d["tiers"]["tinh"]["criteria"] for i in c["indicators"] if i["id"] == "tinh.4.1")
    assert t41["from_children"]["tier"] == "xa"
    assert "VÍ DỤ" in t41["text"]


def test_show_tier_missing_from_edition():
    r = run("catalogue", "show", "--edition", CATALOGUE_DIR / TWO_TIER, "--tier", "huyen")
    assert r.exit_code == 1
    assert "huyen" in r.stderr


def test_show_unknown_tier_rejected():
    r = run("catalogue", "show", "--tier", "quoc_gia")
    assert r.exit_code == 2


def test_show_broken_edition(tmp_path):
    path, (line,) = mutate(tmp_path, ("min_percent: 80", "min_percent: 160"))
    r = run("catalogue", "show", "--edition", path)
    assert r.exit_code == 1
    assert "CDHT-C007" in r.stderr and f"{BASE}:{line}" in r.stderr
    assert r.stdout == ""


def test_show_table():
    r = run("catalogue", "show")
    assert r.exit_code == 0
    out = r.stdout
    assert "Mức độ 1" in out and "Mức độ 2" in out
    assert "== Cấp xã (--tier xa) — cấp trên: Cấp huyện; nộp trước 02-28 năm sau ==" in out
    assert "== Cấp tỉnh (--tier tinh) — cấp trên: —; nộp trước 07-31 năm sau ==" in out
    lines = out.splitlines()
    xa51 = next(ln for ln in lines if ln.strip().startswith("xa.5.1 "))
    assert "≥ 60%" in xa51 and "≥ 80%" in xa51
    xa52 = next(ln for ln in lines if ln.strip().startswith("xa.5.2 "))
    assert "≥ 50% (vùng khó khăn ≥ 40%) và ≥ 12% (vùng khó khăn ≥ 10%)" in xa52
    t42 = next(ln for ln in lines if ln.strip().startswith("tinh.4.2 "))
    assert t42.count("giảm so với năm trước") == 2
    x42 = next(ln for ln in lines if ln.strip().startswith("xa.4.2 "))
    assert "≥ mức độ 2" in x42 and "≥ mức độ 3" in x42
    for n, code in ((15, "xa"), (13, "huyen"), (16, "tinh")):
        assert sum(1 for ln in lines if ln.strip().startswith(code + ".") and ln.strip().count(".") >= 2
                   and ln.startswith("  ")) == n


def test_show_table_one_tier():
    r = run("catalogue", "show", "--tier", "xa")
    assert r.exit_code == 0
    assert "Mức độ 1" in r.stdout
    assert "(--tier xa)" in r.stdout and "(--tier huyen)" not in r.stdout and "(--tier tinh)" not in r.stdout
    assert "huyen." not in r.stdout

