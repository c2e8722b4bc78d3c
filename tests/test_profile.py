"""The province profile (hồ sơ cấu hình tỉnh): samples, the registry, per-year tiers and
procedure, readings, and bad input as coded messages naming the line; the `cdht profile` CLI."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdht.cli.main import main
from cdht.dates import BEFORE
from cdht.profile import (SAMPLE_THREE_TIER, SAMPLE_TWO_TIER, VALIDITY_YEARS, load_profile,
                          profile_from_units)
from cdht.units import SAMPLE_UNITS, read_units
from cdht import signing

HEAD = """\
profile: thu
province: "Tỉnh Thử"
periods:
  - first_year: 2024
    last_year: 2024
    tiers:
      xa: {parent: huyen, self_assessed_by: "UBND xã", appraised_by: "HĐ huyện", decided_by: "Trưởng phòng", submit_by: "02-28", decide_by: "03-31"}
      huyen: {parent: tinh, self_assessed_by: "Phòng", appraised_by: "HĐ tỉnh", decided_by: "Giám đốc Sở", submit_by: "04-30", decide_by: "05-31", report_to_parent_by: "05-15"}
      tinh: {parent: null, self_assessed_by: "Sở", appraised_by: "HĐ Bộ", decided_by: "Bộ trưởng", submit_by: "07-31"}
units:
  - {code: T, name: "Tỉnh", tier: tinh}
  - {code: H1, name: "Huyện 1", tier: huyen, parent: T}
