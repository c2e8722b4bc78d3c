"""No internal words reach users (issue 17).

Scans every string people read — every text written into every generated template (all tiers,
both editions, the departments' forms), into the merged parents and returned workbooks of the
demo, and every CLI message (stdout and stderr of the commands on good and bad input) — for:

- field keys and defined names (``huyen_4_1_tong_so_xa``, ``td_xa_1_1``, ``minh_chung``): people
  know a field by its label;
- tier codes as words ("huyen", "xa", "tinh"): people read "cấp huyện", not a code. A code stays
  where it is something to type — an option value (``--tier xa``), a quoted literal ('xa'), part of
  an indicator code (xa.1.1) or of a file name;
- English library phrases (click's "Usage:", "Error:", "Missing option", the OS's "No such file or
  directory", "Traceback", "KeyError" …).

Not scanned: defined names, hidden sheets and formulas' references (machinery, not text), the
JSON outputs (codes and keys for machines), and ``--help`` (its own words are checked by
tests/test_cli_words.py: click's layout, our words).
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cdht import contract as L
from cdht.edition import load_edition
from tests import corpus as C
from tests.support.cli import run

EDITIONS = {"tt25": load_edition(None), "hai-cap": load_edition("cdht/catalogue/tt25-2023-hai-cap.yaml")}
TIER_CODES = sorted({code for e in EDITIONS.values() for code in e.tiers})

# The documented column headers of the --units CSV (a file format people type): allowed there only.
CSV_HEADER = "ma, ten, cap, ma_cap_tren, vung_kho_khan"


def _internal_names() -> set[str]:
    """Field keys and every defined name the templates use (snake_case machinery)."""
    names = {v for k, v in vars(L).items() if k.startswith("N_") and isinstance(v, str) and "_" in v}
    for e in EDITIONS.values():
        for t in e.tiers.values():
            names |= set(t.fields)
            for i in t.indicators:
                names |= {L.appraisal_name(i.id), L.appraisal_reason_name(i.id), L.evidence_count_name(i.id)}
    return names


INTERNAL = _internal_names()
_SNAKE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+")
# a tier code standing as a word: not inside an identifier, path, indicator code or quoted literal,
# and not an option value ("--tier xa")
_TIER_WORD = re.compile(r"(?<![\w./\\'\"`=-])(?<!--tier )(" + "|".join(TIER_CODES) + r")(?![\w./\\'\"`-])")
ENGLISH = ["No such file or directory", "is not readable", "does not exist", "Error:", "Usage:", "Traceback",
           "KeyError", "There is no item named", "Try '", "for help", "Invalid value", "Missing option",
           "Missing argument", "No such option", "No such command", "unexpected extra argument",
           "requires an argument", "Permission denied", "Is a directory", "Not a directory", "Aborted!",
           "Errno", "Exception", "ValueError", "TypeError", "BadZipFile", "not a zip file", "Did you mean"]


def internal_words(text: str) -> list[str]:
    """What in ``text`` is not for people: field keys / names, tier codes as words, English phrases."""
    text = str(text).replace(CSV_HEADER, "")
    found = [m for m in _SNAKE.findall(text) if m in INTERNAL]
    found += [f"tier code '{m.group(1)}' in …{text[max(0, m.start() - 25):m.end() + 25]}…"
              for m in _TIER_WORD.finditer(text)]
    found += [p for p in ENGLISH if p in text]
    return found


def test_the_scanner_finds_what_the_issue_reported():
    assert internal_words("Cấp huyen ← cấp xa, năm 2026")
    assert internal_words("Chỉ tiêu tính từ cấp dưới: huyen_4_1_tong_so_xa = 6")
    assert internal_words("Error: File 'x.xlsx' is not readable.")
    assert internal_words("[CDHT-W001] LỖI: Không đọc được tệp ([Errno 2] No such file or directory)")
    assert internal_words("KeyError: There is no item named 'xl/workbook.xml' in the archive")
    assert internal_words("Usage: cdht check [OPTIONS] FILE\nTry 'cdht check -h' for help.")
    # what people type or read as codes is not internal
    assert internal_words("cdht generate --tier xa --year 2026; chỉ tiêu xa.1.1, huyen.4.1; tệp CDHT_2026_xa_mau.xlsx; "
                          "chọn 'xa', 'huyen' hoặc 'tinh'; các cột " + CSV_HEADER) == []


# -------------------------------------------------------------------------------------------------
# Workbooks: every string people can read
# -------------------------------------------------------------------------------------------------

_FORMULA_TEXT = re.compile(r'"((?:[^"]|"")*)"')


def workbook_texts(path: Path):
    """(place, text) of every string people read in ``path``: cell texts of visible sheets, the
    text pieces of their formulas, validation titles / prompts / messages, headers and footers,
    comments, sheet names, chart titles and labels."""
    wb = openpyxl.load_workbook(path)
    try:
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                yield f"{ws.title} (tên trang)", ws.title
                yield from _cell_texts(ws)
                yield from _sheet_texts(ws)
    finally:
        wb.close()
    with zipfile.ZipFile(path) as z:  # charts: their titles and labels
        for name in z.namelist():
            if name.startswith("xl/charts/chart"):
                for text in re.findall(r"<(?:a:t|c:v)>([^<]*)</", z.read(name).decode("utf-8")):
                    yield f"{name} (biểu đồ)", text


def _cell_texts(ws):
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if isinstance(v, str) and v.startswith("="):
                # the text pieces a formula shows; a one-word piece is an operand (a code looked
                # up, a separator), not something shown: scanned for names and English only
                for piece in _FORMULA_TEXT.findall(v):
                    yield f"{ws.title}!{c.coordinate} (công thức)", piece if " " in piece else _TIER_WORD.sub("", piece)
            elif isinstance(v, str):
                yield f"{ws.title}!{c.coordinate}", v
            if c.comment is not None:
                yield f"{ws.title}!{c.coordinate} (ghi chú)", c.comment.text


def _sheet_texts(ws):
    for dv in ws.data_validations.dataValidation:
        for text in filter(None, (dv.errorTitle, dv.error, dv.promptTitle, dv.prompt)):
            yield f"{ws.title}!{dv.sqref} (kiểm tra dữ liệu)", text
    for part in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
        for side in (part.left, part.center, part.right):
            if side.text:
                yield f"{ws.title} (đầu/chân trang)", side.text


def _problems(texts) -> list[str]:
    return [f"{place}: {words} in {text[:120]!r}" for place, text in texts for words in [internal_words(text)] if words]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Every template issued: each tier of both editions (blank and for a sample unit), and the
    departments' forms."""
    from cdht_generator.api import generate
    from cdht_generator.contributor import generate_contributor_form
    out = tmp_path_factory.mktemp("issued")
    paths = []
    for key, edition in EDITIONS.items():
        for tier in edition.tiers:
            paths += generate(edition, tier, C.YEAR, out / key)
    paths += generate(EDITIONS["tt25"], "xa", C.YEAR, out / "unit", units=C.UNITS, unit_code=C.UNIT["xa"])
    from cdht.profile import load_profile  # a two-tier province's workbooks, its bodies named by its profile
    two_tier, _ = load_profile("cdht/catalogue/profiles/tinh-hai-cap-2026-mau.yaml")
    for tier in ("xa", "tinh"):
        unit = two_tier.units_in(C.YEAR, tier)[0].code
        paths += generate(EDITIONS["hai-cap"], tier, C.YEAR, out / "hai-cap-profile", profile=two_tier, unit_code=unit)
    paths += [generate_contributor_form(EDITIONS["tt25"], C.YEAR, con.code, out / "forms")
              for con in EDITIONS["tt25"].spec.contributors]
    return paths


