"""Facts from the registry are locked and signed (issue 12, cases 2 and 10), through the CLI.

A template issued for a registry unit carries its code, name, parent and disadvantaged-area status
in locked cells and in ``_meta``; with the Sở's key, ``generate`` signs them with the layout
digest; ``check``/``compute --profile`` verify the signature and compare the facts with the
profile's registry. Every case is run as a user would: ``cdht generate``, a file edited the way a
unit could edit it (openpyxl ignores sheet protection, as any tool that strips it does), then
``cdht check``/``compute --json`` whose output carries the facts.
"""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cdht import contract as L
from cdht.cli.main import main
from cdht.edition import CATALOGUE_DIR
from cdht.fill import SAMPLE_INPUTS, cell_of, fill
from cdht.profile import SAMPLE_THREE_TIER, SAMPLE_TWO_TIER

TWO_TIER_EDITION = CATALOGUE_DIR / "tt25-2023-hai-cap.yaml"
# xa.5.2 at 45 % trained / 11 % university of 1000 citizens: level 1 only under the disadvantaged
# bar (40 %/10 %), not under the ordinary one (50 %/12 %) — Điều 6 khoản 5 điểm b
BETWEEN_THE_BARS = {"tong_so_cong_dan": 1000, "xa_5_2_so_duoc_dao_tao": 450, "xa_5_2_so_dai_hoc": 110}


def cli(*args) -> tuple[int, str]:
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in r.output, r.output
    return r.exit_code, r.output


def as_json(*args) -> tuple[int, dict]:
    """Exit status and the JSON a command prints on stdout (its warnings go to stderr)."""
    r = CliRunner().invoke(main, [str(a) for a in args] + ["--json"])
    assert "Traceback" not in r.output, r.output
    return r.exit_code, json.loads(r.stdout)


def codes(report: dict) -> list[str]:
    return [f["code"] for f in report["findings"]]


def keygen(folder: Path) -> tuple[Path, str]:
    code, out = cli("profile", "keygen", "--out", folder)
    assert code == 0, out
    line = next(x for x in out.splitlines() if x.startswith("public_key:"))
    return folder / "cdht-khoa-bi-mat.pem", line.split('"')[1]


def profile_copy(tmp: Path, sample: Path, name: str, public_key: str | None = None, **replace) -> Path:
    """A copy of a sample profile, with its public key set and texts replaced (``old=new``
    given as pairs in ``replace`` values)."""
    text = sample.read_text(encoding="utf-8")
    if public_key:
        text = text.replace("public_key: null", f'public_key: "{public_key}"')
    for old, new in replace.values():
        assert old in text, old
        text = text.replace(old, new)
    out = tmp / name
    out.write_text(text, encoding="utf-8")
    return out


def generate(tmp: Path, *args) -> list[Path]:
    out = tmp / "phat-hanh"
    code, text = cli("generate", *args, "--out", out)
    assert code == 0, text
    return sorted(out.glob("*.xlsx"))


def meta_of(path: Path) -> dict:
    ws = openpyxl.load_workbook(path)[L.SHEET_META]
    return {r[0]: r[1] for r in ws.iter_rows(max_col=2, values_only=True) if r[0]}


def edit_meta(path: Path, out: Path, **values) -> Path:
    """Rewrite keys of the very hidden ``_meta`` (what anyone with the known password can do)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_META]
    for row in ws.iter_rows(max_col=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    wb.save(out)
    return out


# --- case 2: the disadvantaged-area status is the registry's -------------------------------------

@pytest.fixture(scope="module")
def kg_issued(tmp_path_factory) -> dict[str, Path]:
    """The Kiên Giang sample's communes, issued for 2024 (no key)."""
    tmp = tmp_path_factory.mktemp("kg")
    paths = generate(tmp, "--tier", "xa", "--year", 2024, "--profile", SAMPLE_THREE_TIER)
    return {p.stem.split("_")[3]: p for p in paths}


