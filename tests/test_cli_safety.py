"""The CLI's last safety net: an unexpected error is a coded message and a log entry, no traceback."""
from click.testing import CliRunner

from cdht.cli.main import main


def test_unexpected_error_is_coded_and_logged(monkeypatch, tmp_path):
    log = tmp_path / "cdht.log"
    monkeypatch.setenv("CDHT_LOG", str(log))

    def boom(*a, **k):
        raise KeyError("không lường trước")

    monkeypatch.setattr("cdht.ops.assess.compute", boom)
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"")
    r = CliRunner().invoke(main, ["compute", str(target)])
    assert r.exit_code == 2
    assert "[CDHT-A001]" in r.output and str(log) in r.output
    assert "Traceback" not in r.output
    assert "KeyError" in log.read_text(encoding="utf-8") and "Traceback" in log.read_text(encoding="utf-8")


def test_unwritable_output_is_w023(tmp_path):
    blocker = tmp_path / "khong-phai-thu-muc"
    blocker.write_text("x")  # a file where the output folder should be
    r = CliRunner().invoke(main, ["generate", "--tier", "xa", "--year", "2026", "--out", str(blocker / "sub")])
    assert r.exit_code == 2
    assert "[CDHT-W023]" in r.output and "Traceback" not in r.output