@pytest.mark.slow
def test_every_issued_template_speaks_to_people(issued):
    assert len(issued) >= 9
    problems = [p for path in issued for p in _problems(workbook_texts(path))]
    assert not problems, "\n".join(problems[:40])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """``cdht demo``: templates, submitted communes, merged districts and province (and its output)."""
    out = tmp_path_factory.mktemp("demo") / "cdht-demo"
    res = run("demo", "--out", out)
    assert res.exit_code == 0, res.output
    return out, res.output


@pytest.mark.slow
def test_merged_parents_and_returned_workbooks_speak_to_people(demo, tmp_path):
    """The demo's merged district and province books, and the workbooks a merge writes back to the
    communes it returns (--return-dir: tampered, wrong year, missing evidence)."""
    import shutil
    out, _ = demo
    merged = sorted((out / "tong-hop-huyen").glob("*.xlsx")) + sorted((out / "tong-hop-tinh").glob("*.xlsx"))
    assert len(merged) >= 3
    parent = Path(shutil.copy(out / "tong-hop-huyen" / merged[1].name, tmp_path / merged[1].name))
    res = run("merge", parent, out / "nop-huyen" / "MAU-H02", "--return-dir", tmp_path / "tra-lai")
    returned = sorted((tmp_path / "tra-lai").glob("*.xlsx"))
    assert returned, res.output
    problems = [f"cdht merge --return-dir: {w}" for w in internal_words(res.output)]
    problems += [p for path in merged + [parent] + returned for p in _problems(workbook_texts(path))]
    assert not problems, "\n".join(problems[:40])


