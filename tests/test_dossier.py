"""The dossier (hồ sơ) as Word documents: ``cdht dossier`` / :func:`cdht.ops.dossier.build_dossier`.

Built from the demo province (a commune, a district as filed to the province, the merged province),
read back with python-docx (heading, unit, year, every indicator of its tier, signing block, the
format of Nghị định 30/2020), converted to PDF by LibreOffice (the oracle), and fed bad input.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.shared import Mm, Pt

from cdht import contract as L
from cdht.cli.demo import run_demo
from cdht.cli.main import main
from cdht.dossier import TEMPLATES, TEMPLATES_DIR
from cdht.dossier import style as S
from cdht.edition import load_edition
from cdht.fill import fill
from cdht.ops.dossier import build_dossier, in_sentence, indicator_text, place_name, split_authority
from cdht.profile import SAMPLE_THREE_TIER

YEAR = 2026
EDITION = load_edition()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("dossier-demo") / "demo", YEAR)


@pytest.fixture(scope="module")
def commune(demo):
    return demo.out / "nop-huyen" / "MAU-H01" / f"CDHT_{YEAR}_xa_MAU-X0101.xlsx"


@pytest.fixture(scope="module")
def built(demo, commune, tmp_path_factory):
    """unit → DossierResult for a commune, a district (appraised, merged) and the province (merged)."""
    out = tmp_path_factory.mktemp("dossiers")
    cases = {"MAU-X0101": commune,
             "MAU-H01": demo.out / "nop-tinh" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx",
             "MAU-T01": demo.province}
    return {unit: build_dossier(path, out / unit, profile=SAMPLE_THREE_TIER) for unit, path in cases.items()}


def _texts(path: Path) -> list[str]:
    """Every paragraph's text of a .docx, body then tables (nested cells included)."""
    d = docx.Document(str(path))
    out = [p.text for p in d.paragraphs]

    def walk(tables):
        for t in tables:
            for row in t.rows:
                for cell in row.cells:
                    out.extend(p.text for p in cell.paragraphs)
                    walk(cell.tables)
    walk(d.tables)
    return out


def _text(path: Path) -> str:
    return "\n".join(_texts(path))


SIGNING = {"to_trinh": ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "bao_cao": ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
           "tong_hop": ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "tham_dinh": ("TM. HỘI ĐỒNG", "CHỦ TỊCH HỘI ĐỒNG"),
           "thong_bao": ("TRƯỞNG PHÒNG",), "quyet_dinh": ()}


def _assert_administrative(path: Path, kind: str, unit_name: str, year: int) -> None:
    text = _text(path)
    assert S.NATIONAL_NAME in text and S.MOTTO in text, path.name
    assert "Số:" in text and "Nơi nhận:" in text, path.name
    assert str(year) in text, path.name
    assert unit_name in text or in_sentence(unit_name) in text, (path.name, unit_name)
    for line in SIGNING[kind]:
        assert line in _texts(path), (path.name, line)
    assert "{{" not in text and "{%" not in text, f"a placeholder left unfilled in {path.name}"


def _assert_format(path: Path) -> None:
    d = docx.Document(str(path))
    normal = d.styles["Normal"]
    assert normal.font.name == S.FONT and 13 <= normal.font.size.pt <= 14
    sec = d.sections[0]
    assert {round(sec.page_width / Mm(1)), round(sec.page_height / Mm(1))} == set(S.PAGE_MM)
    assert round(sec.left_margin / Mm(1)) in range(30, 36) and round(sec.right_margin / Mm(1)) in range(15, 21)
    assert round(sec.top_margin / Mm(1)) in range(20, 26) and round(sec.bottom_margin / Mm(1)) in range(20, 26)
    runs = [r for p in d.paragraphs for r in p.runs if r.text.strip()]
    assert all(r.font.size is None or Pt(11) <= r.font.size <= Pt(14) for r in runs)


def _assert_every_indicator(path: Path, tier) -> None:
    text = _text(path)
    missing = [i.id for i in tier.indicators if i.id not in text or indicator_text(i) not in text]
    assert not missing, f"{path.name} lacks indicators {missing}"


