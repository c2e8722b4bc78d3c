"""`cdht merge --return-dir`: one small workbook per unit to send back, listing what to fix."""
import json

import openpyxl
from click.testing import CliRunner

from cdht.cli.main import main
from tests.merge_fixtures import Kit


def test_return_workbooks_list_each_units_errors(tmp_path):
    kit = Kit(tmp_path / "kit")
    parent = kit.parent(tmp_path / "p.xlsx")
    inbox = tmp_path / "inbox"
    kit.commune(inbox / "a.xlsx", "MAU-X0101")                                            # clean
    kit.commune(inbox / "b.xlsx", "MAU-X0102", overrides={"xa_5_2_so_dai_hoc": None})   # incomplete
    kit.commune(inbox / "c.xlsx", "MAU-X0103", evidence=False)                          # no evidence
    out = tmp_path / "tra-lai"
    r = CliRunner().invoke(main, ["merge", str(parent), str(inbox), "--return-dir", str(out), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    names = sorted(p.rsplit("/", 1)[-1] for p in d["return_workbooks"])
    assert names == ["TRA-LAI_2026_MAU-X0102.xlsx", "TRA-LAI_2026_MAU-X0103.xlsx"]
    ws = openpyxl.load_workbook(out / "TRA-LAI_2026_MAU-X0103.xlsx").active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5) if row[0].value]
    assert {row[1] for row in rows} >= {"CDHT-E001", "CDHT-M015"}
    assert all(row[0] == "c.xlsx" and row[4] and row[5] for row in rows)  # file, message, fix
    assert "MAU-X0103" in ws["A1"].value


def test_dry_run_writes_no_return_workbooks(tmp_path):
    kit = Kit(tmp_path / "kit")
    parent = kit.parent(tmp_path / "p.xlsx")
    kit.commune(tmp_path / "inbox" / "c.xlsx", "MAU-X0103", evidence=False)
    out = tmp_path / "tra-lai"
    r = CliRunner().invoke(main, ["merge", str(parent), str(tmp_path / "inbox"), "--return-dir", str(out),
                                  "--dry-run"])
    assert r.exit_code == 0, r.output
    assert not out.exists()
