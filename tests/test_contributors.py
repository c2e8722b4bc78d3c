"""Departments' data forms (issue #7, spec §6): the form generator (generator/contributor.py) and
accepting filled forms into the province workbook (addin/contrib.py)."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import openpyxl
import pytest

from cdht.ops.assess import compute
from cdht.ops.contributions import (STATUS_MISSING, STATUS_RECEIVED, STATUS_RETURNED, apply_contributions,
                           contribute, form_deadline, is_contribution, log_rows, is_contribution_path, read_form)
from cdht.xlsx.fastread import raw_items, read_raw
from cdht.read.submission import read_workbook
from cdht.ops.results_sheet import load_for_write, save_safely
from cdht import contract as L
from cdht_generator.api import GenerateError, generate
from cdht_generator.contributor import (SHEET_DATA, SIGNER_NAMES, build_contributor_form, form_tier,
                                   generate_contributor_form, lint_form)
from cdht.edition import load_edition
from cdht.fingerprint import digest
from cdht_generator.lint import lint
from cdht.units import read_units
from cdht.fill import cell_of, evidence_for, fill, named_values as named

EDITION = load_edition()
TINH = EDITION.tier("tinh")
YEAR = 2026
SAMPLE_UNITS = Path(__file__).resolve().parent.parent / "cdht" / "catalogue" / "don-vi-mau.csv"
CODES = [c.code for c in EDITION.spec.contributors]
ON_TIME = dt.datetime(YEAR + 1, 4, 15, 9, 0).timestamp()
LATE = dt.datetime(YEAR + 1, 5, 20, 9, 0).timestamp()

# level-2 inputs of the province (as in tests/corpus.py PASSING["tinh"])
PASSING = {
    **{f"tinh_{c}_{i}": "Đạt" for c, n in ((1, 3), (2, 5), (3, 3)) for i in range(1, n + 1)},
    "tinh_3_4_so_chuong_trinh": 5, "tinh_3_5_so_chuong_trinh": 4, "tinh_3_5_hoc_lieu_mo": "Có",
    "tinh_4_1_tong_so_huyen": 10, "tinh_4_1_so_huyen_muc_do_1": 10, "tinh_4_1_so_huyen_muc_do_2": 9,
    "tinh_4_2_nam_nay": 3.1, "tinh_4_2_nam_truoc": 4.2,
    "tinh_4_3_nam_nay": 125000, "tinh_4_3_nam_truoc": 118000,
}


def dept_fields(code: str) -> list[str]:
    return [f.key for i in EDITION.contributor(code).indicators for f in TINH.indicator(i).fields]


CONTRIB_FIELDS = {k for c in CODES for k in dept_fields(c)}
CONTRIB_INDICATORS = {i for c in EDITION.spec.contributors for i in c.indicators}


@pytest.fixture(scope="module")
def department_kit(tmp_path_factory):
    """(folder, the province template of the sample list, the department forms by contributor code)."""
    root = tmp_path_factory.mktemp("contrib")
    units = read_units(SAMPLE_UNITS)[0]
    province = generate(EDITION, "tinh", YEAR, root / "tinh", units=units, unit_code="MAU-T01")[0]
    forms = {c: generate_contributor_form(EDITION, YEAR, c, root / "forms") for c in CODES}
    return root, province, forms


def clerk_province(department_kit, out: Path, extra: dict | None = None) -> Path:
    """The province workbook with the Sở GD&ĐT's own part typed in (no department figures)."""
    _, province, _ = department_kit
    values = {k: v for k, v in PASSING.items() if k not in CONTRIB_FIELDS}
    values.update(extra or {})
    ev = [r for r in evidence_for(TINH, dt.date(YEAR, 12, 15)) if r[1] not in CONTRIB_INDICATORS]
    return fill(province, out, values, evidence=ev)


