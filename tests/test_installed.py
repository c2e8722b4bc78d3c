"""Installed as users install it: ``pip install .`` (not editable) into a fresh environment, then
every command runs from outside the repository. An editable install hides a missing package or data
file (the explicit package list in pyproject.toml); this test does not."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_for_installation():
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    folders = {v: k for k, v in tool["package-dir"].items()} | {"cdht": "cdht"}
    found = set()
    for folder, name in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *rel)))
    assert found - set(tool["packages"]) == set(), "add these to [tool.setuptools] packages"


@pytest.mark.slow
def test_a_non_editable_install_runs_every_command(tmp_path):
    venv = tmp_path / "venv"
    # system site-packages give the dependencies; the project itself is installed into the venv,
    # which its own site-packages put ahead of the editable checkout
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
           str(ROOT)]
    subprocess.run(pip, check=True, cwd=tmp_path, capture_output=True)
    cdht = str(venv / "bin" / "cdht")

    def run(*args):
        r = subprocess.run([cdht, *args], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, f"cdht {' '.join(args)}:\n{r.stdout}\n{r.stderr}"
        return r.stdout

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import cdht, cdht_generator, cdht_addin;"
                            "print(cdht.__file__, cdht_generator.__file__, cdht_addin.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and where.count(str(venv)) == 3
    # the editions' snapshots are installed, and fresh there: a merge's start pays no pydantic (issue 18)
    fresh = subprocess.run([str(venv / "bin" / "python"), "-c", "from cdht import edition as E; print(sorted("
                            "p.name for p in E.shipped_editions() if E._from_snapshot(p) is not None))"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert fresh.strip() == "['tt25-2023-hai-cap.yaml', 'tt25-2023.yaml']"
    run("catalogue", "check")
    run("catalogue", "show", "--tier", "xa")
    out = run("demo", "--out", "demo")
    assert (tmp_path / "demo" / "tong-hop-tinh").is_dir() and "tong-hop-tinh" in out
    # the commands added since (issues 15–17), on the demo's own books, as an installed user runs them
    district = sorted((tmp_path / "demo" / "tong-hop-huyen").glob("*.xlsx"))[0]
    commune = sorted((tmp_path / "demo" / "nop-huyen").rglob("*.xlsx"))[0]
    run("report", str(district), "--out", "bao-cao.xlsx")
    assert (tmp_path / "bao-cao.xlsx").is_file()
    run("dossier", str(commune), "--out", "ho-so")
    assert sorted((tmp_path / "ho-so").rglob("*.docx"))
    run("migrate", str(commune), "--out", str(tmp_path / "nam-sau.xlsx"))
    assert (tmp_path / "nam-sau.xlsx").is_file()
    run("generate", "--tier", "xa", "--year", "2026", "--out", "bieu-mau")
    blank = next((tmp_path / "bieu-mau").glob("*.xlsx"))
    run("compute", str(blank), "--json")
    for sample in ("kien-giang-2024-mau.yaml", "tinh-hai-cap-2026-mau.yaml"):
        installed = venv.glob(f"lib/python*/site-packages/cdht/catalogue/profiles/{sample}")
        run("profile", "check", str(next(installed)))
    run("addin", "build", "--out", "dist")
    assert (tmp_path / "dist" / "cdht.xlam").is_file()
