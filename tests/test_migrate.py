"""``cdht migrate`` and the ribbon's "Chuyển sang mẫu năm sau" (issue 17), on real files: a unit's
2025 workbook of each tier carried into its 2026 template, a template-version change within a
year, and every refusal (tampered source, blank template, unit not in / merged away from the
registry, target already there) — each leaving the source untouched and writing nothing."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from cdht import contract as L
from cdht import rules as R
from cdht.edition import CATALOGUE_DIR, load_edition
from cdht.fill import named_values
from cdht.read.submission import read_workbook
from cdht.units import SAMPLE_UNITS
from cdht_generator.api import generate
from tests import corpus as C
from tests.support.cli import run, sha

OLD, NEW = 2025, 2026
EVIDENCE_DAY = dt.date(OLD, 6, 1)
PREPARER = "Nguyễn Thị Lập"
PREVIOUS = {"huyen": {"huyen_4_2_nam_truoc": "huyen_4_2_nam_nay", "huyen_4_3_nam_truoc": "huyen_4_3_nam_nay"},
            "tinh": {"tinh_4_2_nam_truoc": "tinh_4_2_nam_nay", "tinh_4_3_nam_truoc": "tinh_4_3_nam_nay"}, "xa": {}}


def _old(folder: Path, tier: str, name: str = "so-cu.xlsx", templates: Path | None = None) -> Path:
    """The sample unit's 2025 workbook, filled to level 2, with a preparer and evidence dated in
    2025; the first evidence row cites its indicator the way people type it ("1.1")."""
    evidence = C.evidence_for(C.EDITION.tier(tier), EVIDENCE_DAY)
    evidence[0][1] = evidence[0][1].split(".", 1)[1]
    return C.filled(Path(folder) / name, tier, {L.N_PREPARER: PREPARER, L.N_PREPARED_ON: dt.date(2026, 1, 20)},
                    year=OLD, evidence=evidence, templates=templates)


def _migrate_json(*args):
    res = run("migrate", *args, "--json")
    return res, json.loads(res.stdout)


def _files(folder: Path) -> dict[str, str]:
    return {p.name: sha(p) for p in Path(folder).rglob("*") if p.is_file()}


def _codes(out: dict) -> list[str]:
    return [f["code"] for f in out["findings"]]


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    return tmp_path_factory.mktemp("mau")


# ------------------------------------------------------------------------------------------------
# 2025 → 2026, every tier
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tier", ["xa", "huyen", "tinh"])
def test_a_2025_workbook_becomes_the_units_2026_workbook(tmp_path, templates, tier):
    old = _old(tmp_path, tier, templates=templates)
    before = sha(old)
    res, out = _migrate_json(old, "--year", NEW, "--profile", SAMPLE_UNITS)
    assert res.exit_code == 0, res.output
    target = tmp_path / f"CDHT_{NEW}_{tier}_{C.UNIT[tier]}.xlsx"
    assert out["written"] and Path(out["target"]) == target and sha(old) == before

    new = read_workbook(target)
    assert new.readable and not new.tampered and not [f for f in new.findings if f.code.startswith("CDHT-P")]
    assert (new.year, new.unit_code, new.meta["unit_code"]) == (NEW, C.UNIT[tier], C.UNIT[tier])
    assert new.unit_name == C.UNITS.get(C.UNIT[tier]).name  # the registry's, in the locked cell

    fields = [k for k in C.EDITION.tier(tier).fields if k != L.N_DISADVANTAGED]
    old_values = named_values(old, fields)
    new_values = named_values(target, fields + [L.N_PREPARER, L.N_PREPARED_ON])
    shifted = PREVIOUS[tier]
    for key in fields:  # last year's "this year" is this year's "last year"; every other figure empty
        assert new_values[key] == (old_values[shifted[key]] if key in shifted else None), key
    assert new_values[L.N_PREPARER] == PREPARER and new_values[L.N_PREPARED_ON] is None
    assert {c["name"] for c in out["carried"]} == {L.N_PREPARER, *shifted}

    # each emptied cell is named at its place in the new workbook, with last year's value
    emptied = {(f["sheet"], f["cell"]) for f in out["emptied"]}
    expected = [k for k in fields if k not in shifted and old_values[k] is not None] + [L.N_PREPARED_ON]
    assert emptied == {C.cell_ref(target, k) for k in expected}
    assert all(f["file"] == target.name and f["severity"] == "thông tin" for f in out["emptied"])

    # the evidence register, row for row; codes written the catalogue's way; dated 2025: flagged
    ids = [i.id for i in C.EDITION.tier(tier).indicators]
    assert [r["title"] for r in new.evidence] == [f"Văn bản minh chứng {i}" for i in ids]
    assert [r["indicators"] for r in new.evidence] == ids
    assert out["evidence_rows"] == len(ids) and _codes(out).count("CDHT-W048") == len(ids)

    # the report is on the new workbook's results sheet, and `check --year 2026` has no W031
    ws = openpyxl.load_workbook(target, read_only=True)[L.SHEET_RESULTS]
    codes = [row[0] for row in ws.iter_rows(min_row=L.HEADER_ROW + 1, values_only=True)]
    assert codes.count("CDHT-W045") == len(expected) and codes.count("CDHT-W048") == len(ids)
    checked = json.loads(run("check", target, "--json", "--year", NEW).stdout)
    assert "CDHT-W031" not in [f["code"] for f in checked["findings"]]


def test_people_read_what_was_carried_and_what_to_enter(tmp_path, templates):
    old = _old(tmp_path, "huyen", templates=templates)
    res = run("migrate", old, "--profile", SAMPLE_UNITS)  # --year defaults to the next year
    assert res.exit_code == 0
    text = res.output
    assert f"sang biểu mẫu năm {NEW} của đơn vị MAU-H01" in text
    assert "Thu nhập bình quân đầu người năm trước liền kề (triệu đồng) ← huyen.4.2 — Thu nhập bình quân đầu " \
           "người năm đánh giá (triệu đồng) (sổ năm 2025)" in text
    assert f"Để trống, cần nhập số liệu năm {NEW}" in text and "[CDHT-W045]" in text
    assert f"cdht check \"{tmp_path / f'CDHT_{NEW}_huyen_MAU-H01.xlsx'}\" --year {NEW}" in text


def test_without_a_registry_the_issued_facts_are_used_and_said_unconfirmed(tmp_path, templates):
    """No --profile: the unit is the one the source was issued for (its locked facts), the result
    says so (W044); a parent gets no locked list of lower units (that list is each year's registry)."""
    for tier in ("xa", "huyen"):
        old = _old(tmp_path / tier, tier, templates=templates)
        res, out = _migrate_json(old, "--year", NEW)
        assert res.exit_code == 0 and "CDHT-W044" in _codes(out)
        new = read_workbook(out["target"])
        assert not new.tampered and new.unit_code == C.UNIT[tier]
        assert new.meta["unit_name"] == C.UNITS.get(C.UNIT[tier]).name
        if tier == "huyen":
            assert new.meta["children"] == ""


# ------------------------------------------------------------------------------------------------
# a template-version change within a year
# ------------------------------------------------------------------------------------------------

def _older_edition(folder: Path) -> Path:
    """The shipped edition as an older version would have been: one more unit field (a count), and
    the citizens' total typed as a decimal number, which the current version refuses."""
    text = (CATALOGUE_DIR / "tt25-2023.yaml").read_text(encoding="utf-8")
    total = '{key: tong_so_cong_dan, label: "Tổng số công dân trong xã (mẫu số của chỉ tiêu 5.1, 5.2)", type: '
    hardship = '      - {key: vung_kho_khan, label: "Xã thuộc vùng khó khăn", type: yesno}\n'
    for old, new in (('version: "2023.1"', 'version: "2023.0"'), (total + "count}", total + "number}"),
                     (hardship, hardship + '      - {key: so_ap_khu_pho, label: "Số ấp, khu phố", type: count}\n')):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = Path(folder) / "tt25-2023-phien-ban-cu.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_workbook_of_an_older_template_version_keeps_its_answers(tmp_path):
    older = _older_edition(tmp_path)
    edition = load_edition(older)
    tpl = generate(edition, "xa", NEW, tmp_path / "mau-cu", units=C.UNITS, unit_code="MAU-X0101")[0]
    values = {**C.PASSING["xa"], "tong_so_cong_dan": 1000.5, "so_ap_khu_pho": 7, L.N_PREPARER: PREPARER}
    appraisal = {L.appraisal_name("xa.1.1"): R.DAT, L.N_APPRAISAL_TARGET: 2}
    old = C.fill(tpl, tmp_path / "so-cu.xlsx", values, C.evidence_for(edition.tier("xa"), C.EVIDENCE_DATE),
                 appraisal=appraisal)
    assert read_workbook(old, edition).tampered is False

    out_path = tmp_path / "so-moi.xlsx"
    res, out = _migrate_json(old, "--year", NEW, "--source-edition", older, "--profile", SAMPLE_UNITS,
                             "--out", out_path)
    assert res.exit_code == 0, res.output
    new = read_workbook(out_path)
    assert not new.tampered and new.meta["edition_version"] == load_edition().spec.version != "2023.0"

    # same year: every answer, the appraisal and the evidence are carried, nothing emptied or flagged as old
    kept = [k for k in C.PASSING["xa"] if k not in ("tong_so_cong_dan", L.N_DISADVANTAGED)]
    assert all(new.values[k] == C.PASSING["xa"][k] for k in kept)
    assert new.appraisal[L.appraisal_name("xa.1.1")] == R.DAT and new.appraisal[L.N_APPRAISAL_TARGET] == 2
    assert len(new.evidence) == len(C.EDITION.tier("xa").indicators)
    assert not {"CDHT-W045", "CDHT-W048"} & set(_codes(out))

    # the decimal total fails the new template (W046, because of W013); the field it lacks: W047
    [bad] = [f for f in out["not_carried"] if f["code"] == "CDHT-W046"]
    assert "CDHT-W013" in bad["message"] and (bad["sheet"], bad["cell"]) == C.cell_ref(out_path, "tong_so_cong_dan")
    assert new.values["tong_so_cong_dan"] is None
    [gone] = [f for f in out["not_carried"] if f["code"] == "CDHT-W047"]
    assert "Số ấp, khu phố" in gone["message"] and gone["file"] == old.name


# ------------------------------------------------------------------------------------------------
# refusals: nothing written, the source untouched
# ------------------------------------------------------------------------------------------------

def _refused(folder: Path, *args) -> dict:
    before = _files(folder)
    res, out = _migrate_json(*args)
    assert res.exit_code == 1 and out["written"] is False and out["new_workbook"] is None
    assert _files(folder) == before  # nothing written, nothing changed, no temporary file left
    return out


def test_a_tampered_source_is_refused(tmp_path):
    old = C.make_protection_removed(tmp_path)
    out = _refused(tmp_path, old, "--year", NEW + 1, "--profile", SAMPLE_UNITS)
    assert "CDHT-W040" in _codes(out) and {"CDHT-W018", "CDHT-W019"} & set(_codes(out))
    w040 = next(f for f in out["findings"] if f["code"] == "CDHT-W040")
    assert "CDHT-W01" in w040["message"]


def test_a_blank_template_is_refused_the_unit_would_be_typed_text(tmp_path):
    blank = C.template(tmp_path, "xa", OLD, unit=False)
    filled = C.fill(blank, tmp_path / "tu-dien.xlsx", {**C.PASSING["xa"], L.N_UNIT_CODE: "MAU-X0101"})
    out = _refused(tmp_path, filled, "--year", NEW, "--profile", SAMPLE_UNITS)
    assert _codes(out) == ["CDHT-W041"]


def test_a_unit_not_in_the_registry_of_the_new_year_is_refused(tmp_path, templates):
    old = _old(tmp_path, "xa", templates=templates)
    registry = tmp_path / "don-vi-2026.csv"
    registry.write_text("".join(line for line in Path(SAMPLE_UNITS).read_text(encoding="utf-8").splitlines(True)
                                if not line.startswith("MAU-X0101,")), encoding="utf-8")
    out = _refused(tmp_path, old, "--year", NEW, "--profile", registry)
    [p031] = [f for f in out["findings"] if f["code"] == "CDHT-P031"]
    assert "MAU-X0101" in p031["message"] and str(NEW) in p031["message"]


def _profile_2026(folder: Path) -> Path:
    """A registry-only profile: MAU-X0101 and MAU-X0102 merged into MAU-X0190 from 2026;
    MAU-X0201 no longer a disadvantaged commune and renamed."""
    lines = ["profile: tinh-mau-2026", 'province: "Tỉnh Mẫu (DỮ LIỆU MẪU)"', "sample: true", "units:"]
    for line in Path(SAMPLE_UNITS).read_text(encoding="utf-8").splitlines()[1:]:
        code, name, tier, parent, hardship = line.split(",")
        extra = ", last_year: 2025" if code in ("MAU-X0101", "MAU-X0102") else ""
        if code == "MAU-X0201":
            name, hardship = "Phường Sơn Thủy (mẫu)", "Không"
        lines.append(f'  - {{code: "{code}", name: "{name}", tier: {tier}, parent: {json.dumps(parent or None)}, '
                     f"disadvantaged: {'true' if hardship == 'Có' else 'false'}{extra}}}")
    lines.append('  - {code: "MAU-X0190", name: "Xã An Phú Hòa (mẫu)", tier: xa, parent: "MAU-H01", '
                 "disadvantaged: false, first_year: 2026, predecessors: [MAU-X0101, MAU-X0102]}")
    path = Path(folder) / "tinh-mau-2026.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("profile", "check", path).exit_code == 0
    return path


def test_a_unit_merged_away_is_refused_and_its_successor_named(tmp_path, templates):
    old = _old(tmp_path, "xa", templates=templates)
    out = _refused(tmp_path, old, "--year", NEW, "--profile", _profile_2026(tmp_path))
    [w042] = [f for f in out["findings"] if f["code"] == "CDHT-W042"]
    assert "MAU-X0190" in w042["message"] and "Xã An Phú Hòa (mẫu)" in w042["message"]


def test_the_new_years_registry_facts_win_and_each_change_is_said(tmp_path):
    tpl = generate(C.EDITION, "xa", OLD, tmp_path / "mau", units=C.UNITS, unit_code="MAU-X0201")[0]
    old = C.fill(tpl, tmp_path / "son-thuy.xlsx", {"tong_so_cong_dan": 900})
    res, out = _migrate_json(old, "--profile", _profile_2026(tmp_path))
    assert res.exit_code == 0
    changed = {f["message"].split("'")[1]: f for f in out["findings"] if f["code"] == "CDHT-W049"}
    assert set(changed) == {"Tên đơn vị", "Xã thuộc vùng khó khăn"}
    new = read_workbook(out["target"])
    assert not new.tampered and new.unit_name == "Phường Sơn Thủy (mẫu)"
    assert new.values[L.N_DISADVANTAGED] == R.KHONG and new.identity["disadvantaged_source"] == "issued"


def test_an_existing_target_is_never_overwritten(tmp_path, templates):
    old = _old(tmp_path, "xa", templates=templates)
    assert run("migrate", old, "--year", NEW).exit_code == 0
    target = tmp_path / f"CDHT_{NEW}_xa_MAU-X0101.xlsx"
    out = _refused(tmp_path, old, "--year", NEW)
    assert _codes(out) == ["CDHT-W043"] and str(target) in out["findings"][0]["message"]
    out = _refused(tmp_path, old, "--year", NEW, "--out", old)  # nor the source itself
    assert _codes(out) == ["CDHT-W043"]


def test_not_a_workbook_is_refused_with_the_readers_code(tmp_path):
    bad = C.make_not_xlsx(tmp_path)
    out = _refused(tmp_path, bad, "--year", NEW)
    assert _codes(out) == ["CDHT-W002"]


# ------------------------------------------------------------------------------------------------
# the ribbon button, under the strict Excel double
# ------------------------------------------------------------------------------------------------

def _press(path: Path):
    from tests.support import xlwings_remote
    from tests.support.strict_excel import StrictBook

    import xlwings as xw

    import cdht_addin

    book = StrictBook(xw.Book(json=xlwings_remote.payload_from_xlsx(path, caller_name=str(path))), path)
    before, saved = book.protection(), path.read_bytes()
    cdht_addin.chuyen_mau_nam(book=book)
    actions = xlwings_remote.actions(book)
    assert not [a for a in actions if a["func"] in ("setValues", "setRangeColor")]  # the open book untouched
    assert book.protection() == before and path.read_bytes() == saved
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1 and "CDHT-A001" not in alerts[0]
    return alerts[0]


@pytest.mark.oracle
def test_the_button_writes_next_years_workbook_beside_the_open_one(tmp_path, templates, monkeypatch):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "log" / "cdht.log"))
    old = _old(tmp_path / "xa", "xa", name=f"CDHT_{OLD}_xa_MAU-X0101.xlsx", templates=templates)
    alert = _press(old)
    target = old.with_name(f"CDHT_{NEW}_xa_MAU-X0101.xlsx")
    assert "[CDHT-A035]" in alert and str(target) in alert and f"năm {NEW}" in alert
    assert "Cần nhập: Ngày lập; Tổng số công dân trong xã" in alert and "xa.1.1 — Kết quả tự đánh giá" in alert
    new = read_workbook(target)
    assert not new.tampered and new.year == NEW and len(new.evidence) == 15

    again = _press(old)  # pressed twice: the first result is kept, never overwritten
    assert "[CDHT-W043]" in again and read_workbook(target).sha256 == new.sha256