def _filled(template: Path, out: Path, **values) -> Path:
    typed = {k: v for k, v in SAMPLE_INPUTS["xa"].items() if k != L.N_DISADVANTAGED}  # the issued value stays
    return fill(template, out, {**typed, **BETWEEN_THE_BARS, **values})


def test_issued_status_is_locked_in_the_cell_and_the_metadata(kg_issued):
    wb = openpyxl.load_workbook(kg_issued["MAU-X0101"])
    c = cell_of(wb, L.N_DISADVANTAGED)
    assert (c.value, c.protection.locked) == ("Không", True)
    assert cell_of(wb, L.N_UNIT_CODE).protection.locked and cell_of(wb, L.N_UNIT_NAME).protection.locked
    meta = meta_of(kg_issued["MAU-X0201"])
    assert (meta["unit_code"], meta["unit_name"], meta["parent_code"], meta["disadvantaged"]) == \
           ("MAU-X0201", "Xã Sơn Thủy (mẫu)", "MAU-H02", "Có")
    assert meta["profile"] == "kien-giang-2024-mau" and "signature" not in meta


def test_case2_a_commune_listed_khong_that_types_co_cannot_lower_its_bar(kg_issued, tmp_path):
    """Issue 12, case 2: 'Có' typed over the locked 'Không' (45 %/11 %) gives no level 1."""
    typed = _filled(kg_issued["MAU-X0101"], tmp_path / "x0101.xlsx", vung_kho_khan="Có")
    code, rep = as_json("compute", typed)
    assert rep["indicators"]["xa.5.2"]["level1"] is False
    assert rep["level"] == 0 and rep["ready_to_file"] is False
    assert rep["identity"]["disadvantaged_used"] == "Không"
    assert rep["identity"]["disadvantaged_source"] == "issued"
    p032 = next(f for f in rep["findings"] if f["code"] == "CDHT-P032")
    assert "'Có'" in p032["message"] and "'Không'" in p032["message"] and p032["cell"]
    assert rep["tampered"] is True
    # the same numbers from a commune the registry lists as disadvantaged do reach level 1
    listed = _filled(kg_issued["MAU-X0201"], tmp_path / "x0201.xlsx")
    code, rep = as_json("compute", listed)
    assert rep["indicators"]["xa.5.2"]["level1"] is True and rep["level"] == 1
    assert rep["identity"]["disadvantaged_used"] == "Có"
    assert "CDHT-P032" not in codes(rep)


def test_case2_cell_and_metadata_both_changed_are_refused_against_the_profile(kg_issued, tmp_path):
    """Without a key, rewriting _meta as well hides it from the workbook alone; the profile's
    registry still names both values and its own is the one evaluated."""
    typed = _filled(kg_issued["MAU-X0101"], tmp_path / "typed.xlsx", vung_kho_khan="Có")
    both = edit_meta(typed, tmp_path / "both.xlsx", disadvantaged="Có")
    code, rep = as_json("compute", both)
    assert rep["level"] == 1  # the workbook alone is fooled: what the unkeyed metadata cannot prove
    code, rep = as_json("check", both, "--profile", SAMPLE_THREE_TIER)
    assert code == 1
    p030 = next(f for f in rep["findings"] if f["code"] == "CDHT-P030")
    assert "Xã thuộc vùng khó khăn" in p030["message"]
    assert "'Có'" in p030["message"] and "'Không'" in p030["message"] and "kien-giang-2024-mau" in p030["message"]
    assert rep["level"] == 0 and rep["ready_to_file"] is False and rep["tampered"] is True
    assert rep["identity"]["disadvantaged_source"] == "profile"


def test_blank_template_typed_status_checked_against_the_profile(tmp_path):
    """A blank template leaves the status to type; with --profile the registry's value counts."""
    blank = generate(tmp_path, "--tier", "xa", "--year", 2024)[0]
    filled = _filled(blank, tmp_path / "blank.xlsx", vung_kho_khan="Có", don_vi_ma="MAU-X0101",
                     don_vi_ten="Xã An Phú (mẫu)")
    code, rep = as_json("compute", filled, "--profile", SAMPLE_THREE_TIER)
    assert "CDHT-P030" in codes(rep)
    assert rep["identity"]["disadvantaged_used"] == "Không" and rep["level"] == 0