def test_a_commune_gets_its_full_dossier(built, demo):
    res = built["MAU-X0101"]
    assert res.ok, [f.text() for f in res.findings]
    assert list(res.documents) == ["to_trinh", "bao_cao", "tong_hop", "tham_dinh"]
    xa = EDITION.tier("xa")
    for kind, path in res.documents.items():
        assert path.parent == res.out_dir and path.is_file()
        _assert_administrative(path, kind, "Xã An Phú (mẫu)", YEAR)
        _assert_format(path)
    for kind in ("bao_cao", "tong_hop", "tham_dinh"):
        _assert_every_indicator(res.documents[kind], xa)
    tt = _text(res.documents["to_trinh"])
    assert "Số:        /TTr-UBND" in tt
    assert "Kính gửi: Phòng Giáo dục và Đào tạo huyện Bình An (mẫu)" in tt  # the profile's parent
    assert "mức độ 2" in tt and "An Phú (mẫu), ngày 10 tháng 02 năm 2027" in tt
    assert all(f"{i.id} Đạt" in tt for i in xa.indicators)  # every indicator's result at the level applied for
    report = _text(res.documents["bao_cao"])
    # the figures, the computed rate against the catalogue's thresholds, the evidence per indicator
    assert "≥ 60%" in report and "≥ 80%" in report and "82,5 %" in report  # 3300 / 4000
    assert "vùng khó khăn ≥ 40%" in report
    # the Circular's "Có ít nhất …%" printed with the catalogue's bars, per level and for hardship areas
    assert "…%" not in report and "Có ít nhất [mức độ 1: 60%; mức độ 2: 80%] công dân" in report
    assert "[mức độ 1: 50% (vùng khó khăn 40%); mức độ 2: 60% (vùng khó khăn 50%)]" in report
    assert "tiểu học [mức độ 1: mức độ 2 trở lên; mức độ 2: mức độ 3 trở lên]" in report
    assert "…%" not in _text(res.documents["tong_hop"])
    assert "MC14: Văn bản minh chứng cho chỉ tiêu xa.5.1, số 14/KH-UBND" in report
    assert "I. THÔNG TIN CHUNG" in report and "III. KẾT LUẬN VÀ ĐỀ NGHỊ" in report
    assert "- Yêu cầu: mức độ 1: đáp ứng nội dung chỉ tiêu; mức độ 2: đáp ứng nội dung chỉ tiêu." in report


def test_a_district_filed_to_the_province_gets_its_dossier_and_the_communes_decision(built):
    res = built["MAU-H01"]
    assert res.ok, [f.text() for f in res.findings]
    assert set(res.documents) == {"to_trinh", "bao_cao", "tong_hop", "tham_dinh", "quyet_dinh"}
    for kind, path in res.documents.items():
        name = "Huyện Bình An (mẫu)"
        _assert_administrative(path, kind, name, YEAR)
    for kind in ("bao_cao", "tong_hop", "tham_dinh"):
        _assert_every_indicator(res.documents[kind], EDITION.tier("huyen"))
    qd = _text(res.documents["quyet_dinh"])
    assert "TRƯỞNG PHÒNG GIÁO DỤC VÀ ĐÀO TẠO HUYỆN BÌNH AN (MẪU)" in qd
    assert "Số:        /QĐ-PGDĐT" in qd and "ỦY BAN NHÂN DÂN HUYỆN BÌNH AN (MẪU)" in qd
    assert "Công nhận 6 đơn vị" in qd and "mức độ 2: 5 đơn vị; mức độ 1: 1 đơn vị" in qd
    assert "I. Đạt mức độ 2 (5 đơn vị)" in qd and "II. Đạt mức độ 1 (1 đơn vị)" in qd
    for code in ("MAU-X0101", "MAU-X0102", "MAU-X0103", "MAU-X0104", "MAU-X0105", "MAU-X0106"):
        assert code in qd
    assert "TRƯỞNG PHÒNG" in _texts(res.documents["quyet_dinh"])