@pytest.mark.oracle
def test_the_button_refuses_a_tampered_book_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "log" / "cdht.log"))
    old = C.make_protection_removed(tmp_path / "sua")
    shutil.rmtree(old.parent / "mau-2026")
    before = _files(old.parent)
    alert = _press(old)
    assert "[CDHT-W040]" in alert and _files(old.parent) == before


def test_a_districts_recognition_register_is_carried_with_its_validity_for_the_new_year(tmp_path, templates):
    """Decisions stay decisions: each is carried, "in force" recomputed for 2026 (a 2024
    recognition still is, a 2020 one no longer); a row that is no decision is not carried, its
    register finding says why."""
    register = [["MAU-X0101", "Xã An Phú (mẫu)", 1, "12/QĐ-PGDĐT", dt.date(2025, 3, 20), "Phòng GD&ĐT"],
                ["MAU-X0103", "Thị trấn Bình An (mẫu)", 2, "7/QĐ-PGDĐT", dt.date(2021, 3, 10), "Phòng GD&ĐT"],
                ["MAU-X0102", "Xã An Hòa (mẫu)", 3, "13/QĐ-PGDĐT", dt.date(2025, 3, 20), "Phòng GD&ĐT"]]
    tpl = C.template(templates, "huyen", OLD)
    old = C.fill(tpl, tmp_path / "huyen-2025.xlsx", C.PASSING["huyen"], register=register)
    res, out = _migrate_json(old, "--profile", SAMPLE_UNITS)
    assert res.exit_code == 0 and out["register"] == {"decisions": 2, "in_force": 1}
    [bad] = [f for f in out["findings"] if f["code"] == "CDHT-M016"]
    assert bad["file"] == old.name and bad["row"] == L.HEADER_ROW + 3
    ws = openpyxl.load_workbook(out["target"], read_only=True)[L.SHEET_REGISTER]
    rows = [r for r in ws.iter_rows(min_row=L.HEADER_ROW + 1, max_col=8, values_only=True) if r[0]]
    assert [(r[0], r[2], r[3], r[7]) for r in rows] == [("MAU-X0101", 1, "12/QĐ-PGDĐT", "Có"),
                                                         ("MAU-X0103", 2, "7/QĐ-PGDĐT", "Không")]
    assert "Sổ công nhận: 2 quyết định, 1 còn hiệu lực năm 2026." in run(
        "migrate", old, "--profile", SAMPLE_UNITS, "--out", tmp_path / "lan-2.xlsx").output