@pytest.mark.slow
def test_checked_communes_speak_to_people(demo, tmp_path):
    """``check --write`` of every submitted commune (missing evidence, wrong year, tampered …): the
    "Kết quả kiểm tra" sheet it writes holds the findings' texts."""
    import shutil
    out, _ = demo
    problems = []
    for src in sorted((out / "nop-huyen").rglob("*.xlsx")):
        path = shutil.copy(src, tmp_path / src.name)
        res = run("check", path, "--write", "--year", C.YEAR)
        problems += [f"cdht check {src.name} --write: {w}" for w in internal_words(res.output)]
        problems += _problems(workbook_texts(Path(path)))
    assert not problems, "\n".join(problems[:40])


# -------------------------------------------------------------------------------------------------
# The command line, on good and bad input
# -------------------------------------------------------------------------------------------------

def _good_commands(demo_out: Path, tmp: Path) -> list[list]:
    communes = sorted((demo_out / "nop-huyen").rglob("*.xlsx"))
    district = sorted((demo_out / "tong-hop-huyen").glob("*.xlsx"))[0]
    province = sorted((demo_out / "tong-hop-tinh").glob("*.xlsx"))[0]
    return [
        ["catalogue", "check"], ["catalogue", "show"], ["catalogue", "show", "--tier", "huyen"],
        ["generate", "--tier", "xa", "--year", C.YEAR, "--out", tmp / "gen"],
        ["generate", "--tier", "huyen", "--year", C.YEAR, "--units", "cdht/catalogue/don-vi-mau.csv",
         "--out", tmp / "gen-units"],
        *[["check", p] for p in communes], ["compute", communes[0]], ["check", communes[0], "--year", C.YEAR + 1],
        ["merge", district, *[p.parent for p in communes[:1]], "--dry-run"],
        ["merge", province, *sorted((demo_out / "tong-hop-huyen").glob("*.xlsx")), "--dry-run"],
        ["profile", "check", "cdht/catalogue/profiles/kien-giang-2024-mau.yaml"],
        ["report", district, "--out", tmp / "report"],
    ]


def _bad_commands(demo_out: Path, tmp: Path) -> list[list]:
    ods = tmp / "so-tinh.ods"
    ods.write_bytes(b"PK\x03\x04" + b"\0" * 26)  # a zip header, not an xlsx
    with zipfile.ZipFile(tmp / "lo.ods", "w") as z:  # a real OpenDocument spreadsheet package
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    text = tmp / "ghi-chu.txt"
    text.write_text("không phải sổ tính", encoding="utf-8")
    missing = tmp / "khong-co.xlsx"
    bad_csv = tmp / "don-vi.csv"
    bad_csv.write_text("ma,ten,cap,ma_cap_tren\nX1,Xã Một,quận,\nX1,Xã Hai,xa,\n,Không mã,xa,\n", encoding="utf-8")
    district = sorted((demo_out / "tong-hop-huyen").glob("*.xlsx"))[0]
    commune = sorted((demo_out / "nop-huyen").rglob("*.xlsx"))[0]
    return [
        ["check", missing], ["compute", missing], ["check", tmp], ["check", ods], ["check", tmp / "lo.ods"],
        ["check", text], ["merge", missing, tmp], ["merge", district, missing, "--dry-run"],
        ["merge", commune, tmp, "--dry-run"],
        ["check"], ["check", "--khong-co", commune], ["check", commune, "thua"], ["check", commune, "--year"],
        ["check", commune, "--year", "hai-nghin"], ["generate", "--tier", "quan", "--year", C.YEAR, "--out", tmp],
        ["generate", "--year", C.YEAR, "--out", tmp], ["khong-co-lenh"], ["catalogue", "show", "--tier", "xã"],
        ["catalogue", "check", missing], ["generate", "--tier", "xa", "--year", C.YEAR, "--units", missing,
                                          "--out", tmp / "g"],
        ["profile", "check", missing], ["report", commune, "--out", tmp / "r"], ["report", missing, "--out", tmp / "r"],
        ["dossier", commune, "--profile", missing, "--out", tmp / "d"],
        ["generate", "--tier", "xa", "--year", 1990, "--out", tmp / "g2"],
        ["merge", district], ["--khong-co"],
        ["generate", "--tier", "xa", "--year", C.YEAR, "--units", ods, "--out", tmp / "g3"],
        ["generate", "--tier", "xa", "--year", C.YEAR, "--units", bad_csv, "--out", tmp / "g4"],
        ["merge", district, commune.parent, "--register-from", tmp / "lo.ods", "--dry-run"],
        ["merge", district, commune.parent, "--register-from", missing, "--dry-run"],
    ]