def filled_form(department_kit, code: str, out: Path, overrides: dict | None = None, mtime: float = ON_TIME,
                evidence: bool = True) -> Path:
    _, _, forms = department_kit
    values = {k: PASSING[k] for k in dept_fields(code)}
    values.update(overrides or {})
    values.update({"nguoi_ky": "Nguyễn Văn A", "chuc_vu": "Phó Giám đốc", "ngay_ky": dt.date(YEAR + 1, 4, 10)})
    rows = [[f"{code.upper()}-{k}", ind, f"Báo cáo {ind} năm {YEAR}", f"{k}/BC", dt.date(YEAR, 12, 20),
             EDITION.contributor(code).name, None, None]
            for k, ind in enumerate(EDITION.contributor(code).indicators, start=1)] if evidence else None
    p = fill(forms[code], out, values, evidence=rows)
    os.utime(p, (mtime, mtime))
    return p


def apply(province: Path, forms, prefer="workbook", now: dt.datetime | None = None):
    parent = read_workbook(province)
    wb = load_for_write(province)
    res = apply_contributions(wb, parent, forms, prefer=prefer,
                              now=now or dt.datetime.fromtimestamp(ON_TIME))
    assert save_safely(wb, province) is None
    return res


def evidence_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names[L.N_EVIDENCE].destinations))
    ws = wb[sheet]
    return [tuple(c.value for c in row) for row in ws[ref.replace("$", "")] if any(c.value for c in row)]


def codes(findings) -> list[str]:
    return [f.code for f in findings]


# ------------------------------------------------------------------------------------------------
# The form
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_form_is_locked_linted_and_names_match_the_province(department_kit, code):
    _, province, forms = department_kit
    wb, meta = build_contributor_form(EDITION, YEAR, code)
    assert lint_form(wb) == []
    assert lint(wb) == [f"thiếu trang {[L.SHEET_SELF]}"]  # the only difference: "Số liệu" replaces it
    assert wb.sheetnames == [L.SHEET_GUIDE, SHEET_DATA, L.SHEET_EVIDENCE, L.SHEET_RESULTS, L.SHEET_LISTS, L.SHEET_META]
    assert wb.security.lockStructure
    for ws in wb.worksheets:
        assert ws.protection.sheet == (ws.title != L.SHEET_RESULTS), ws.title
    assert wb[L.SHEET_META].sheet_state == "veryHidden"
    assert meta["contributor"] == code and meta["tier"] == "tinh" and meta["unit_code"] == ""
    assert meta["template_id"] == f"cdht:{EDITION.id}:tinh:{YEAR}:dong-gop-{code}"
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["cdht_contributor"] == code and props["cdht_template_id"] == meta["template_id"]

    # its inputs: exactly the department's fields, named like the province's, same validation
    pwb = openpyxl.load_workbook(province)
    fields = dept_fields(code)
    inputs = {n for n in wb.defined_names if n in TINH.fields}
    assert inputs == set(fields)

    def rule(book, name):
        c = cell_of(book, name)
        dv = next(d for d in c.parent.data_validations.dataValidation if c.coordinate in d.sqref)
        return dv.type, dv.operator, dv.formula1, dv.formula2, dv.error

    for name in fields:
        assert not cell_of(wb, name).protection.locked
        assert rule(wb, name) == rule(pwb, name)
    for name in (*SIGNER_NAMES, L.N_EVIDENCE, L.N_LIST_VERDICT, L.N_LIST_YESNO):
        assert name in wb.defined_names
    for name in SIGNER_NAMES:
        assert not cell_of(wb, name).protection.locked
    ev = wb[L.SHEET_EVIDENCE]
    assert [ev.cell(L.HEADER_ROW, c).value for c in range(1, 9)] == L.EVIDENCE_COLUMNS
    last = L.HEADER_ROW + L.EVIDENCE_ROWS
    assert not ev.row_dimensions[last].protection.locked and not ev.cell(last, L.EVIDENCE_DATE_COLUMN).protection.locked

    # the written file: meta read back, fingerprint recomputed the reader's way
    path = forms[code]
    assert path.name == f"CDHT_{YEAR}_tinh_dong-gop-{code}.xlsx"
    rb = read_raw(path)
    assert digest(raw_items(rb, form_tier(TINH))) == meta["fingerprint"]
    sub = read_workbook(path)
    assert is_contribution(sub) and sub.meta["contributor"] == code
    assert is_contribution_path(path) and not is_contribution_path(province)