"""
UNITS_FIRST_LINE = HEAD.splitlines().index("units:") + 2  # line of "- {code: T ..."


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ho-so.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _codes(findings):
    return [f.code for f in findings]


def test_three_tier_sample():
    prof, findings = load_profile(SAMPLE_THREE_TIER)
    assert prof is not None and _codes(findings) == ["CDHT-P013"]  # marked as SAMPLE data
    assert prof.spec.sample and "MẪU" in prof.spec.province
    assert prof.tiers_in(2024) == {"xa": "huyen", "huyen": "tinh", "tinh": None}
    assert prof.tiers_in(2026) == {}  # the sample speaks of 2024 only
    assert prof.dossier_deadline("xa", 2024) == dt.date(2025, 2, 28)
    assert prof.decision_deadline("xa", 2024) == dt.date(2025, 3, 31)
    assert prof.decision_deadline("huyen", 2024) == dt.date(2025, 5, 31)
    assert prof.report_deadline("huyen", 2024) == dt.date(2025, 5, 15)  # the seed's "trước 15/5"
    assert prof.decision_deadline("tinh", 2024) is None  # 20 working days, no fixed day
    assert prof.procedure("xa", 2024).decided_by == "Trưởng phòng Giáo dục và Đào tạo"
    assert prof.readings.truoc_ngay == BEFORE and prof.readings.validity == VALIDITY_YEARS
    # the sample registry is the sample unit list
    units, _ = read_units(SAMPLE_UNITS)
    assert {u.code for u in prof.units} == {u.code for u in units.units}
    assert [u.code for u in prof.children("MAU-H01", 2024)] == [f"MAU-X010{i}" for i in range(1, 7)]
    assert prof.unit("MAU-X0201").disadvantaged and not prof.unit("MAU-X0101").disadvantaged


def test_two_tier_sample_names_no_abolished_body():
    prof, findings = load_profile(SAMPLE_TWO_TIER)
    assert prof is not None and _codes(findings) == ["CDHT-P013"]
    assert prof.tiers_in(2026) == {"xa": "tinh", "tinh": None}
    assert prof.tiers_in(2030) == prof.tiers_in(2026)  # open-ended period
    assert [u.code for u in prof.children("MAU2-T01", 2026)] == ["MAU2-X01", "MAU2-X02", "MAU2-X03", "MAU2-X04"]
    assert prof.unit("MAU2-X01").predecessors == ["MAU2-C01", "MAU2-C02"]
    assert prof.unit("MAU2-C01", 2026) is None and prof.unit("MAU2-C01", 2024) is not None
    xa = prof.procedure("xa", 2026)
    bodies = " ".join([xa.self_assessed_by, xa.dossier_to, xa.appraised_by, xa.decided_by])
    assert "Phòng" not in bodies and "huyện" not in bodies
    assert prof.decision_deadline("xa", 2026) == dt.date(2027, 3, 31)


def test_profile_from_units_is_registry_only():
    units, _ = read_units(SAMPLE_UNITS)
    prof = profile_from_units(units)
    assert [u.code for u in prof.children("MAU-H01", 2026)] == [f"MAU-X010{i}" for i in range(1, 7)]
    assert prof.unit("MAU-X0202").disadvantaged
    # tiers, procedure and readings: the catalogue's (the Circular as issued) and the defaults
    assert prof.tiers_in(2026) == {"xa": "huyen", "huyen": "tinh", "tinh": None}
    assert prof.decision_deadline("xa", 2026) == dt.date(2027, 3, 31)
    assert prof.readings.validity == VALIDITY_YEARS and prof.spec.public_key is None
    # with the two-tier example catalogue: communes straight to the province, the Sở appraises
    from cdht.edition import CATALOGUE_DIR
    two = profile_from_units(units, edition=Path(CATALOGUE_DIR) / "tt25-2023-hai-cap.yaml")
    assert two.tiers_in(2026) == {"xa": "tinh", "tinh": None}
    assert two.procedure("xa", 2026).dossier_to == "Sở Giáo dục và Đào tạo"


def test_good_minimal_profile(tmp_path):
    prof, findings = load_profile(_write(tmp_path, HEAD))
    assert findings == [] and prof.lines == {"T": UNITS_FIRST_LINE, "H1": UNITS_FIRST_LINE + 1}


@pytest.mark.parametrize("extra, code, line_offset, words", [
    # duplicate code: names the row and the first one
    ('  - {code: H1, name: "Huyện trùng", tier: huyen, parent: T}\n', "CDHT-P003", 2, "đã dùng ở dòng"),
    # parent not existing in that year
    ('  - {code: X1, name: "Xã", tier: xa, parent: H9}\n', "CDHT-P005", 2, "năm 2024"),
    ('  - {code: H2, name: "Huyện mới", tier: huyen, parent: T, first_year: 2025}\n'
     '  - {code: X2, name: "Xã", tier: xa, parent: H2}\n', "CDHT-P005", 3, "H2"),
    # parent of the wrong tier
    ('  - {code: X3, name: "Xã", tier: xa, parent: T}\n', "CDHT-P005", 2, "cấp huyện"),
    # unknown tier
    ('  - {code: X4, name: "Xã", tier: phuong, parent: H1}\n', "CDHT-P004", 2, "phuong"),
    # impossible years
    ('  - {code: X5, name: "Xã", tier: xa, parent: H1, first_year: 2025, last_year: 2023}\n', "CDHT-P023", 2, "2025"),
    # a predecessor nobody knows
    ('  - {code: X6, name: "Xã", tier: xa, parent: H1, predecessors: [C9]}\n', "CDHT-P008", 2, "C9"),
    # a typo in a key
    ('  - {code: X7, name: "Xã", tier: xa, parent: H1, vung_kho_khan: true}\n', "CDHT-P002", 2, "vung_kho_khan"),
    # wrong type
    ('  - {code: X8, name: "Xã", tier: xa, parent: H1, first_year: "năm ngoái"}\n', "CDHT-P022", 2, "số nguyên"),
])
def test_bad_units_are_coded_and_name_the_line(tmp_path, extra, code, line_offset, words):
    prof, findings = load_profile(_write(tmp_path, HEAD + extra))
    assert prof is None
    hit = [f for f in findings if f.code == code]
    assert hit, [f.text() for f in findings]
    expected_line = UNITS_FIRST_LINE + line_offset
    assert hit[0].line == expected_line, hit[0].text()
    assert words in hit[0].text()
    assert hit[0].file.endswith("ho-so.yaml")


def test_official_numeric_codes_written_without_quotes_are_read_as_typed(tmp_path):
    """Vietnam's official unit codes are digits, often with leading zeros (00010). Written without
    quotes, YAML 1.1 would read 00010 as the octal number 8 and 30280 as a number: a profile names
    its units by the text typed, so both are the codes "00010" and "30280"."""
    text = (HEAD.replace("{code: H1,", "{code: 00010,") +
            "  - {code: 30280, name: \"Xã 1\", tier: xa, parent: 00010}\n"
            "  - {code: 00009, name: \"Xã 2\", tier: xa, parent: 00010, predecessors: [30281]}\n")
    prof, findings = load_profile(_write(tmp_path, text))
    assert _codes(findings) == ["CDHT-P008"]  # 30281 is nobody: named as typed, not as 30281.0 or 0o…
    assert "'30281'" in findings[0].text()
    fixed = text.replace(", predecessors: [30281]", "")
    prof, findings = load_profile(_write(tmp_path, fixed))
    assert findings == [] and [(u.code, u.parent) for u in prof.spec.units] == [
        ("T", None), ("00010", "T"), ("30280", "00010"), ("00009", "00010")]


def test_cycle_is_found(tmp_path):
    text = HEAD + ('  - {code: A, name: "A", tier: huyen, parent: B}\n'
                   '  - {code: B, name: "B", tier: huyen, parent: A}\n')
    prof, findings = load_profile(_write(tmp_path, text))
    assert prof is None
    cyc = [f for f in findings if f.code == "CDHT-P006"]
    assert len(cyc) == 1 and "A → B → A" in cyc[0].message and cyc[0].line == UNITS_FIRST_LINE + 2


def test_impossible_deadline_and_bad_reading(tmp_path):
    text = HEAD.replace('decide_by: "03-31"', 'decide_by: "02-30"') + \
        "readings: {truoc_ngay: dung_han, validity: decision_months}\n"
    prof, findings = load_profile(_write(tmp_path, text))
    assert prof is None
    assert {"CDHT-P007", "CDHT-P012"} <= set(_codes(findings))
    p7 = next(f for f in findings if f.code == "CDHT-P007")
    assert "02-30" in p7.message and p7.line == 4  # the period's line
    p12 = next(f for f in findings if f.code == "CDHT-P012")
    assert "before, on_or_before" in p12.fix


def test_periods_tier_structure(tmp_path):
    text = HEAD.replace("parent: huyen,", "parent: quan,") + \
        "  - {code: X1, name: Xã, tier: xa, parent: H1}\n"
    prof, findings = load_profile(_write(tmp_path, text))
    assert prof is None and "CDHT-P010" in _codes(findings)
    overlap = HEAD.replace("periods:\n", "periods:\n  - {first_year: 2024, tiers: {tinh: {self_assessed_by: a, appraised_by: b, decided_by: c}}}\n")
    prof, findings = load_profile(_write(tmp_path, overlap))
    assert prof is None and "CDHT-P009" in _codes(findings)
    # an open-ended period followed by a later one: the later years would belong to both
    open_first = HEAD.replace("    last_year: 2024\n", "").replace(
        "units:\n", "  - {first_year: 2026, tiers: {tinh: {self_assessed_by: a, appraised_by: b, decided_by: c}}}\nunits:\n")
    prof, findings = load_profile(_write(tmp_path, open_first))
    assert prof is None and [f.facts["year"] for f in findings if f.code == "CDHT-P009"] == [2026]


def test_a_unit_of_an_abolished_tier_needs_last_year(tmp_path):
    text = HEAD.replace("    last_year: 2024\n", "    last_year: 2025\n").replace(
        "units:\n", "  - {first_year: 2026, tiers: {xa: {parent: tinh, self_assessed_by: a, appraised_by: b, "
                    "decided_by: c}, tinh: {self_assessed_by: a, appraised_by: b, decided_by: c}}}\nunits:\n")
    prof, findings = load_profile(_write(tmp_path, text))
    assert prof is None
    f = next(f for f in findings if f.code == "CDHT-P004")
    assert "H1" in f.message and "năm 2026" in f.message
    fixed = text.replace("tier: huyen, parent: T}", "tier: huyen, parent: T, last_year: 2025}")
    prof, findings = load_profile(_write(tmp_path, fixed))
    assert prof is not None, [x.text() for x in findings]
    assert prof.tiers_in(2026) == {"xa": "tinh", "tinh": None} and prof.children("T", 2026) == []


def test_yaml_syntax_and_missing_file(tmp_path):
    prof, findings = load_profile(_write(tmp_path, HEAD + "  - {code: X, name: [\n"))
    assert prof is None and _codes(findings) == ["CDHT-P020"] and findings[0].line
    prof, findings = load_profile(tmp_path / "khong-co.yaml")
    assert prof is None and _codes(findings) == ["CDHT-P001"]
    prof, findings = load_profile(_write(tmp_path, "province: x\n"))
    assert prof is None and _codes(findings) == ["CDHT-P021"] and "profile" in findings[0].message


def test_public_key_is_checked(tmp_path):
    prof, findings = load_profile(_write(tmp_path, HEAD + 'public_key: "ed25519:abc"\n'))
    assert prof is None and _codes(findings) == ["CDHT-P011"]
    assert findings[0].line == len(HEAD.splitlines()) + 1


# -------------------------------------------------------------------------------------------------
# CLI: cdht profile check / keygen
# -------------------------------------------------------------------------------------------------

def test_cli_check_sample_json():
    r = CliRunner().invoke(main, ["profile", "check", str(SAMPLE_TWO_TIER), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["ok"] is True and data["sample"] is True
    assert [f["code"] for f in data["findings"]] == ["CDHT-P013"]
    assert data["units"] == 11 and data["periods"][0]["tiers"] == {"xa": "tinh", "tinh": None}


def test_cli_check_bad_profile_exit_code(tmp_path):
    p = _write(tmp_path, HEAD + '  - {code: H1, name: "Huyện trùng", tier: huyen, parent: T}\n')
    r = CliRunner().invoke(main, ["profile", "check", str(p)])
    assert r.exit_code == 1
    assert "CDHT-P003" in r.output and f"ho-so.yaml:{UNITS_FIRST_LINE + 2}" in r.output
    r = CliRunner().invoke(main, ["profile", "check", str(p), "--json"])
    assert r.exit_code == 1 and json.loads(r.output)["ok"] is False


def test_cli_keygen_and_signing(tmp_path):
    out = tmp_path / "khoa"
    r = CliRunner().invoke(main, ["profile", "keygen", "--out", str(out)])
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.output.splitlines() if ln.strip().startswith("public_key:"))
    public = line.split('"')[1]
    priv = out / signing.PRIVATE_FILE
    assert priv.exists() and (priv.stat().st_mode & 0o077) == 0
    assert public not in priv.read_text() and "PRIVATE KEY" in priv.read_text()
    # the printed line is a valid profile key
    prof, findings = load_profile(_write(tmp_path, HEAD + line.strip() + "\n"))
    assert prof is not None and prof.spec.public_key == public, [f.text() for f in findings]
    # sign / verify
    payload = "MAU-X0101|2026|Xã An Phú|MAU-H01|Không".encode()
    sig = signing.sign(payload, priv)
    assert signing.verify(payload, sig, public)
    assert not signing.verify(payload.replace(b"2026", b"2025"), sig, public)  # relabelled year
    assert not signing.verify(payload, sig[:-4] + "AAAA", public)
    assert not signing.verify(payload, "không phải chữ ký", public)
    assert signing.verify_finding(payload, sig, public, "thu") is None
    assert signing.verify_finding(payload + b"x", sig, public, "thu").code == "CDHT-P019"
    assert signing.private_key_finding(priv) is None
    assert signing.private_key_finding(out / signing.PUBLIC_FILE).code == "CDHT-P018"
    assert signing.private_key_finding(tmp_path / "khong-co.pem").code == "CDHT-P018"
    # a second keygen never overwrites
    r = CliRunner().invoke(main, ["profile", "keygen", "--out", str(out)])
    assert r.exit_code == 1 and "CDHT-P017" in r.output


def test_cli_check_accepts_the_units_csv(tmp_path):
    r = CliRunner().invoke(main, ["profile", "check", str(SAMPLE_UNITS), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["ok"] and data["units"] == 15 and data["periods"] == []
    bad = tmp_path / "don-vi.csv"
    bad.write_text("ma,ten,cap,ma_cap_tren,vung_kho_khan\nT,Tỉnh,tinh,,Không\nX1,Xã,xa,T,Không\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["profile", "check", str(bad)])
    assert r.exit_code == 0, r.output  # a two-tier list: communes directly under the province
    bad.write_text("ma,ten,cap,ma_cap_tren,vung_kho_khan\nT,Tỉnh,tinh,,Không\nH,Huyện,huyen,T,Không\n"
                   "X1,Xã,xa,X2,Không\nX2,Xã 2,xa,H,Không\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["profile", "check", str(bad)])
    assert r.exit_code == 1 and "CDHT-P005" in r.output and "cấp huyện hoặc cấp tỉnh" in r.output


def test_profile_reading_of_truoc_ngay(tmp_path):
    strict, _ = load_profile(SAMPLE_THREE_TIER)
    due = strict.dossier_deadline("xa", 2024)
    assert due == dt.date(2025, 2, 28)
    assert strict.in_time(dt.date(2025, 2, 27), due) and not strict.in_time(dt.date(2025, 2, 28), due)
    lenient, findings = load_profile(_write(tmp_path, HEAD + "readings: {truoc_ngay: on_or_before}\n"))
    assert lenient is not None, [f.text() for f in findings]
    assert lenient.in_time(dt.datetime(2025, 2, 28, 17), due) and not lenient.in_time(dt.date(2025, 3, 1), due)
    assert lenient.in_time(dt.date(2030, 1, 1), None)