# --- the signature -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict:
    """A key pair, a Kiên Giang profile open from 2024 with its public key, commune workbooks of
    2025 signed with it."""
    tmp = tmp_path_factory.mktemp("signed")
    key, public = keygen(tmp / "khoa")
    prof = profile_copy(tmp, SAMPLE_THREE_TIER, "kg-khoa.yaml", public,
                        years=("    last_year: 2024\n", "    last_year: null\n"))
    paths = generate(tmp, "--tier", "xa", "--year", 2025, "--profile", prof, "--signing-key", key,
                     "--unit", "MAU-X0101")
    return {"key": key, "public": public, "profile": prof, "x0101": paths[0], "tmp": tmp}


def test_signed_workbook_verifies(signed):
    meta = meta_of(signed["x0101"])
    assert meta["signature"] and meta["year"] == 2025
    pem = signed["key"].read_text()
    wb_bytes = signed["x0101"].read_bytes()
    assert b"PRIVATE KEY" not in wb_bytes and pem.splitlines()[1].encode() not in wb_bytes
    assert "PRIVATE" not in signed["profile"].read_text()
    code, rep = as_json("compute", signed["x0101"], "--profile", signed["profile"])
    assert rep["identity"]["signature"] == "valid" and rep["tampered"] is False
    assert not [c for c in codes(rep) if c.startswith("CDHT-P")]
    code, rep = as_json("compute", signed["x0101"])  # no profile: nothing to verify against
    assert rep["identity"]["signature"] == "unchecked"


def test_a_2025_workbook_relabelled_2026_is_refused(signed, tmp_path):
    src = signed["x0101"]
    relabelled = edit_meta(src, tmp_path / "2026.xlsx", year=2026,
                           template_id=meta_of(src)["template_id"].replace(":2025:", ":2026:"))
    code, rep = as_json("check", relabelled, "--profile", signed["profile"])
    assert code == 1 and rep["year"] == 2026
    assert "CDHT-P019" in codes(rep) and rep["identity"]["signature"] == "invalid"
    assert rep["tampered"] is True and rep["ready_to_file"] is False
    # without the key, the locked year cell (2025) still gives the simple relabelling away
    code, rep = as_json("check", relabelled)
    p032 = next(f for f in rep["findings"] if f["code"] == "CDHT-P032")
    assert "2025" in p032["message"] and "2026" in p032["message"]


def test_a_signature_by_another_key_is_refused(signed, tmp_path):
    other_key, _ = keygen(tmp_path / "khac")
    reg_only = profile_copy(tmp_path, signed["profile"], "khong-khoa.yaml",
                            key=(f'public_key: "{signed["public"]}"', "public_key: null"))
    forged = generate(tmp_path, "--tier", "xa", "--year", 2025, "--profile", reg_only,
                      "--signing-key", other_key, "--unit", "MAU-X0101")[0]
    code, rep = as_json("check", forged, "--profile", signed["profile"])
    assert code == 1 and "CDHT-P019" in codes(rep)
    msg = next(f for f in rep["findings"] if f["code"] == "CDHT-P019")["message"]
    assert "kg-khoa" not in msg or "kien-giang-2024-mau" in msg
    # an unsigned workbook where the profile has a key: refused too
    unsigned = generate(tmp_path / "u", "--tier", "xa", "--year", 2025, "--profile", reg_only,
                        "--unit", "MAU-X0101")[0]
    code, rep = as_json("check", unsigned, "--profile", signed["profile"])
    assert code == 1 and "CDHT-P029" in codes(rep) and rep["identity"]["signature"] == "missing"