def test_decisions_that_do_not_fit_the_new_register_stop_the_carry_instead_of_being_dropped(tmp_path, templates,
                                                                                             monkeypatch):
    """The new year's register is sized from the new registry (3 rows a unit, at least 500): after
    communes merged, a district's new register can hold fewer rows than its old book has
    decisions. Carrying what fits would lose the rest in silence; the new book is not written (M047
    says how many would be lost and what to do), the old one is untouched. (The size rule is
    shrunk to 3 rows here, so 4 decisions stand for a register of a few hundred.)"""
    register = [[f"MAU-X010{k}", f"Xã {k}", 1, f"{k}/QĐ-PGDĐT", dt.date(2025, 3, k), "Phòng GD&ĐT"]
                for k in range(1, 5)]
    old = C.fill(C.template(templates, "huyen", OLD), tmp_path / "huyen-2025.xlsx", C.PASSING["huyen"],
                 register=register)
    before = sha(old)
    monkeypatch.setattr(L, "register_size", lambda units: 3)
    target = tmp_path / "moi.xlsx"
    res, out = _migrate_json(old, "--profile", SAMPLE_UNITS, "--out", target)
    assert res.exit_code != 0 and not out["written"] and not target.exists() and sha(old) == before
    [f] = [f for f in out["findings"] if f["code"] == "CDHT-M047"]
    assert (f["file"], f["sheet"]) == (old.name, L.SHEET_REGISTER) and "4 quyết định" in f["message"] and "chỉ có 3 dòng" in f["message"]
    assert "mất 1 quyết định" in f["message"] and "3 dòng sổ công nhận" in f["fix"]
    monkeypatch.setattr(L, "register_size", lambda units: 4)  # room for all four: carried, none lost
    res, out = _migrate_json(old, "--profile", SAMPLE_UNITS, "--out", target)
    assert res.exit_code == 0 and out["register"] == {"decisions": 4, "in_force": 4}