def test_filling_the_form_keeps_its_fingerprint(department_kit, tmp_path):
    form = read_form(filled_form(department_kit, "so_ldtbxh", tmp_path / "f.xlsx"))
    assert form.refused is None, form.findings
    assert form.values == {"tinh_4_2_nam_nay": 3.1, "tinh_4_2_nam_truoc": 4.2}
    assert form.signer["nguoi_ky"] == "Nguyễn Văn A"
    assert len(form.evidence) == 1


def test_unknown_contributor_code(tmp_path):
    with pytest.raises(GenerateError) as e:
        generate_contributor_form(EDITION, YEAR, "so_khong_co", tmp_path)
    assert codes(e.value.findings) == ["CDHT-K001"]
    assert "so_vhtt" in e.value.findings[0].fix
    with pytest.raises(GenerateError):
        build_contributor_form(EDITION, YEAR, "so_khong_co")


# ------------------------------------------------------------------------------------------------
# Accepting forms
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_round_trip_one_department(department_kit, tmp_path, code):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    before = len(evidence_rows(province))
    res = apply(province, [filled_form(department_kit, code, tmp_path / "f.xlsx")])
    got = named(province, dept_fields(code))
    assert got == {k: PASSING[k] for k in dept_fields(code)}
    dep = next(d for d in res.as_dict()["contributors"] if d["code"] == code)
    assert dep["status"] == STATUS_RECEIVED and dep["late"] is False and dep["conflicts"] == []
    assert dep["file"] == "f.xlsx" and len(dep["sha256"]) == 12 and dep["received"] == "2027-04-15"
    rows = evidence_rows(province)
    assert len(rows) == before + len(EDITION.contributor(code).indicators)
    assert all(f"Do {EDITION.contributor(code).name} cung cấp" == r[7] for r in rows[before:])
    # the appended rows stay typeable for the clerk (cells created in the register's unlocked rows)
    wb = openpyxl.load_workbook(province)
    ev = wb[L.SHEET_EVIDENCE]
    added = range(L.HEADER_ROW + 1 + before, L.HEADER_ROW + 1 + len(rows))
    assert all(not ev.cell(r, c).protection.locked for r in added for c in range(1, 9) if ev.cell(r, c).value is not None)
    wb.close()
    # other departments: missing
    others = [d for d in res.as_dict()["contributors"] if d["code"] != code]
    assert {d["status"] for d in others} == {STATUS_MISSING}
    assert codes(res.findings).count("CDHT-K003") == len(CODES) - 1
    rep = compute(province)
    assert not {"CDHT-W019", "CDHT-W020", "CDHT-W021", "CDHT-W018"} & set(codes(rep.findings))
    assert not rep.sub.tampered
    for k in dept_fields(code):
        assert rep.sub.values[k] == PASSING[k]