def test_a_wrong_registry_fact_is_refused_naming_both_values(signed, tmp_path):
    """The Sở renamed a commune after issuing (or the workbook is another's): both names shown."""
    renamed = profile_copy(tmp_path, signed["profile"], "doi-ten.yaml",
                           rename=('name: "Xã An Phú (mẫu)"', 'name: "Xã An Phú Mới (mẫu)"'))
    code, rep = as_json("check", signed["x0101"], "--profile", renamed)
    assert code == 1
    p030 = next(f for f in rep["findings"] if f["code"] == "CDHT-P030")
    assert "Xã An Phú (mẫu)" in p030["message"] and "Xã An Phú Mới (mẫu)" in p030["message"]
    assert rep["identity"]["signature"] == "valid"  # signed by the Sở, but not what its registry says now
    moved = profile_copy(tmp_path, signed["profile"], "chuyen.yaml",
                         parent=('{code: "MAU-X0101", name: "Xã An Phú (mẫu)", tier: xa, parent: "MAU-H01"',
                                 '{code: "MAU-X0101", name: "Xã An Phú (mẫu)", tier: xa, parent: "MAU-H02"'))
    code, rep = as_json("check", signed["x0101"], "--profile", moved)
    p030 = next(f for f in rep["findings"] if f["code"] == "CDHT-P030")
    assert "MAU-H01" in p030["message"] and "MAU-H02" in p030["message"]
    gone = profile_copy(tmp_path, signed["profile"], "bo.yaml",
                        gone=('{code: "MAU-X0101", name: "Xã An Phú (mẫu)", tier: xa, parent: "MAU-H01", disadvantaged: false}',
                              '{code: "MAU-X0101", name: "Xã An Phú (mẫu)", tier: xa, parent: "MAU-H01", disadvantaged: false, last_year: 2024}'))
    code, rep = as_json("check", signed["x0101"], "--profile", gone)
    assert code == 1 and "CDHT-P031" in codes(rep)


# --- generate --profile: both samples, the bodies of the profile (case 10) -----------------------

ABOLISHED_BODIES = ("Phòng Giáo dục", "Phòng GD", "Hội đồng đánh giá cấp huyện", "Ủy ban nhân dân cấp huyện",
                    "Trưởng phòng")


def _texts(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for ws in wb.worksheets if ws.title != L.SHEET_META
                     for row in ws.iter_rows() for c in row if isinstance(c.value, str))


def test_generate_two_tier_sample_names_no_abolished_body(tmp_path):
    """Issue 12, case 10: 2026, two tiers — communes send to the Sở, never to a district body."""
    xa = generate(tmp_path / "xa", "--tier", "xa", "--year", 2026, "--profile", SAMPLE_TWO_TIER,
                  "--edition", TWO_TIER_EDITION)
    assert [p.stem.split("_")[3] for p in xa] == ["MAU2-X01", "MAU2-X02", "MAU2-X03", "MAU2-X04"]  # not the old ones
    for p in xa:
        text = _texts(p)
        assert "Sở Giáo dục và Đào tạo" in text
        assert not [b for b in ABOLISHED_BODIES if b in text], p.name
    assert meta_of(xa[2])["disadvantaged"] == "Có" and meta_of(xa[2])["parent_code"] == "MAU2-T01"
    tinh = generate(tmp_path / "tinh", "--tier", "tinh", "--year", 2026, "--profile", SAMPLE_TWO_TIER,
                    "--edition", TWO_TIER_EDITION)[0]
    assert json.loads(meta_of(tinh)["children"]) == ["MAU2-X01", "MAU2-X02", "MAU2-X03", "MAU2-X04"]
    ws = openpyxl.load_workbook(tinh)[L.SHEET_UNIT]
    listed = [r for r in ws.iter_rows(values_only=True) if r[0] in ("MAU2-X01", "MAU2-X04")]
    assert [r[:2] for r in listed] == [("MAU2-X01", "Xã An Bình (mẫu)"), ("MAU2-X04", "Xã Vĩnh Phú (mẫu)")]
    assert ws.protection.sheet  # the expected lower units are on a protected sheet: locked
    code, rep = as_json("compute", tinh, "--profile", SAMPLE_TWO_TIER)
    assert "CDHT-P030" not in codes(rep) and rep["identity"]["issued"]["children"][0] == "MAU2-X01"