# ------------------------------------------------------------------------------------------------
# a Sở that signs
# ------------------------------------------------------------------------------------------------

def _keygen(folder: Path) -> tuple[Path, str]:
    res = run("profile", "keygen", "--out", folder)
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("public_key:"))
    return folder / "cdht-khoa-bi-mat.pem", line.split('"')[1]


def _signed_profile(folder: Path, public: str) -> Path:
    text = (CATALOGUE_DIR / "profiles" / "kien-giang-2024-mau.yaml").read_text(encoding="utf-8")
    for old, new in (("public_key: null", f'public_key: "{public}"'), ("    last_year: 2024\n", "    last_year: null\n")):
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "kg-khoa.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_signed_workbook_is_carried_into_a_signed_one_and_a_foreign_signature_refused(tmp_path):
    key, public = _keygen(tmp_path / "khoa")
    prof = _signed_profile(tmp_path, public)
    issued = tmp_path / "phat-hanh"
    assert run("generate", "--tier", "xa", "--year", OLD, "--profile", prof, "--signing-key", key,
               "--unit", "MAU-X0101", "--out", issued).exit_code == 0
    [old] = issued.glob("*.xlsx")

    res, out = _migrate_json(old, "--profile", prof, "--signing-key", key, "--out", tmp_path / "ky.xlsx")
    assert res.exit_code == 0 and "CDHT-W044" not in _codes(out)
    checked = json.loads(run("compute", tmp_path / "ky.xlsx", "--json", "--profile", prof).stdout)
    assert checked["identity"]["signature"] == "valid" and checked["tampered"] is False

    res, out = _migrate_json(old, "--profile", prof, "--out", tmp_path / "chua-ky.xlsx")  # no private key here
    assert res.exit_code == 0
    [w044] = [f for f in out["findings"] if f["code"] == "CDHT-W044"]
    assert "chữ ký số" in w044["message"]

    other_key, other_public = _keygen(tmp_path / "khoa-khac")
    other = tmp_path / "khac"
    other.mkdir()
    other_prof = _signed_profile(other, other_public)
    assert run("generate", "--tier", "xa", "--year", OLD, "--profile", other_prof, "--signing-key", other_key,
               "--unit", "MAU-X0101", "--out", other / "phat-hanh").exit_code == 0
    [foreign] = (other / "phat-hanh").glob("*.xlsx")
    out = _refused(other / "phat-hanh", foreign, "--profile", prof)
    assert {"CDHT-P019", "CDHT-W040"} <= set(_codes(out))


