"""`cdht demo` end to end in a temporary folder, as a new user would run it."""
import pytest
from click.testing import CliRunner

from cdht.cli.main import main


@pytest.mark.slow
def test_demo_end_to_end(tmp_path):
    out = tmp_path / "demo"
    r = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = r.output
    assert "Traceback" not in text
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("MAU-X")}
    assert len(rows) == 12
    assert "Mức độ 2" in rows["MAU-X0101"]
    assert "Mức độ 1" in rows["MAU-X0104"]
    assert "Mức độ 1" in rows["MAU-X0201"]          # vùng khó khăn thresholds 40/10 %
    assert "Chưa đạt" in rows["MAU-X0203"]
    assert "Trả lại" in rows["MAU-X0202"]           # missing evidence
    assert "CDHT-M008" in rows["MAU-X0204"]         # tampered
    assert "CDHT-M002" in rows["MAU-X0205"]         # wrong year
    assert "nộp muộn" in rows["MAU-X0105"]
    assert "Huyện MAU-H01: nhận 6/6 (muộn 1), từ chối 0" in text
    assert "Huyện MAU-H02: nhận 4/6 (muộn 0), từ chối 2" in text
    assert "chỉ tiêu 4.1: 6/6 xã mức độ 1 trở lên → huyện: Mức độ 1" in text
    assert "chỉ tiêu 4.1: 2/6 xã mức độ 1 trở lên → huyện: Chưa đạt" in text
    assert "Tỉnh: nhận 2/2 huyện, từ chối 0 → tỉnh: Chưa đạt" in text
    assert "Sở Văn hóa và Thể thao: đã nộp" in text and "Cục Thống kê tỉnh: chưa nộp" in text
    province = out / "tong-hop-tinh" / "CDHT_2026_tinh_MAU-T01.xlsx"
    from cdht.ops.assess import compute
    rep = compute(province)
    assert rep.sub.values["tinh_3_4_so_chuong_trinh"] == 6  # from the culture department's form
    assert rep.sub.values["tinh_4_1_tong_so_huyen"] == 2 and not rep.sub.tampered
    # re-running is safe and gives the same summary
    r2 = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert r2.exit_code == 0
    assert r2.output == r.output