def test_generate_three_tier_sample(tmp_path):
    huyen = generate(tmp_path, "--tier", "huyen", "--year", 2024, "--profile", SAMPLE_THREE_TIER)
    assert [p.stem.split("_")[3] for p in huyen] == ["MAU-H01", "MAU-H02"]
    from cdht.profile import load_profile
    registry, _ = load_profile(SAMPLE_THREE_TIER)
    meta = meta_of(huyen[1])
    assert json.loads(meta["children"]) == [u.code for u in registry.children("MAU-H02", 2024)]
    assert len(json.loads(meta["children"])) >= 4
    assert "Sở Giáo dục và Đào tạo" in _texts(huyen[1])
    communes = generate(tmp_path / "xa", "--tier", "xa", "--year", 2024, "--profile", SAMPLE_THREE_TIER,
                        "--unit", "MAU-X0101")
    assert "Phòng Giáo dục và Đào tạo" in _texts(communes[0])  # 2024: the district body of that year


def test_a_two_tier_year_on_a_three_tier_edition_is_refused(tmp_path):
    out = tmp_path / "out"
    code, text = cli("generate", "--tier", "xa", "--year", 2026, "--profile", SAMPLE_TWO_TIER, "--out", out)
    assert code == 1 and "CDHT-P027" in text and "huyen" in text and "tinh" in text
    code, text = cli("generate", "--tier", "huyen", "--year", 2026, "--profile", SAMPLE_TWO_TIER, "--out", out)
    assert code == 1 and "CDHT-P026" in text
    assert not out.exists()


# --- bad input: coded, nothing written ------------------------------------------------------------

def test_missing_profile_is_coded_and_nothing_written(tmp_path):
    out = tmp_path / "out"
    for cmd in (["generate", "--tier", "xa", "--year", 2024, "--out", out], ["check", tmp_path / "x.xlsx"]):
        code, text = cli(*cmd, "--profile", tmp_path / "khong-co.yaml")
        assert code == 1 and "CDHT-P001" in text and "khong-co.yaml" in text, text
    assert not out.exists()


def test_unreadable_or_foreign_key_is_coded_and_nothing_written(tmp_path, signed):
    out = tmp_path / "out"
    bad = tmp_path / "khoa.pem"
    bad.write_text("không phải khóa", encoding="utf-8")
    for key in (bad, tmp_path / "khong-co.pem"):
        code, text = cli("generate", "--tier", "xa", "--year", 2024, "--profile", SAMPLE_THREE_TIER,
                         "--signing-key", key, "--out", out)
        assert code == 1 and "CDHT-P018" in text and key.name in text, text
    other, _ = keygen(tmp_path / "khac")
    code, text = cli("generate", "--tier", "xa", "--year", 2025, "--profile", signed["profile"],
                     "--signing-key", other, "--out", out)
    assert code == 1 and "CDHT-P028" in text, text
    assert not out.exists()


def test_private_key_pasted_into_the_profile_is_refused(tmp_path, signed):
    pem = signed["key"].read_text()
    prof = tmp_path / "lo-khoa.yaml"
    prof.write_text(SAMPLE_THREE_TIER.read_text(encoding="utf-8")
                    + "signing_key: |\n" + "".join(f"  {ln}\n" for ln in pem.splitlines()), encoding="utf-8")
    code, text = cli("profile", "check", prof)
    assert code == 1 and "CDHT-P033" in text
    out = tmp_path / "out"
    code, text = cli("generate", "--tier", "xa", "--year", 2024, "--profile", prof, "--out", out)
    assert code == 1 and "CDHT-P033" in text and not out.exists()


def test_signing_key_path_in_the_profile(tmp_path, signed):
    """The profile may name where the key file is (a path, relative to the profile)."""
    prof = profile_copy(signed["tmp"], signed["profile"], "kg-duong-dan.yaml",
                        path=("public_key: ", f"signing_key: \"khoa/{signed['key'].name}\"\npublic_key: "))
    made = generate(tmp_path, "--tier", "xa", "--year", 2025, "--profile", prof, "--unit", "MAU-X0102")
    code, rep = as_json("compute", made[0], "--profile", signed["profile"])
    assert rep["identity"]["signature"] == "valid"