@pytest.mark.oracle
def test_the_button_on_a_workbook_that_is_not_ours_says_a002(tmp_path, monkeypatch):
    monkeypatch.setenv("CDHT_LOG", str(tmp_path / "log" / "cdht.log"))
    path = tmp_path / "so" / "bang-luong.xlsx"
    path.parent.mkdir()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Bảng lương"
    wb.save(path)
    before = _files(path.parent)
    assert "[CDHT-A002]" in _press(path) and _files(path.parent) == before


def test_attached_files_are_still_found_from_the_new_workbooks_folder(tmp_path, templates):
    src = tmp_path / "nam-2025"
    (src / "minh-chung").mkdir(parents=True)
    (src / "minh-chung" / "qd-thanh-lap.pdf").write_bytes(b"%PDF-1.4\n")
    evidence = C.evidence_for(C.EDITION.tier("xa"), EVIDENCE_DAY)
    evidence[0][6], evidence[1][6] = "minh-chung/qd-thanh-lap.pdf", "https://example.gov.vn/vb/1"
    old = C.filled(src / "so-cu.xlsx", "xa", evidence=evidence, year=OLD, templates=templates)
    target = tmp_path / "nam-2026" / "so-moi.xlsx"
    res, out = _migrate_json(old, "--out", target)
    assert res.exit_code == 0 and target.exists()
    rows = read_workbook(target).evidence
    assert rows[0]["attachment"] == "../nam-2025/minh-chung/qd-thanh-lap.pdf"
    assert rows[1]["attachment"] == "https://example.gov.vn/vb/1"
    checked = json.loads(run("check", target, "--json").stdout)
    assert "CDHT-E006" not in [f["code"] for f in checked["findings"]]