@pytest.mark.slow
def test_every_cli_message_speaks_to_people(demo, tmp_path):
    out, demo_output = demo
    problems = [f"demo: {w}" for w in internal_words(demo_output)]
    for args in _good_commands(out, tmp_path) + _bad_commands(out, tmp_path):
        res = run(*args)
        words = internal_words(res.output)
        if words:
            problems.append(f"cdht {' '.join(str(a) for a in args)} → {words}\n{res.output[:600]}")
    assert not problems, "\n\n".join(problems)


def test_usage_errors_are_coded_vietnamese_and_help_still_works(tmp_path):
    for args in (["check"], ["check", "--khong-co", "x.xlsx"], ["generate", "--tier", "quan", "--year", "2026",
                                                                "--out", tmp_path], ["khong-co-lenh"],
                 ["check", "x.xlsx", "thua"], ["check", "x.xlsx", "--year"], ["check", "x.xlsx", "--year", "abc"]):
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert re.search(r"\[CDHT-W03\d\] LỖI", res.output), (args, res.output)
        assert "Cách sửa:" in res.output and not internal_words(res.output), (args, res.output)
    res = run("generate", "--tier", "quan", "--year", "2026", "--out", tmp_path)
    assert "'quan'" in res.output and "cấp xã" in res.output.lower()
    helped = run("check", "--help")
    assert helped.exit_code == 0 and "--year" in helped.output and "Kiểm tra minh chứng" in helped.output
    assert run("--help").exit_code == 0 and run("--version").exit_code == 0


def test_an_unexpected_error_names_no_library_exception(monkeypatch, tmp_path):
    """The last safety net (CDHT-A001) says where the details are, not Python's exception name."""
    def boom(*a, **k):
        raise KeyError("There is no item named 'xl/workbook.xml' in the archive")

    monkeypatch.setattr("cdht.ops.assess.compute", boom)
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"")
    res = run("compute", target)
    assert res.exit_code == 2 and "[CDHT-A001]" in res.output
    assert not internal_words(res.output), res.output


@pytest.mark.slow
def test_last_years_register_that_is_no_workbook_is_a_finding_not_a_crash(demo, tmp_path):
    out, _ = demo
    district = sorted((out / "tong-hop-huyen").glob("*.xlsx"))[0]
    inbox = sorted((out / "nop-huyen").iterdir())[0]
    ods = tmp_path / "nam-truoc.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    res = run("merge", district, inbox, "--register-from", ods, "--dry-run", "--json")
    codes = [f["code"] for f in json.loads(res.stdout)["findings"]]
    # a --register-from that cannot be read stops the merge before anything is read or written
    # (M024, then the reason's own W002; issue 18), with the refusal's exit status, never A001
    assert codes == ["CDHT-M024", "CDHT-W002"] and "CDHT-A001" not in res.output and res.exit_code == 2


def test_a_commands_own_coded_refusal_is_not_recoded_as_a_usage_error(tmp_path):
    """Only click's usage errors become W033–W039: a command's own ClickException (the demo refusing
    a folder of the user's files, CDHT-W032) keeps its code and text."""
    (tmp_path / "cua-toi.xlsx").write_bytes(b"my own work")
    res = run("demo", "--out", tmp_path)
    assert res.exit_code != 0 and "[CDHT-W032]" in res.output and "CDHT-W037" not in res.output