# --- the live formulas use the issued status (no add-in) ------------------------------------------

@pytest.mark.oracle
def test_libreoffice_shows_the_level_of_the_issued_status(kg_issued, tmp_path):
    """A real engine computes the issued templates' own formulas: the locked registry status feeds
    the xa.5.2 bar there as in Python (45 %/11 %: level 1 only for the listed commune)."""
    from scripts.libreoffice import recalc, recalculated_values, soffice_path
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    files = {code: _filled(kg_issued[code], tmp_path / f"{code}.xlsx") for code in ("MAU-X0101", "MAU-X0201")}
    out = recalc(list(files.values()), tmp_path / "recalculated")
    for code, want in (("MAU-X0101", 0), ("MAU-X0201", 1)):
        engine = recalculated_values(out[files[code]], [L.N_LEVEL])[L.N_LEVEL]
        code_, rep = as_json("compute", files[code])
        assert rep["level"] == want and int(engine) == want, (code, engine, rep["level"])


@pytest.mark.oracle
def test_signature_survives_a_libreoffice_save(signed, tmp_path):
    """A unit that fills and saves its workbook in LibreOffice still hands in a valid signature."""
    from scripts.libreoffice import recalc, soffice_path
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    filled = _filled(signed["x0101"], tmp_path / "x0101-2025.xlsx")
    saved = recalc([filled], tmp_path / "libreoffice")[filled]
    code, rep = as_json("compute", saved, "--profile", signed["profile"])
    assert rep["identity"]["signature"] == "valid" and rep["tampered"] is False
    assert not [c for c in codes(rep) if c.startswith("CDHT-P")]


def test_units_csv_works_as_a_registry_only_profile(tmp_path):
    """--units keeps working for generate, and the same CSV is a --profile for check."""
    from cdht.units import SAMPLE_UNITS
    made = generate(tmp_path, "--tier", "xa", "--year", 2026, "--units", SAMPLE_UNITS, "--unit", "MAU-X0201")
    assert meta_of(made[0])["disadvantaged"] == "Có"
    code, rep = as_json("compute", made[0], "--profile", SAMPLE_UNITS)
    assert rep["identity"]["disadvantaged_source"] == "profile"
    assert not [c for c in codes(rep) if c.startswith("CDHT-P")]
    # a registry-only profile has no procedure of its own: the bodies are the edition's (two-tier: the Sở)
    two = generate(tmp_path / "hai-cap", "--tier", "xa", "--year", 2026, "--profile", SAMPLE_UNITS,
                   "--edition", TWO_TIER_EDITION, "--unit", "MAU-X0101")[0]
    assert "Sở Giáo dục và Đào tạo" in _texts(two) and not [b for b in ABOLISHED_BODIES if b in _texts(two)]


@pytest.mark.parametrize("args,warned", [
    (["--tier", "xa", "--year", "2026"], True),                       # three-tier edition, filed 2027
    (["--tier", "xa", "--year", "2025"], True),                       # filed 2026: no district any more
    (["--tier", "xa", "--year", "2024"], False),                      # the seed's year: three tiers
    (["--tier", "xa", "--year", "2026", "--edition",
      str(Path(__file__).resolve().parent.parent / "cdht" / "catalogue" / "tt25-2023-hai-cap.yaml")], False),
])
def test_generate_warns_when_a_district_tier_outlives_the_reform(tmp_path, args, warned):
    """Issue 12, case 10: templates of a year filed after 01/07/2025 from an edition with a district
    tier, and no profile to name the bodies, get CDHT-T012 saying how to issue them right."""
    from click.testing import CliRunner

    from cdht.cli.main import main
    r = CliRunner().invoke(main, ["generate", *args, "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert ("[CDHT-T012]" in r.output) is warned, r.output
    assert list((tmp_path / "o").glob("*.xlsx"))  # a warning, not a refusal