def test_all_departments_complete_the_province(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    assert compute(province).level is None  # department figures missing: not complete
    res = apply(province, [filled_form(department_kit, c, tmp_path / f"{c}.xlsx") for c in CODES])
    assert "CDHT-K003" not in codes(res.findings)
    assert {d["status"] for d in res.as_dict()["contributors"]} == {STATUS_RECEIVED}
    rep = compute(province)
    assert rep.level == 2 and rep.assessment.complete
    assert not rep.sub.tampered
    assert len(res.provenance()) == len(CODES)


def test_level_reflects_department_figures(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    forms = [filled_form(department_kit, c, tmp_path / f"{c}.xlsx") for c in CODES if c != "so_ldtbxh"]
    forms.append(filled_form(department_kit, "so_ldtbxh", tmp_path / "ld.xlsx",
                             {"tinh_4_2_nam_nay": 4.5, "tinh_4_2_nam_truoc": 4.2}))  # poverty went up
    apply(province, forms)
    rep = compute(province)
    assert rep.level == 0
    assert rep.assessment.as_dict()["indicators"]["tinh.4.2"]["level1"] in (False, "Không đạt", 0)


def test_conflict_prefer_workbook_keeps_clerk_value(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx", {"tinh_3_4_so_chuong_trinh": 6})
    res = apply(province, [filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx")], prefer="workbook")
    assert named(province, ["tinh_3_4_so_chuong_trinh", "tinh_3_3"]) == {"tinh_3_4_so_chuong_trinh": 6,
                                                                         "tinh_3_3": "Đạt"}
    k2 = [f for f in res.findings if f.code == "CDHT-K002"]
    assert len(k2) == 1
    assert k2[0].facts["workbook_value"] == "6" and k2[0].facts["file_value"] == "5"
    assert k2[0].facts["chosen"] == "giá trị trong sổ tổng hợp"
    assert "Sở Văn hóa và Thể thao" in k2[0].message
    dep = next(d for d in res.as_dict()["contributors"] if d["code"] == "so_vhtt")
    assert len(dep["conflicts"]) == 1 and dep["conflicts"][0]["code"] == "CDHT-K002"


def test_conflict_prefer_file_replaces(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx", {"tinh_3_3": "Không đạt"})
    res = apply(province, [filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx")], prefer="file")
    assert named(province, ["tinh_3_3"]) == {"tinh_3_3": "Đạt"}
    k2 = [f for f in res.findings if f.code == "CDHT-K002"]
    assert len(k2) == 1 and k2[0].facts["chosen"] == "giá trị trong phiếu"
    assert k2[0].facts["workbook_value"] == "'Không đạt'" and k2[0].facts["file_value"] == "'Đạt'"
    assert not compute(province).sub.tampered
    rows = log_rows(res, "2027-05-01 08:00:00")
    assert rows == [["2027-05-01 08:00:00", "Nhận phiếu", "f.xlsx", "Sở Văn hóa và Thể thao", STATUS_RECEIVED, "",
                     "điền 2 ô, thêm 2 minh chứng, 1 xung đột (chọn giá trị trong phiếu)"]]


def test_equal_values_are_not_conflicts(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx", {"tinh_4_3_nam_nay": 125000.0, "tinh_3_1": "đạt"})
    res = apply(province, [filled_form(department_kit, "cuc_thong_ke", tmp_path / "a.xlsx"),
                           filled_form(department_kit, "co_so_giao_duc", tmp_path / "b.xlsx")])
    assert "CDHT-K002" not in codes(res.findings)


def test_missing_department(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    forms = [filled_form(department_kit, c, tmp_path / f"{c}.xlsx") for c in CODES if c != "dai_ptth"]
    res = apply(province, forms)
    k3 = [f for f in res.findings if f.code == "CDHT-K003"]
    assert len(k3) == 1 and "Đài Phát thanh" in k3[0].message
    dep = next(d for d in res.as_dict()["contributors"] if d["code"] == "dai_ptth")
    assert dep["status"] == STATUS_MISSING and dep["file"] is None


def test_late_form_is_accepted_and_flagged(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    # received (first seen) on 20/05 — the file's own modification time says nothing (issue 12, case 7)
    form = filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx", mtime=ON_TIME)
    res = apply(province, [form], now=dt.datetime.fromtimestamp(LATE))
    dep = next(d for d in res.as_dict()["contributors"] if d["code"] == "so_vhtt")
    assert dep["status"] == STATUS_RECEIVED and dep["late"] is True and dep["received"] == "2027-05-20"
    assert "CDHT-M012" in codes(res.findings)
    assert form_deadline(YEAR) == dt.date(YEAR + 1, 4, 30)


def test_tampered_form_is_refused(department_kit, tmp_path):
    path = filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[SHEET_DATA]["B5"] = "Chỉ tiêu đã bị sửa"  # a locked fixed text
    wb.save(path)
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    res = apply(province, [path])
    assert "CDHT-M008" in codes(res.findings)
    dep = next(d for d in res.as_dict()["contributors"] if d["code"] == "so_vhtt")
    assert dep["status"] == STATUS_RETURNED and dep["reason"]
    assert named(province, ["tinh_3_3", "tinh_3_4_so_chuong_trinh"]) == {"tinh_3_3": None,
                                                                         "tinh_3_4_so_chuong_trinh": None}


def test_unprotected_form_is_refused(department_kit, tmp_path):
    path = filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[SHEET_DATA].protection.sheet = False
    wb.save(path)
    assert read_form(path).refused.code == "CDHT-M008"


def test_wrong_year_is_refused(department_kit, tmp_path):
    _, _, forms = department_kit
    other = generate_contributor_form(EDITION, YEAR - 1, "so_vhtt", tmp_path / "old")
    form = fill(other, tmp_path / "f.xlsx", {"tinh_3_3": "Đạt", "tinh_3_4_so_chuong_trinh": 5})
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    res = apply(province, [form])
    m2 = [f for f in res.findings if f.code == "CDHT-M002"]
    assert len(m2) == 1 and m2[0].facts == {"found": YEAR - 1, "expected": YEAR}
    assert named(province, ["tinh_3_3"]) == {"tinh_3_3": None}


def test_unknown_contributor_in_file_is_refused(department_kit, tmp_path):
    path = filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    meta = wb[L.SHEET_META]
    row = next(r for r in range(1, meta.max_row + 1) if meta.cell(r, 1).value == "contributor")
    meta.cell(row, 2, "so_gia")
    wb.save(path)
    assert read_form(path).refused.code == "CDHT-K001"


def test_invalid_value_returns_the_form(department_kit, tmp_path):
    path = filled_form(department_kit, "so_ldtbxh", tmp_path / "f.xlsx", {"tinh_4_2_nam_nay": 130})
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    res = apply(province, [path])
    assert "CDHT-W012" in codes(res.findings)
    dep = next(d for d in res.as_dict()["contributors"] if d["code"] == "so_ldtbxh")
    assert dep["status"] == STATUS_RETURNED
    assert named(province, ["tinh_4_2_nam_truoc"]) == {"tinh_4_2_nam_truoc": None}


def test_duplicate_forms_newest_wins(department_kit, tmp_path):
    old = filled_form(department_kit, "so_vhtt", tmp_path / "old.xlsx", {"tinh_3_4_so_chuong_trinh": 4},
                      mtime=ON_TIME - 86400)
    new = filled_form(department_kit, "so_vhtt", tmp_path / "new.xlsx", {"tinh_3_4_so_chuong_trinh": 7})
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    res = apply(province, [old, new])
    assert named(province, ["tinh_3_4_so_chuong_trinh"]) == {"tinh_3_4_so_chuong_trinh": 7}
    assert "CDHT-M005" in codes(res.findings)


def test_idempotent(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    forms = [filled_form(department_kit, c, tmp_path / f"{c}.xlsx") for c in CODES]
    apply(province, forms)
    values1, rows1 = named(province, CONTRIB_FIELDS), evidence_rows(province)
    res2 = apply(province, forms)
    assert named(province, CONTRIB_FIELDS) == values1
    assert evidence_rows(province) == rows1
    assert not res2.changed
    assert "CDHT-K002" not in codes(res2.findings)
    rep = compute(province)
    assert not {"CDHT-W019", "CDHT-W021"} & set(codes(rep.findings)) and rep.level == 2


def test_contribute_saves_once_and_accepts_submissions(department_kit, tmp_path):
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    subs = [read_workbook(filled_form(department_kit, "dai_ptth", tmp_path / "d.xlsx"))]
    assert all(is_contribution(s) for s in subs)
    res = contribute(province, [s.path for s in subs])
    assert res.changed
    assert named(province, ["tinh_3_5_hoc_lieu_mo"]) == {"tinh_3_5_hoc_lieu_mo": "Có"}
    assert (tmp_path / "tinh.xlsx.bak").exists()
    wb = load_for_write(province)
    res2 = apply_contributions(wb, read_workbook(province), subs)
    assert not res2.changed


def test_forms_only_go_into_a_province_workbook(department_kit, tmp_path):
    units = read_units(SAMPLE_UNITS)[0]
    huyen = generate(EDITION, "huyen", YEAR, tmp_path, units=units, unit_code="MAU-H01")[0]
    res = apply_contributions(load_for_write(huyen), read_workbook(huyen),
                              [filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx")])
    assert codes(res.findings) == ["CDHT-M018"]


# --- through the CLI: `cdht generate --contributor`, `cdht merge --prefer` -----------------------

def test_cli_generates_every_department_form(tmp_path):
    from click.testing import CliRunner

    from cdht.cli.main import main
    r = CliRunner().invoke(main, ["generate", "--tier", "tinh", "--year", str(YEAR), "--contributor", "all",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(
        f"CDHT_{YEAR}_tinh_dong-gop-{c}.xlsx" for c in CODES)
    bad = CliRunner().invoke(main, ["generate", "--tier", "tinh", "--year", str(YEAR), "--contributor", "khong-co",
                                    "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "[CDHT-K001]" in bad.output


def test_cli_merge_takes_forms_into_the_province_with_prefer(department_kit, tmp_path):
    from click.testing import CliRunner

    from cdht.cli.main import main
    province = clerk_province(department_kit, tmp_path / "tinh.xlsx", extra={"tinh_4_3_nam_nay": 120000})
    inbox = tmp_path / "inbox"
    for code in CODES:
        filled_form(department_kit, code, inbox / f"{code}.xlsx")
    r = CliRunner().invoke(main, ["merge", str(province), str(inbox), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    status = {c["code"]: c["status"] for c in d["contributions"]["contributors"]}
    assert set(status.values()) == {"đã nộp"}
    assert "CDHT-K002" in {f["code"] for f in d["findings"]}  # 120000 typed vs 125000 in the form
    assert named(province, ["tinh_4_3_nam_nay"])["tinh_4_3_nam_nay"] == 120000  # workbook kept
    r = CliRunner().invoke(main, ["merge", str(province), str(inbox), "--prefer", "file", "--json"])
    assert r.exit_code == 0, r.output
    assert named(province, ["tinh_4_3_nam_nay"])["tinh_4_3_nam_nay"] == 125000  # form chosen, logged
    log = [row for row in openpyxl.load_workbook(province)[L.SHEET_LOG].iter_rows(values_only=True)]
    notes = [row[6] for row in log if row[1] == "Nhận phiếu" and row[2] == "cuc_thong_ke.xlsx"]
    assert len(notes) == 2  # one line per run, append-only
    assert "1 xung đột" in notes[0] and "1 xung đột" in notes[1]
    assert notes[0] != notes[1]  # the clerk's choice (workbook, then file) is logged


def test_compute_on_a_signed_form_is_not_tampering(department_kit, tmp_path):
    from cdht.ops.assess import compute
    rep = compute(filled_form(department_kit, "so_vhtt", tmp_path / "f.xlsx"))
    assert not rep.sub.tampered
    assert not {"CDHT-W019", "CDHT-W021"} & {f.code for f in rep.findings}


def test_forms_are_dated_by_the_receipt_ledger_not_by_file_times(department_kit, tmp_path):
    """Issue 12, case 7, for the departments' forms: the day a form's content was first seen stays
    its receipt day in later merges; the file's own modification time is never used."""
    from cdht.ops.merge import merge

    province = clerk_province(department_kit, tmp_path / "tinh.xlsx")
    inbox = tmp_path / "inbox"
    filled_form(department_kit, "so_vhtt", inbox / "so_vhtt.xlsx", mtime=LATE)  # a late-looking file time
    first = merge(province, [inbox], now=dt.datetime.fromtimestamp(ON_TIME))
    dep = next(d for d in first.contributions.as_dict()["contributors"] if d["code"] == "so_vhtt")
    assert dep["received"] == "2027-04-15" and dep["late"] is False
    again = merge(province, [inbox], now=dt.datetime.fromtimestamp(LATE))  # same content, a month later
    dep = next(d for d in again.contributions.as_dict()["contributors"] if d["code"] == "so_vhtt")
    assert dep["received"] == "2027-04-15" and dep["late"] is False
    log = list(openpyxl.load_workbook(province)[L.SHEET_LOG].iter_rows(values_only=True))
    assert [r[2] for r in log if r[1] == "Nhận hồ sơ"] == ["so_vhtt.xlsx"]  # one ledger row per content