def test_the_province_reports_without_a_request_and_drafts_the_districts_decision(built):
    res = built["MAU-T01"]
    assert res.ok, [f.text() for f in res.findings]
    assert res.level == 0
    assert "to_trinh" not in res.documents  # not reaching level 1: no request for recognition
    assert "CDHT-D007" in [f.code for f in res.findings]
    assert {"bao_cao", "tong_hop", "quyet_dinh"} <= set(res.documents)
    for kind, path in res.documents.items():
        _assert_administrative(path, kind, "Tỉnh Mẫu (DỮ LIỆU MẪU)", YEAR)
    for kind in ("bao_cao", "tong_hop"):
        _assert_every_indicator(res.documents[kind], EDITION.tier("tinh"))
    report = _text(res.documents["bao_cao"])
    assert "Kính gửi: Bộ Giáo dục và Đào tạo" in report
    qd = _text(res.documents["quyet_dinh"])
    assert "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH MẪU (DỮ LIỆU MẪU)" in qd and "MAU-H01" in qd
    assert "GIÁM ĐỐC" in _texts(res.documents["quyet_dinh"])


@pytest.fixture(scope="module")
def failed(demo, tmp_path_factory):
    """A commune the council did not pass at level 2 on xa.5.1, with the reason."""
    src = demo.out / "nop-huyen" / "MAU-H01" / f"CDHT_{YEAR}_xa_MAU-X0102.xlsx"
    dest = tmp_path_factory.mktemp("appraised") / src.name
    verdicts = {L.appraisal_name(i.id): "Đạt" for i in EDITION.tier("xa").indicators}
    verdicts[L.appraisal_name("xa.5.1")] = "Không đạt"
    verdicts[L.appraisal_reason_name("xa.5.1")] = "Danh sách công dân học tập chưa có xác nhận của Hội Khuyến học"
    fill(src, dest, {}, appraisal={**verdicts, L.N_APPRAISAL_TARGET: 2})
    return dest


def test_a_failing_unit_gets_the_councils_reasons_and_a_letter(failed, tmp_path):
    res = build_dossier(failed, tmp_path, profile=SAMPLE_THREE_TIER)
    assert res.ok, [f.text() for f in res.findings]
    assert res.appraised_level == 0
    assert set(res.documents) == {"to_trinh", "bao_cao", "tong_hop", "tham_dinh", "thong_bao"}
    reason = "Danh sách công dân học tập chưa có xác nhận của Hội Khuyến học"
    council = _text(res.documents["tham_dinh"])
    assert reason in council and "không đạt mức độ 2 (1 chỉ tiêu không đạt)" in council
    assert "HỘI ĐỒNG ĐÁNH GIÁ CẤP HUYỆN" in council
    letter = res.documents["thong_bao"]
    _assert_administrative(letter, "thong_bao", "Xã An Hòa (mẫu)", YEAR)
    text = _text(letter)
    assert reason in text and "xa.5.1" in text and "Số:        /TB-PGDĐT" in text
    assert "Kính gửi: Ủy ban nhân dân xã An Hòa (mẫu)" in text


def test_without_a_profile_the_body_above_is_the_one_the_workbook_was_issued_with(commune, tmp_path):
    """No profile given: the district is named from the registry facts the Sở locked into the
    workbook when it issued it (``_meta``: parent code and name), as the profile would name it."""
    res = build_dossier(commune, tmp_path)
    assert res.ok
    tt = _texts(res.documents["to_trinh"])
    assert "Kính gửi: Phòng Giáo dục và Đào tạo huyện Bình An (mẫu)" in tt
    council = _texts(res.documents["tham_dinh"])
    assert not any(line.startswith("……, ngày") for line in council)  # the council's place is known


def test_without_a_profile_or_issued_facts_the_body_above_is_left_to_fill_in(commune):
    """A workbook whose _meta names no parent (a blank template): the heading says the catalogue's
    body and leaves the name to the clerk — nothing is guessed."""
    from cdht.ops.assess import compute_submission
    from cdht.ops.dossier import _Facts
    from cdht.read.submission import read_workbook_raw
    sub, raw = read_workbook_raw(commune)
    assert sub.meta["parent_code"] == "MAU-H01" and sub.meta["parent_name"]
    facts = _Facts(compute_submission(sub), raw, None)
    assert facts.parent_name() == "Huyện Bình An (mẫu)"
    sub.meta = {**sub.meta, "parent_name": ""}
    assert facts.parent_name() is None
    sub.meta = {**sub.meta, "parent_code": ""}
    assert facts.parent_name() is None


def test_a_two_tier_commune_files_with_the_so_and_no_district_body_is_named(tmp_path):
    """2026, communes directly under the province (sample two-tier profile and edition)."""
    from cdht.cli.demo import PROFILES, _evidence, _verdicts
    from cdht.profile import SAMPLE_TWO_TIER

    edition_path = Path(EDITION.path).parent / "tt25-2023-hai-cap.yaml"
    r = CliRunner().invoke(main, ["generate", "--tier", "xa", "--year", str(YEAR), "--edition", str(edition_path),
                                  "--profile", str(SAMPLE_TWO_TIER), "--unit", "MAU2-X01", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    [issued] = tmp_path.glob("*.xlsx")
    xa = load_edition(edition_path).tier("xa")
    values = {**_verdicts(xa), **{k: v for k, v in PROFILES["level2"].items() if k != "vung_kho_khan"}}
    appraisal = {**{L.appraisal_name(i.id): "Đạt" for i in xa.indicators}, L.N_APPRAISAL_TARGET: 2}
    filled = fill(issued, tmp_path / "filled" / issued.name, values, _evidence(xa, YEAR), appraisal=appraisal)
    res = build_dossier(filled, tmp_path / "hs", profile=SAMPLE_TWO_TIER)
    assert res.ok, [f.text() for f in res.findings]
    assert set(res.documents) == {"to_trinh", "bao_cao", "tong_hop", "tham_dinh"}
    tt = _text(res.documents["to_trinh"])
    assert "Kính gửi: Sở Giáo dục và Đào tạo tỉnh Mẫu Hai Cấp (DỮ LIỆU MẪU)" in tt
    council = _texts(res.documents["tham_dinh"])
    assert "HỘI ĐỒNG ĐÁNH GIÁ CẤP TỈNH" in council and "ỦY BAN NHÂN DÂN TỈNH MẪU HAI CẤP (DỮ LIỆU MẪU)" in council
    for path in res.documents.values():
        text = _text(path).casefold()
        assert "huyện" not in text and "phòng giáo dục" not in text, path.name


# --- bad input ----------------------------------------------------------------------------------

def _no_output(folder: Path) -> None:
    assert not folder.exists() or not any(folder.iterdir()), sorted(p.name for p in folder.iterdir())


def test_a_workbook_not_filled_enough_lists_what_is_missing_and_writes_nothing(demo, tmp_path):
    blank = demo.out / "bieu-mau" / f"CDHT_{YEAR}_xa_MAU-X0101.xlsx"
    out = tmp_path / "out"
    res = build_dossier(blank, out)
    assert not res.ok and not res.documents
    [f] = [f for f in res.findings if f.code == "CDHT-D001"]
    assert f.file == blank.name and f.sheet == L.SHEET_SELF
    assert "Tổng số công dân trong xã" in f.message and "Mức độ xóa mù chữ" in f.message
    _no_output(out)


def test_a_tampered_workbook_gives_its_findings_and_no_dossier(demo, tmp_path):
    tampered = demo.out / "nop-huyen" / "MAU-H02" / f"CDHT_{YEAR}_xa_MAU-X0204.xlsx"
    res = build_dossier(tampered, tmp_path / "out")
    codes = [f.code for f in res.findings]
    assert "CDHT-D002" in codes and "CDHT-W019" in codes and not res.documents
    _no_output(tmp_path / "out")


def _edited(kind: str, folder: Path, old: str, new: str) -> Path:
    """A copy of a default outline with ``old`` replaced by ``new`` in its body."""
    folder.mkdir(parents=True, exist_ok=True)
    src = zipfile.ZipFile(TEMPLATES_DIR / TEMPLATES[kind])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text, old
                data = text.replace(old, new, 1).encode("utf-8")
            dst.writestr(info, data)
    (folder / TEMPLATES[kind]).write_bytes(buf.getvalue())
    return folder


def test_a_misspelt_placeholder_is_a_coded_error_naming_it(commune, tmp_path):
    tpl = _edited("to_trinh", tmp_path / "mau", "{{ kinh_gui }}", "{{ kinh_guii }}")
    res = build_dossier(commune, tmp_path / "out", templates=tpl)
    [f] = [f for f in res.findings if f.code == "CDHT-D003"]
    assert f.file == "to-trinh.docx" and "'kinh_guii'" in f.message and "kinh_gui" in f.fix
    assert not res.documents
    _no_output(tmp_path / "out")  # all or nothing: the other documents were not written either


def test_a_misspelt_field_inside_a_loop_is_named_too(commune, tmp_path):
    tpl = _edited("bao_cao", tmp_path / "mau", "{{ i.noi_dung }}", "{{ i.noi_dungg }}")
    res = build_dossier(commune, tmp_path / "out", templates=tpl)
    [f] = [f for f in res.findings if f.code == "CDHT-D003"]
    assert "'noi_dungg'" in f.message and f.file == "bao-cao-tu-danh-gia.docx"
    _no_output(tmp_path / "out")


def test_an_outline_that_does_not_parse_is_a_coded_error(commune, tmp_path):
    tpl = _edited("tong_hop", tmp_path / "mau", "{%tr endfor %}", "{%tr endfr %}")
    res = build_dossier(commune, tmp_path / "out", templates=tpl)
    [f] = [f for f in res.findings if f.code == "CDHT-D004"]
    assert f.file == "ban-tong-hop.docx"
    _no_output(tmp_path / "out")
    (tpl / TEMPLATES["tong_hop"]).write_bytes(b"not a word file")
    res = build_dossier(commune, tmp_path / "out2", templates=tpl)
    assert [f.code for f in res.findings if f.severity == "lỗi"] == ["CDHT-D004"]


def test_an_edited_outline_is_used(commune, tmp_path):
    tpl = _edited("to_trinh", tmp_path / "mau", "Hồ sơ kèm theo gồm:", "Hồ sơ gửi kèm (mẫu của Sở):")
    res = build_dossier(commune, tmp_path / "out", templates=tpl)
    assert res.ok and "Hồ sơ gửi kèm (mẫu của Sở):" in _text(res.documents["to_trinh"])
    assert "Hồ sơ kèm theo gồm:" not in _text(res.documents["to_trinh"])


def test_an_unfinished_appraisal_is_refused(commune, tmp_path):
    half = tmp_path / commune.name
    fill(commune, half, {}, appraisal={L.appraisal_name("xa.1.1"): None, L.appraisal_name("xa.2.1"): None})
    res = build_dossier(half, tmp_path / "out")
    [f] = [f for f in res.findings if f.code == "CDHT-D005"]
    assert "xa.1.1" in f.message and "xa.2.1" in f.message and f.sheet == L.SHEET_APPRAISAL
    _no_output(tmp_path / "out")


def test_a_failure_without_its_reason_is_refused(commune, tmp_path):
    bad = tmp_path / commune.name
    fill(commune, bad, {}, appraisal={L.appraisal_name("xa.3.2"): "Không đạt"})
    res = build_dossier(bad, tmp_path / "out")
    [f] = [f for f in res.findings if f.code == "CDHT-D006"]
    assert "xa.3.2" in f.message
    _no_output(tmp_path / "out")


def test_a_broken_profile_stops_before_anything_is_written(commune, tmp_path):
    prof = tmp_path / "p.yaml"
    prof.write_text("profile: x\nprovince: y\nunknown_key: 1\n", encoding="utf-8")
    res = build_dossier(commune, tmp_path / "out", profile=prof)
    codes = [f.code for f in res.findings]
    assert "CDHT-D009" in codes and "CDHT-P002" in codes and not res.documents


def test_the_decision_lists_only_the_appraised_units(demo, tmp_path):
    parent = demo.out / "tong-hop-huyen" / f"CDHT_{YEAR}_huyen_MAU-H02.xlsx"
    res = build_dossier(parent, tmp_path)
    assert res.ok, [f.text() for f in res.findings]
    qd = _text(res.documents["quyet_dinh"])
    assert "MAU-X0201" in qd and "MAU-X0206" in qd  # appraised at level 1
    # not appraised (level 0, no evidence) or refused by the merge (tampered, wrong year)
    assert not any(code in qd for code in ("MAU-X0202", "MAU-X0203", "MAU-X0204", "MAU-X0205"))
    assert "Công nhận 2 đơn vị" in qd and "II." not in qd


def test_a_parent_with_nobody_appraised_gets_no_decision(demo, tmp_path):
    huyen = EDITION.tier("huyen")
    values = {f.key: "Đạt" for i in huyen.indicators for f in i.fields if f.type == "verdict"}
    values.update({"huyen_4_1_tong_so_xa": 6, "huyen_4_1_so_xa_muc_do_1": 6, "huyen_4_1_so_xa_muc_do_2": 5,
                   "huyen_4_2_nam_nay": 62.5, "huyen_4_2_nam_truoc": 58.0,
                   "huyen_4_3_nam_nay": 96.1, "huyen_4_3_nam_truoc": 95.4})
    parent = fill(demo.out / "bieu-mau" / f"CDHT_{YEAR}_huyen_MAU-H01.xlsx", tmp_path / "h01.xlsx", values)
    res = build_dossier(parent, tmp_path / "out")
    assert res.ok, [f.text() for f in res.findings]
    assert "quyet_dinh" not in res.documents and "bao_cao" in res.documents
    [f] = [f for f in res.findings if f.code == "CDHT-D008"]
    assert f.sheet == L.SHEET_CHILDREN


# --- helpers, templates, CLI ----------------------------------------------------------------------

def test_text_with_xml_characters_is_escaped_not_broken(tmp_path):
    """A body named "Sở GD&ĐT" or a reason with "<" must come out as typed, in a valid .docx."""
    from cdht.ops.dossier import render

    ctx = dict(co_quan_chu_quan="ỦY BAN NHÂN DÂN TỈNH A", co_quan="SỞ GD&ĐT", ky_hieu="TB-SGDĐT", dia_danh="A",
               ngay_thang="ngày 01 tháng 03 năm 2027", don_vi="xã A&B", ten_don_vi="Xã A&B", ma_don_vi="X1",
               cap="cấp xã", nam=YEAR, van_ban_phap_ly="Thông tư 25/2023", hoi_dong="Hội đồng <tỉnh>",
               muc_do_xet=2, kinh_gui="Ủy ban nhân dân xã A&B", co_quan_ten="Sở GD&ĐT",
               khong_dat=[{"ma": "xa.5.1", "noi_dung": "tỷ lệ < 80%", "ly_do": "R&D chưa xác nhận"}],
               noi_nhan=["Như trên;"], tham_quyen="", chuc_vu="GIÁM ĐỐC", nguoi_ky="")
    out = tmp_path / "tb.docx"
    assert render(TEMPLATES_DIR / TEMPLATES["thong_bao"], ctx, out) == []
    text = _text(out)
    assert "Sở GD&ĐT thông báo" in text and "Chỉ tiêu xa.5.1 (tỷ lệ < 80%): R&D chưa xác nhận." in text


def test_names_of_bodies_and_places():
    assert place_name("Xã An Phú") == "An Phú" and place_name("Thị trấn Bình An") == "Bình An"
    assert in_sentence("Huyện Bình An") == "huyện Bình An" and in_sentence("Tỉnh Mẫu") == "tỉnh Mẫu"
    assert split_authority("Trưởng phòng Giáo dục và Đào tạo") == ("Trưởng phòng", "Phòng Giáo dục và Đào tạo")
    assert split_authority("Giám đốc Sở Giáo dục và Đào tạo (GIẢ ĐỊNH)") == ("Giám đốc", "Sở Giáo dục và Đào tạo")
    assert split_authority("Bộ trưởng Bộ Giáo dục và Đào tạo") == ("Bộ trưởng", "Bộ Giáo dục và Đào tạo")


def test_the_guide_names_every_placeholder_offered(built, failed, tmp_path):
    from cdht.dossier import GUIDE

    guide = (TEMPLATES_DIR / GUIDE).read_text(encoding="utf-8")
    offered = {k: set(v) for r in built.values() for k, v in r.variables.items()}
    offered["thong_bao"] = set(build_dossier(failed, tmp_path, profile=SAMPLE_THREE_TIER).variables["thong_bao"])
    assert set(offered) == set(TEMPLATES)
    missing = sorted({v for names in offered.values() for v in names if f"`{v}`" not in guide})
    assert not missing, f"{GUIDE} does not explain {missing}"


def test_the_shipped_outlines_are_what_the_script_builds(tmp_path):
    from scripts.build_dossier_templates import build

    for path in build(tmp_path):
        assert path.read_bytes() == (TEMPLATES_DIR / path.name).read_bytes(), \
            f"{path.name} is stale: run python3 scripts/build_dossier_templates.py and commit"


def test_cli_dossier_and_outlines(commune, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["dossier", str(commune), "--out", str(tmp_path / "hs"), "--json"])
    assert r.exit_code == 0, r.output
    import json
    data = json.loads(r.output)
    assert data["ok"] and set(data["documents"]) == {"to_trinh", "bao_cao", "tong_hop", "tham_dinh"}
    from cdht.units import SAMPLE_UNITS  # a --units CSV is a registry-only profile
    r = runner.invoke(main, ["dossier", str(commune), "--out", str(tmp_path / "csv"), "--profile", str(SAMPLE_UNITS)])
    assert r.exit_code == 0, r.output
    assert "Kính gửi: Phòng Giáo dục và Đào tạo huyện Bình An (mẫu)" in _texts(
        tmp_path / "csv" / f"HS_{YEAR}_xa_MAU-X0101_1-to-trinh.docx")
    r = runner.invoke(main, ["dossier", "--outlines", "--out", str(tmp_path / "de-cuong")])
    assert r.exit_code == 0, r.output
    from cdht.dossier import GUIDE
    assert sorted(p.name for p in (tmp_path / "de-cuong").iterdir()) == sorted([*TEMPLATES.values(), GUIDE])
    r = runner.invoke(main, ["dossier", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--outlines" in r.output


def test_generate_issues_the_outlines_beside_the_workbooks(tmp_path):
    from cdht.dossier import GUIDE, OUTLINES_FOLDER

    r = CliRunner().invoke(main, ["generate", "--tier", "xa", "--year", str(YEAR), "--out", str(tmp_path),
                                  "--with-outlines"])
    assert r.exit_code == 0, r.output
    issued = tmp_path / OUTLINES_FOLDER
    assert sorted(p.name for p in issued.iterdir()) == sorted([*TEMPLATES.values(), GUIDE])
    for name in TEMPLATES.values():
        assert (issued / name).read_bytes() == (TEMPLATES_DIR / name).read_bytes()
    assert list(tmp_path.glob("*.xlsx"))  # the workbook itself, as without the flag


def test_a_folder_gives_every_unit_its_dossier_and_a_bad_file_stops_nobody(demo, tmp_path):
    """`cdht dossier FOLDER`: the communes filed to the districts, one output folder per file."""
    from cdht.ops.dossier import build_dossiers

    results = {r.workbook.name: r for r in build_dossiers(demo.out / "nop-huyen", tmp_path, profile=SAMPLE_THREE_TIER)}
    assert len(results) == 12
    tampered = results[f"CDHT_{YEAR}_xa_MAU-X0204.xlsx"]
    assert not tampered.ok and not tampered.documents and "CDHT-D002" in [f.code for f in tampered.findings]
    made = {name: r for name, r in results.items() if r.documents}
    assert len(made) == 11  # everyone else, the late, the unevidenced and last year's workbook included
    for name, r in made.items():
        assert r.out_dir == tmp_path / r.workbook.parent.name / r.workbook.stem
        assert {"bao_cao", "tong_hop"} <= set(r.documents), name
        _assert_every_indicator(r.documents["bao_cao"], EDITION.tier("xa"))
    assert "CDHT-P013" in [f.code for f in next(iter(results.values())).findings]  # the sample profile, said once
    assert sum("CDHT-P013" in [f.code for f in r.findings] for r in results.values()) == 1
    r = CliRunner().invoke(main, ["dossier", str(demo.out / "nop-huyen"), "--out", str(tmp_path / "cli"), "--json"])
    assert r.exit_code == 1  # the tampered file
    import json
    assert len(json.loads(r.output)) == 12


def test_cli_bad_workbook_exits_1_with_the_code(demo, tmp_path):
    blank = demo.out / "bieu-mau" / f"CDHT_{YEAR}_xa_MAU-X0101.xlsx"
    r = CliRunner().invoke(main, ["dossier", str(blank), "--out", str(tmp_path / "hs")])
    assert r.exit_code == 1 and "CDHT-D001" in r.output


# --- the oracle: LibreOffice opens every document and prints it to PDF -------------------------

def _to_pdf(paths: list[Path], out_dir: Path) -> dict[Path, Path]:
    from scripts.libreoffice import soffice_path

    profile = Path(tempfile.mkdtemp(prefix="cdht-lo-docx-"))
    try:
        proc = subprocess.run(
            [soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
            capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(profile)})
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = {p: out_dir / f"{p.stem}.pdf" for p in paths}
    missing = [p.name for p, q in out.items() if not q.is_file()]
    assert not missing, f"LibreOffice did not convert {missing}:\n{proc.stdout}\n{proc.stderr}"
    return out


def _pages(pdf: Path) -> int:
    import re
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.fixture(scope="module")
def pdfs(built, failed, tmp_path_factory):
    """Every generated document (commune, district, province, failing commune) printed to PDF."""
    from scripts.libreoffice import soffice_path

    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not (Path(soffice_path()).resolve().parent / "libswlo.so").exists():
        pytest.skip("LibreOffice Writer is not installed (apt-get install libreoffice-writer-nogui)")
    tmp = tmp_path_factory.mktemp("pdf")
    letter = build_dossier(failed, tmp / "failed", profile=SAMPLE_THREE_TIER)
    docs = [p for r in [*built.values(), letter] for p in r.documents.values()]
    assert len(docs) == 4 + 5 + 3 + 5
    return _to_pdf(docs, tmp / "pdf")


@pytest.mark.oracle
@pytest.mark.slow
def test_libreoffice_converts_every_document_to_pdf(built, pdfs):
    for src, pdf in pdfs.items():
        pages = _pages(pdf)
        short = src.stem.endswith(("to-trinh", "thong-bao-khong-dat"))
        assert (pages <= 2) if short else (1 <= pages <= 12), (src.name, pages)
    assert _pages(pdfs[built["MAU-H01"].documents["quyet_dinh"]]) == 2  # the annex starts a new page


def _page_text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


@pytest.mark.oracle
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_heading_on_the_first_page_and_signature_on_the_last(pdfs):
    for src, pdf in pdfs.items():
        first, last = _page_text(pdf, 1), _page_text(pdf, _pages(pdf))
        assert S.NATIONAL_NAME in first and S.MOTTO in first and "Số:" in first, src.name
        if src.stem.endswith("du-thao-quyet-dinh"):  # the signature ends the decision, the annex the file
            assert "Nơi nhận:" in first and ("TRƯỞNG PHÒNG" in first or "GIÁM ĐỐC" in first), src.name
            assert "DANH SÁCH ĐƠN VỊ ĐẠT" in last and "Kèm theo Quyết định" in last, src.name
        else:
            assert "Nơi nhận:" in last and "Ký, ghi rõ họ tên và đóng dấu" in last, src.name
