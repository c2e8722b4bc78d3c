"""The shipped catalogue editions against the legal spec, and the edition checker.

The SPEC table below is typed from /work/shared/spec/circular-25-2023.md (Thông tư 25/2023,
Điều 6–7, 11–12, 16–17), not derived from the YAML: the catalogue must agree with it, indicator
by indicator — id, official wording, and the bar at mức độ 1 and mức độ 2.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from cdht.edition import (CATALOGUE_DIR, DEFAULT_EDITION, CatalogueError, Edition, check_edition,
                               load_edition, shipped_editions)
from cdht.messages import MESSAGES, Finding

try:
    from tests.broken_editions import BASE, TWO_TIER, line_of, mutate, shipped_text, substitute, write
except ImportError:  # tests/ itself on sys.path
    from broken_editions import BASE, TWO_TIER, line_of, mutate, shipped_text, substitute, write


# =============================================================================================
# The spec, typed in
# =============================================================================================

# Threshold shapes (compared with the catalogue's rules, see _shape):
DAT = ("đạt",)                                   # self-assessed "Đạt"


def LVL(n):                                      # level reached ≥ n
    return ("≥ mức độ", n)


def PCT(num, pct, hardship=None):                # num / den ≥ pct % (vùng khó khăn: ≥ hardship %)
    return ("≥ %", num, pct, hardship)


def AND(*parts):
    return ("và",) + parts


def CNT(n):                                      # count ≥ n
    return ("≥", n)


YES = ("có",)
UP = ("tăng",)                                   # this year > last year
DOWN = ("giảm",)                                 # this year < last year

_TUAN_LE = ("Xây dựng kế hoạch, triển khai các hoạt động cụ thể tổ chức Tuần lễ hưởng ứng học tập "
            "suốt đời và báo cáo theo quy định")
_KINH_PHI = ("Bố trí đủ kinh phí từ ngân sách nhà nước hằng năm theo quy định của pháp luật về ngân "
             "sách nhà nước để thực hiện xây dựng xã hội học tập")
_HUY_DONG = ("Triển khai các hoạt động vận động, huy động nguồn lực xã hội tham gia xây dựng xã hội "
             "học tập ở địa phương theo chủ trương xã hội hóa và đạt kết quả tích cực")
_TUYEN_TRUYEN_TOT = ("Thực hiện tốt công tác tuyên truyền nâng cao nhận thức cho cộng đồng về học tập "
                     "suốt đời, xây dựng xã hội học tập")
_BAN_HANH = ("Ban hành theo thẩm quyền các chương trình, kế hoạch, văn bản chỉ đạo, hướng dẫn thực hiện "
             "công tác xây dựng xã hội học tập và tổ chức triển khai, thực hiện đầy đủ, kịp thời các "
             "chương trình, kế hoạch")
_TC2 = "Huy động nguồn lực và tạo môi trường thuận lợi để thực hiện xây dựng xã hội học tập ở địa phương"

# id → (official wording, level 1, level 2)
SPEC: dict[str, tuple[str, tuple, tuple]] = {
    # --- cấp xã, Điều 6 / Điều 7 -----------------------------------------------------------
    "xa.1.1": ("Thực hiện công tác tuyên truyền nâng cao nhận thức cho cộng đồng về học tập suốt đời, "
               "xây dựng xã hội học tập", DAT, DAT),
    "xa.1.2": ("Xây dựng chương trình, kế hoạch thực hiện công tác xây dựng xã hội học tập hằng năm và "
               "tổ chức triển khai, thực hiện đầy đủ các chương trình, kế hoạch", DAT, DAT),
    "xa.1.3": (_TUAN_LE, DAT, DAT),
    "xa.2.1": (_KINH_PHI, DAT, DAT),
    "xa.2.2": (_HUY_DONG, DAT, DAT),
    "xa.2.3": ("Xây dựng cơ chế phối hợp giữa Hội Khuyến học xã, các tổ chức chính trị - xã hội cấp xã "
               "và các cơ sở giáo dục, các thiết chế văn hóa trên địa bàn xã trong quá trình xây dựng xã "
               "hội học tập", DAT, DAT),
    "xa.3.1": ("Trung tâm học tập cộng đồng bảo đảm có 01 phòng làm việc được trang bị đầy đủ bàn, ghế, "
               "tủ, giá; có tủ sách dùng chung; có thiết bị công nghệ thông tin phù hợp để tổ chức hoạt "
               "động học tập suốt đời cho người dân", DAT, DAT),
    "xa.3.2": ("Thư viện công cộng cấp xã có ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý, "
               "tổ chức hoạt động phục vụ việc học tập suốt đời cho người sử dụng thư viện", DAT, DAT),
    "xa.3.3": ("Trung tâm văn hóa, thể thao cấp xã có lớp năng khiếu, câu lạc bộ, nhóm sở thích, thường "
               "xuyên tổ chức các hoạt động văn hóa văn nghệ, thể dục thể thao thu hút người dân đến "
               "tham gia sinh hoạt", DAT, DAT),
    # spec input "đạt chuẩn: có / không", bar "có": the catalogue asks it as Đạt / Không đạt
    "xa.4.1": ("Xã đạt chuẩn phổ cập giáo dục mầm non cho trẻ em 5 tuổi (Nghị định 20/2014/NĐ-CP)",
               DAT, DAT),
    "xa.4.2": ("Xã đạt chuẩn phổ cập giáo dục tiểu học …", LVL(2), LVL(3)),
    "xa.4.3": ("Xã đạt chuẩn phổ cập giáo dục trung học cơ sở …", LVL(2), LVL(3)),
    "xa.4.4": ("Xã đạt chuẩn xóa mù chữ …", LVL(1), LVL(2)),
    "xa.5.1": ("Có ít nhất …% công dân trong xã đạt danh hiệu \"Công dân học tập\" theo Quyết định số "
               "324/QĐ-KHVN ngày 25/10/2023 của Ban chấp hành Trung ương Hội Khuyến học Việt Nam",
               PCT("xa_5_1_so_cong_dan_hoc_tap", 60), PCT("xa_5_1_so_cong_dan_hoc_tap", 80)),
    "xa.5.2": ("Có ít nhất …% công dân trong xã được đào tạo trình độ chuyên môn kỹ thuật; trong đó, có "
               "ít nhất …% công dân trong xã có trình độ đại học trở lên",
               AND(PCT("xa_5_2_so_duoc_dao_tao", 50, 40), PCT("xa_5_2_so_dai_hoc", 12, 10)),
               AND(PCT("xa_5_2_so_duoc_dao_tao", 60, 50), PCT("xa_5_2_so_dai_hoc", 15, 12))),
    # --- cấp huyện, Điều 11 / Điều 12 ------------------------------------------------------
    "huyen.1.1": (_TUYEN_TRUYEN_TOT, DAT, DAT),
    "huyen.1.2": (_BAN_HANH, DAT, DAT),
    "huyen.1.3": (_TUAN_LE, DAT, DAT),
    "huyen.2.1": (_KINH_PHI, DAT, DAT),
    "huyen.2.2": (_HUY_DONG, DAT, DAT),
    "huyen.2.3": ("Thực hiện đầy đủ các chính sách thúc đẩy học tập suốt đời và xây dựng xã hội học tập "
                  "do trung ương và tỉnh ban hành", DAT, DAT),
    "huyen.2.4": ("Các đơn vị cấp huyện được trang bị các dịch vụ và công cụ số để thành viên trong đơn "
                  "vị thực hiện chuyển đổi số trong công việc và học tập", DAT, DAT),
    "huyen.3.1": ("Cơ sở giáo dục đánh giá, công nhận ở cấp huyện triển khai hoạt động quản lý, giảng dạy "
                  "và học tập trên môi trường số", DAT, DAT),
    "huyen.3.2": ("Thư viện công cộng cấp huyện có cung cấp dịch vụ phục vụ việc học tập suốt đời cho "
                  "người sử dụng thư viện và ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý, "
                  "tổ chức hoạt động phục vụ việc học tập suốt đời cho người sử dụng thư viện", DAT, DAT),
    "huyen.3.3": ("Trung tâm văn hóa, thể thao cấp huyện có nhiều hoạt động văn hóa - thể thao kết nối "
                  "với các xã", DAT, DAT),
    # the level-1 wording; level 2 (Điều 12) reads "… mức độ 2", see test_recognition_share_wording
    "huyen.4.1": ("Có ít nhất 90% số xã được công nhận đạt \"Cộng đồng học tập\" cấp xã mức độ 1",
                  PCT("huyen_4_1_so_xa_muc_do_1", 90), PCT("huyen_4_1_so_xa_muc_do_2", 90)),
    "huyen.4.2": ("Thu nhập bình quân đầu người của huyện tăng so với năm trước liền kề", UP, UP),
    "huyen.4.3": ("Tỷ lệ lao động có việc làm của huyện tăng so với năm trước liền kề", UP, UP),
    # --- cấp tỉnh, Điều 16 / Điều 17 -------------------------------------------------------
    "tinh.1.1": (_TUYEN_TRUYEN_TOT, DAT, DAT),
    "tinh.1.2": (_BAN_HANH, DAT, DAT),
    "tinh.1.3": ("Tổ chức triển khai phong trào thi đua xây dựng xã hội học tập, đẩy mạnh học tập suốt "
                 "đời", DAT, DAT),
    "tinh.2.1": (_KINH_PHI, DAT, DAT),
    "tinh.2.2": ("Thực hiện đầy đủ các chính sách thúc đẩy học tập suốt đời và xây dựng xã hội học tập "
                 "do trung ương ban hành", DAT, DAT),
    "tinh.2.3": ("Ban hành các chính sách phù hợp với điều kiện kinh tế - xã hội của địa phương để thúc "
                 "đẩy học tập suốt đời và xây dựng xã hội học tập trên địa bàn", DAT, DAT),
    "tinh.2.4": ("Tổ chức triển khai các hoạt động, mô hình thúc đẩy hợp tác quốc tế về giáo dục người "
                 "lớn, học tập suốt đời và xây dựng xã hội học tập", DAT, DAT),
    "tinh.2.5": ("Các đơn vị cấp tỉnh được trang bị các dịch vụ và công cụ số để thành viên trong đơn vị "
                 "thực hiện chuyển đổi số trong công việc và học tập", DAT, DAT),
    "tinh.3.1": ("Trường đại học trực thuộc tỉnh có thực hiện chuyển đổi số và xây dựng học liệu số",
                 DAT, DAT),
    "tinh.3.2": ("Cơ sở giáo dục đánh giá, công nhận ở cấp tỉnh triển khai hoạt động quản lý, giảng dạy "
                 "và học tập trên môi trường số", DAT, DAT),
    "tinh.3.3": ("Thư viện công cộng cấp tỉnh có cung cấp dịch vụ phục vụ việc học tập suốt đời cho "
                 "người sử dụng thư viện và ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý, "
                 "tổ chức hoạt động phục vụ việc học tập suốt đời cho người sử dụng thư viện", DAT, DAT),
    "tinh.3.4": ("Bảo tàng tỉnh xây dựng và triển khai tối thiểu 04 chương trình giáo dục lịch sử, văn "
                 "hóa, khoa học, nghệ thuật trong năm cho người dân", CNT(4), CNT(4)),
    "tinh.3.5": ("Đài phát thanh, truyền hình tỉnh xây dựng các chủ đề, nội dung học liệu và triển khai "
                 "tối thiểu 04 chương trình giáo dục trong năm trên kênh phát thanh, truyền hình, các ứng "
                 "dụng truyền hình và tham gia xây dựng nguồn tài nguyên số dùng chung, nguồn học liệu mở "
                 "trên mạng để người dân có thể tiếp cận theo nhu cầu",
                 AND(CNT(4), YES), AND(CNT(4), YES)),
    "tinh.4.1": ("Có ít nhất 90% số huyện được công nhận đạt \"Cộng đồng học tập\" cấp huyện mức độ 1",
                 PCT("tinh_4_1_so_huyen_muc_do_1", 90), PCT("tinh_4_1_so_huyen_muc_do_2", 90)),
    "tinh.4.2": ("Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều của tỉnh giảm so với năm trước liền kề",
                 DOWN, DOWN),
    "tinh.4.3": ("Tổng sản phẩm trên địa bàn tỉnh (GRDP) tăng so với năm trước liền kề", UP, UP),
}

# the two indicators whose spec row gives the level-1 wording plus "(level 2: mức độ 2)"
RECOGNITION_SHARE = {"huyen.4.1": "cấp xã mức độ 2", "tinh.4.1": "cấp huyện mức độ 2"}

CRITERIA = {
    "xa": ["Sự lãnh đạo, chỉ đạo của cấp ủy Đảng, chính quyền cấp xã",
           _TC2,
           "Hiệu quả hoạt động của trung tâm học tập cộng đồng và thư viện công cộng cấp xã, trung tâm "
           "văn hóa, thể thao cấp xã",
           "Kết quả phổ cập giáo dục - xóa mù chữ",
           "Tác dụng của việc xây dựng \"Cộng đồng học tập\" cấp xã"],
    "huyen": ["Sự lãnh đạo, chỉ đạo của cấp ủy Đảng, chính quyền cấp huyện",
              _TC2,
              "Hiệu quả hoạt động của các cơ sở giáo dục đánh giá, công nhận ở cấp huyện và thư viện "
              "công cộng cấp huyện, trung tâm văn hóa, thể thao cấp huyện",
              "Tác dụng của việc xây dựng \"Cộng đồng học tập\" cấp huyện"],
    "tinh": ["Sự lãnh đạo, chỉ đạo của cấp ủy Đảng, chính quyền cấp tỉnh",
             _TC2,
             "Hiệu quả hoạt động của cơ sở giáo dục đánh giá, công nhận ở cấp tỉnh và thư viện công cộng "
             "cấp tỉnh, bảo tàng tỉnh, Đài phát thanh, truyền hình tỉnh",
             "Tác dụng của việc xây dựng \"Cộng đồng học tập\" cấp tỉnh"],
}
INDICATOR_COUNTS = {"xa": 15, "huyen": 13, "tinh": 16}
# per criterion: xã 3+3+3+4+2, huyện 3+4+3+3, tỉnh 3+5+5+3
PER_CRITERION = {"xa": [3, 3, 3, 4, 2], "huyen": [3, 4, 3, 3], "tinh": [3, 5, 5, 3]}

# tier → (submit before MM-DD of N+1, decision before MM-DD or None, articles level1/level2/procedure)
PROCEDURE = {
    "xa": ("02-28", "03-31", ("Điều 6", "Điều 7", "Điều 9")),
    "huyen": ("04-30", "05-31", ("Điều 11", "Điều 12", "Điều 14")),
    "tinh": ("07-31", None, ("Điều 16", "Điều 17", "Điều 19")),
}

# §6: who supplies which province figures
CONTRIBUTORS_BY_NAME = {
    "Sở Văn hóa và Thể thao": {"tinh.3.3", "tinh.3.4"},
    "Đài Phát thanh và Truyền hình": {"tinh.3.5"},
    "Sở Lao động - Thương binh và Xã hội": {"tinh.4.2"},
    "Thống kê": {"tinh.4.3"},
}

VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]",
                        re.IGNORECASE)


def _shape(d: dict) -> tuple:
    """A rule's ``describe()`` in the spec table's shape."""
    k = d["kind"]
    if k == "verdict":
        return DAT
    if k == "answer_yes":
        return YES
    if k == "min_level":
        return LVL(d["value"])
    if k == "min_count":
        return CNT(d["value"])
    if k == "ratio":
        return PCT(d["num"], d["min_percent"], d.get("hardship_percent"))
    if k == "change":
        return {"increase": UP, "decrease": DOWN}[d["direction"]]
    if k == "all":
        return AND(*(_shape(x) for x in d["rules"]))
    raise AssertionError(f"unknown rule kind {k}")


@pytest.fixture(scope="module")
def edition() -> Edition:
    return load_edition()


@pytest.fixture(scope="module")
def two_tier() -> Edition:
    return load_edition(CATALOGUE_DIR / TWO_TIER)


def _all_indicators(ed: Edition):
    return {i.id: i for t in ed.tiers.values() for i in t.indicators}


# =============================================================================================
# The default edition against the spec
# =============================================================================================

def test_spec_table_is_complete():
    assert len(SPEC) == 44
    for tier, n in INDICATOR_COUNTS.items():
        assert sum(1 for k in SPEC if k.split(".")[0] == tier) == n


def test_indicator_ids_and_order(edition):
    assert list(edition.tiers) == ["xa", "huyen", "tinh"]
    ids = [i.id for t in edition.tiers.values() for i in t.indicators]
    assert ids == list(SPEC)
    assert len(ids) == len(set(ids)) == 44


@pytest.mark.parametrize("tier,n", INDICATOR_COUNTS.items())
def test_counts_per_tier(edition, tier, n):
    t = edition.tiers[tier]
    assert len(t.criteria) == len(CRITERIA[tier])
    assert len(t.indicators) == n
    assert [len(c.indicators) for c in t.criteria] == PER_CRITERION[tier]
    assert [c.id for c in t.criteria] == [f"{tier}.{k}" for k in range(1, len(CRITERIA[tier]) + 1)]
    for c in t.criteria:
        assert all(i.id.startswith(c.id + ".") for i in c.indicators)


@pytest.mark.parametrize("tier", CRITERIA)
def test_criterion_names_exact(edition, tier):
    assert [c.name for c in edition.tiers[tier].criteria] == CRITERIA[tier]


@pytest.mark.parametrize("ind_id", [k for k in SPEC if k not in RECOGNITION_SHARE])
def test_indicator_wording(edition, ind_id):
    assert _all_indicators(edition)[ind_id].text == SPEC[ind_id][0]


@pytest.mark.parametrize("ind_id", RECOGNITION_SHARE)
def test_recognition_share_wording(edition, ind_id):
    """huyen.4.1 / tinh.4.1: the official level-1 wording, then what level 2 asks (mức độ 2)."""
    text = _all_indicators(edition)[ind_id].text
    assert text.startswith(SPEC[ind_id][0] + " (")
    rest = text[len(SPEC[ind_id][0]):]
    assert RECOGNITION_SHARE[ind_id] in rest and rest.endswith(")")


def test_shortened_wording_keeps_the_ellipsis(edition):
    inds = _all_indicators(edition)
    shortened = [k for k, (w, _, _) in SPEC.items() if "…" in w]
    assert shortened == ["xa.4.2", "xa.4.3", "xa.4.4", "xa.5.1", "xa.5.2"]
    for k in shortened:
        assert "…" in inds[k].text and "..." not in inds[k].text


@pytest.mark.parametrize("ind_id", list(SPEC))
def test_thresholds(edition, ind_id):
    ind = _all_indicators(edition)[ind_id]
    _, l1, l2 = SPEC[ind_id]
    assert _shape(ind.rules[1].describe()) == l1
    assert _shape(ind.rules[2].describe()) == l2


@pytest.mark.parametrize("ind_id", [k for k, v in SPEC.items() if v[1] == DAT])
def test_verdict_indicators_read_their_own_verdict(edition, ind_id):
    ind = _all_indicators(edition)[ind_id]
    key = ind_id.replace(".", "_")
    assert ind.rules[1].describe() == ind.rules[2].describe() == {"kind": "verdict", "field": key}
    assert ind.tier.fields[key].type == "verdict"
    assert ind.answered_by_verdict


def test_commune_ratios_use_the_commune_population_and_hardship_flag(edition):
    xa = edition.tiers["xa"]
    assert xa.fields["tong_so_cong_dan"].type == "count"
    assert xa.fields["vung_kho_khan"].type == "yesno"
    for ind_id in ("xa.5.1", "xa.5.2"):
        ind = xa.indicator(ind_id)
        for lvl in (1, 2):
            d = ind.rules[lvl].describe()
            ratios = d["rules"] if d["kind"] == "all" else [d]
            for r in ratios:
                assert r["den"] == "tong_so_cong_dan"
                assert r.get("hardship_field") == ("vung_kho_khan" if ind_id == "xa.5.2" else None)
    # "trong đó": university graduates are part of the trained
    checks = [c.describe() for c in xa.indicator("xa.5.2").checks]
    assert checks == [{"kind": "not_above", "num": "xa_5_2_so_dai_hoc", "den": "xa_5_2_so_duoc_dao_tao"}]


def test_levels_of_universalisation_fields(edition):
    xa = edition.tiers["xa"]
    assert (xa.fields["xa_4_2"].min, xa.fields["xa_4_2"].max) == (0, 3)
    assert (xa.fields["xa_4_3"].min, xa.fields["xa_4_3"].max) == (0, 3)
    assert (xa.fields["xa_4_4"].min, xa.fields["xa_4_4"].max) == (0, 2)


@pytest.mark.parametrize("ind_id,child,prefix", [("huyen.4.1", "xa", "huyen_4_1"),
                                                 ("tinh.4.1", "huyen", "tinh_4_1")])
def test_recognition_share_counts_children(edition, ind_id, child, prefix):
    ind = _all_indicators(edition)[ind_id]
    fc = ind.from_children
    assert fc is not None and fc.tier == child
    r1, r2 = ind.rules[1].describe(), ind.rules[2].describe()
    assert (r1["num"], r1["den"]) == (fc.level1, fc.total)
    assert (r2["num"], r2["den"]) == (fc.level2, fc.total)
    assert fc.total.startswith(prefix) and fc.level1.startswith(prefix) and fc.level2.startswith(prefix)
    # those at level 2 are a part of those at level 1 or above, who are a part of all units
    assert [c.describe() for c in ind.checks] == [{"kind": "not_above", "num": fc.level2, "den": fc.level1},
                                                  {"kind": "not_above", "num": fc.level1, "den": fc.total}]


def test_every_level2_bar_at_or_above_level1(edition):
    """Spec §1: a unit meeting level 2 also meets level 1."""
    def bars(shape):
        if shape[0] == "và":
            return [b for s in shape[1:] for b in bars(s)]
        return [shape]
    for ind in _all_indicators(edition).values():
        b1, b2 = bars(_shape(ind.rules[1].describe())), bars(_shape(ind.rules[2].describe()))
        assert len(b1) == len(b2), ind.id
        for x, y in zip(b1, b2):
            assert x[0] == y[0], ind.id
            if x[0] in ("≥ mức độ", "≥"):
                assert y[1] >= x[1], ind.id
            elif x[0] == "≥ %":
                assert y[2] >= x[2] and (x[3] is None or y[3] >= x[3]), ind.id
            else:
                assert x == y, ind.id


@pytest.mark.parametrize("tier", PROCEDURE)
def test_deadlines_and_articles(edition, tier):
    submit, decide, articles = PROCEDURE[tier]
    t = edition.tiers[tier]
    assert t.procedure.submit_by == submit
    assert t.procedure.decide_by == decide
    a = t.spec.articles
    assert (a.level1, a.level2, a.procedure) == articles


def test_province_decision_is_twenty_working_days(edition):
    assert "20 ngày làm việc" in edition.tiers["tinh"].procedure.decide_note


def test_district_reports_to_province_by_15_may(edition):
    assert edition.tiers["huyen"].procedure.report_to_parent_by == "05-15"


def test_hierarchy(edition):
    h = edition.spec.hierarchy
    assert h.tiers == ["xa", "huyen", "tinh"]
    assert h.parent == {"xa": "huyen", "huyen": "tinh", "tinh": None}
    assert edition.tiers["xa"].parent == "huyen"
    assert edition.tiers["huyen"].parent == "tinh"
    assert edition.tiers["tinh"].parent is None
    assert edition.tiers["tinh"].children == ["huyen"]
    assert edition.tiers["huyen"].children == ["xa"]
    assert edition.tiers["xa"].children == []


def test_settings_defaults(edition):
    s = edition.settings
    assert s.level2_counts_toward_level1 is True
    assert s.recognition_valid_years == 3
    assert s.upgrade_after_months == 12


def test_settings_defaults_without_settings_block(tmp_path):
    """The [open] points are settings whose documented default applies when an edition omits them."""
    data = yaml.safe_load(shipped_text())
    del data["settings"]
    path = write(tmp_path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    s = load_edition(path).settings
    assert (s.level2_counts_toward_level1, s.recognition_valid_years, s.upgrade_after_months) == (True, 3, 12)


def test_contributors(edition):
    inds = _all_indicators(edition)
    assert edition.spec.contributors
    codes = [c.code for c in edition.spec.contributors]
    assert len(codes) == len(set(codes))
    assert "so_vhtt" in codes
    for c in edition.spec.contributors:
        assert c.indicators, c.code
        for ind_id in c.indicators:
            assert ind_id in inds and inds[ind_id].tier.code == "tinh", (c.code, ind_id)
    for name, ids in CONTRIBUTORS_BY_NAME.items():
        match = [c for c in edition.spec.contributors if name in c.name]
        assert len(match) == 1, name
        assert set(match[0].indicators) == ids, name
    assert edition.contributor_of("tinh.3.4") == "so_vhtt"
    assert edition.contributor_of("xa.1.1") is None


def test_years_and_identity(edition):
    assert edition.id == "tt25-2023"
    assert edition.applies_to(2024) and edition.applies_to(2030) and not edition.applies_to(2023)
    assert "25/2023/TT-BGDĐT" in edition.spec.legal_basis


def test_as_dict_mirrors_the_edition(edition):
    d = edition.as_dict()
    assert list(d["tiers"]) == ["xa", "huyen", "tinh"]
    for code, t in d["tiers"].items():
        ids = [i["id"] for c in t["criteria"] for i in c["indicators"]]
        assert ids == [k for k in SPEC if k.startswith(code + ".")]
        for c in t["criteria"]:
            for i in c["indicators"]:
                assert i["text"] == _all_indicators(edition)[i["id"]].text
                assert _shape(i["level1"]) == SPEC[i["id"]][1]
                assert _shape(i["level2"]) == SPEC[i["id"]][2]
    assert d["tiers"]["xa"]["parent"] == "huyen"
    assert list(edition.as_dict("huyen")["tiers"]) == ["huyen"]


def test_all_catalogue_text_is_nfc():
    for p in shipped_editions():
        text = p.read_text(encoding="utf-8")
        assert text == unicodedata.normalize("NFC", text), p.name


# =============================================================================================
# The two-tier example edition
# =============================================================================================

def test_shipped_editions_all_load():
    names = [p.name for p in shipped_editions()]
    assert BASE in names and TWO_TIER in names
    for p in shipped_editions():
        ed, findings = check_edition(p)
        assert findings == [] and ed is not None, [f.text() for f in findings]


def test_two_tier_hierarchy(two_tier):
    assert two_tier.id == "tt25-2023-hai-cap"
    assert list(two_tier.tiers) == ["xa", "tinh"]
    assert "huyen" not in two_tier.spec.tiers
    assert two_tier.tiers["xa"].parent == "tinh"
    assert two_tier.tiers["tinh"].parent is None
    assert two_tier.tiers["tinh"].children == ["xa"]


def test_two_tier_province_counts_communes(two_tier):
    ind = two_tier.tiers["tinh"].indicator("tinh.4.1")
    assert ind.from_children.tier == "xa"
    for key in (ind.from_children.total, ind.from_children.level1, ind.from_children.level2):
        assert key in two_tier.tiers["tinh"].fields
    assert ind.rules[1].describe()["num"] == ind.from_children.level1
    assert ind.rules[2].describe()["num"] == ind.from_children.level2
    assert ind.rules[1].describe()["min_percent"] == ind.rules[2].describe()["min_percent"] == 90
    assert "số xã" in ind.text
    assert [c.describe() for c in ind.checks] == [
        {"kind": "not_above", "num": ind.from_children.level2, "den": ind.from_children.level1},
        {"kind": "not_above", "num": ind.from_children.level1, "den": ind.from_children.total}]
    # no field of the district share survives the override
    assert not any("huyen" in k for k in two_tier.tiers["tinh"].fields)


def test_two_tier_says_it_is_an_example(two_tier):
    assert "VÍ DỤ" in two_tier.tiers["tinh"].indicator("tinh.4.1").text
    assert "VÍ DỤ" in two_tier.spec.title


def test_two_tier_keeps_everything_else(edition, two_tier):
    base = _all_indicators(edition)
    for code in ("xa", "tinh"):
        for ind in two_tier.tiers[code].indicators:
            if ind.id == "tinh.4.1":
                continue
            assert ind.text == base[ind.id].text
            assert ind.rules[1].describe() == base[ind.id].rules[1].describe()
            assert ind.rules[2].describe() == base[ind.id].rules[2].describe()
    assert len(two_tier.tiers["xa"].indicators) == 15
    assert len(two_tier.tiers["tinh"].indicators) == 16
    # the commune dossier now goes to the province
    assert "Sở" in two_tier.tiers["xa"].procedure.dossier_to
    for c in two_tier.spec.contributors:
        for ind_id in c.indicators:
            assert ind_id in _all_indicators(two_tier)


# =============================================================================================
# The checker: broken editions never load, every problem reported with file and line
# =============================================================================================

def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def _only(findings, code) -> Finding:
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, [f.text() for f in findings]
    return hits[0]


def _assert_broken(path: Path, code: str, line: int | None, file: str | None = None,
                   only: bool = True) -> list[Finding]:
    """``path`` fails to load with ``code`` at ``file``:``line``; returns every finding."""
    edition, findings = check_edition(path)
    assert edition is None
    assert code in _codes(findings), [f.text() for f in findings]
    if only:
        assert set(_codes(findings)) == {code}, [f.text() for f in findings]
    hit = [f for f in findings if f.code == code and f.line == line]
    assert hit, f"{code} not at line {line}: {[(f.code, f.file, f.line) for f in findings]}"
    assert all(f.file == (file or path.name) for f in hit)
    with pytest.raises(CatalogueError) as exc:
        load_edition(path)
    assert code in _codes(exc.value.findings)
    assert code in str(exc.value)
    return findings


# One-line mutations of the default edition: (old, new) → code reported at that line.
XA_1_1_TEXT = ('text: "Thực hiện công tác tuyên truyền nâng cao nhận thức cho cộng đồng về học tập suốt '
               'đời, xây dựng xã hội học tập"')
ONE_LINE_CASES = {
    "C002-unknown-key": ("CDHT-C002", 'evidence: ["Quyết định công nhận đạt chuẩn xóa mù chữ"]',
                         'evidense: ["Quyết định công nhận đạt chuẩn xóa mù chữ"]'),
    "C002-unknown-top-key": ("CDHT-C002", "notes: >-", "ghi_chu: >-"),
    "C004-percent-not-number": ("CDHT-C004", "min_percent: 60, label:", 'min_percent: "sáu mươi", label:'),
    "C004-deadline-format": ("CDHT-C004", 'submit_by: "02-28"', 'submit_by: "28/02"'),
    "C004-setting-type": ("CDHT-C004", "recognition_valid_years: 3", "recognition_valid_years: ba"),
    "C004-setting-range": ("CDHT-C004", "recognition_valid_years: 3", "recognition_valid_years: 0"),
    "C004-field-type": ("CDHT-C004", '{key: xa_4_4, label: "Mức độ xóa mù chữ đạt được (0–2)", type: level',
                        '{key: xa_4_4, label: "Mức độ xóa mù chữ đạt được (0–2)", type: muc'),
    "C004-two-rule-kinds": ("CDHT-C004", "level1: {verdict: xa_1_1}",
                            "level1: {verdict: xa_1_1, answer_yes: {field: xa_1_1}}"),
    "C006-rule-field": ("CDHT-C006", "level1: {verdict: xa_1_1}", "level1: {verdict: xa_1_9}"),
    "C006-ratio-den": ("CDHT-C006", "den: tong_so_cong_dan, min_percent: 80",
                       "den: tong_so_dan, min_percent: 80"),
    "C006-check-field": ("CDHT-C006", "- {not_above: {num: xa_5_2_so_dai_hoc, den: xa_5_2_so_duoc_dao_tao}}",
                         "- {not_above: {num: xa_5_2_so_dai_hoc, den: xa_5_2_dao_tao}}"),
    "C007-percent-160": ("CDHT-C007", "min_percent: 80", "min_percent: 160"),
    "C007-percent-0": ("CDHT-C007", "min_percent: 60, label:", "min_percent: 0, label:"),
    "C007-level-above-field-max": ("CDHT-C007", "level2: {min_level: {field: xa_4_2, value: 3}}",
                                   "level2: {min_level: {field: xa_4_2, value: 4}}"),
    "C007-negative-count": ("CDHT-C007",
                            'level1: {min_count: {field: tinh_3_4_so_chuong_trinh, value: 4',
                            'level1: {min_count: {field: tinh_3_4_so_chuong_trinh, value: -4'),
    "C009-indicator-id": ("CDHT-C009", "- id: xa.1.1\n", "- id: xa.1.1a\n"),
    "C009-indicator-in-wrong-criterion": ("CDHT-C009", "- id: xa.1.3\n", "- id: xa.2.9\n"),
    "C009-criterion-id": ("CDHT-C009", "- id: huyen.3\n", "- id: huyen.III\n"),
    # the rules still read xa_3_3, now undeclared: C006 as well
    "C009-field-key": ("CDHT-C009", "{key: xa_3_3, label:", "{key: Xa-3-3, label:", {"CDHT-C006"}),
    "C011-level2-percent-below-level1": ("CDHT-C011", "min_percent: 80", "min_percent: 50"),
    "C011-level2-level-below-level1": ("CDHT-C011", "level2: {min_level: {field: xa_4_2, value: 3}}",
                                       "level2: {min_level: {field: xa_4_2, value: 1}}"),
    # a sub-rule of "all": reported at the level's key
    "C011-hardship-below": ("CDHT-C011", "min_percent: 15, hardship_percent: 12",
                            "min_percent: 15, hardship_percent: 9", set(), -3),
    "C013-contributor-indicator": ("CDHT-C013", "indicators: [tinh.4.2]", "indicators: [tinh.4.9]"),
    "C014-verdict-on-count": ("CDHT-C014", "level1: {verdict: xa_1_1}", "level1: {verdict: tong_so_cong_dan}"),
    "C014-level-on-verdict": ("CDHT-C014", "level1: {min_level: {field: xa_4_2, value: 2}}",
                              "level1: {min_level: {field: xa_1_1, value: 2}}"),
    "C014-ratio-on-yesno": ("CDHT-C014", "num: xa_5_1_so_cong_dan_hoc_tap, den: tong_so_cong_dan, min_percent: 80",
                            "num: vung_kho_khan, den: tong_so_cong_dan, min_percent: 80"),
    "C014-hardship-on-count": ("CDHT-C014", "min_percent: 15, hardship_percent: 12, hardship_field: vung_kho_khan",
                               "min_percent: 15, hardship_percent: 12, hardship_field: tong_so_cong_dan"),
    "C015-yaml-syntax": ("CDHT-C015", "  tiers: [xa, huyen, tinh]", "  tiers: [xa, huyen, tinh]]"),
}


@pytest.mark.parametrize("case", ONE_LINE_CASES)
def test_one_line_mutation_reported_at_its_line(tmp_path, case):
    code, old, new, *more = ONE_LINE_CASES[case]
    extra = more[0] if len(more) > 0 else set()
    offset = more[1] if len(more) > 1 else 0
    path, (line,) = mutate(tmp_path, (old, new))
    findings = _assert_broken(path, code, line + offset, only=not extra)
    assert set(_codes(findings)) == {code} | extra, [f.text() for f in findings]


def test_missing_required_key_reported_at_its_parent(tmp_path):
    # the line of xa.1.1's text becomes a comment: same line count, "text" missing
    path, _ = mutate(tmp_path, (XA_1_1_TEXT, "# (text removed)"))
    f = _assert_broken(path, "CDHT-C003", line_of(shipped_text(), "- id: xa.1.1\n"))
    assert "'text'" in _only(f, "CDHT-C003").message


def test_missing_required_top_key(tmp_path):
    old = 'legal_basis: "Thông tư số 25/2023/TT-BGDĐT'
    text = shipped_text()
    line = line_of(text, old)
    lines = text.splitlines(keepends=True)
    lines[line - 1] = "# legal basis removed\n"
    path = write(tmp_path, "".join(lines))
    # reported at the top mapping, which starts at its first key
    f = _assert_broken(path, "CDHT-C003", line_of(text, "edition: tt25-2023\n"))
    assert "legal_basis" in _only(f, "CDHT-C003").message


def test_duplicate_id_names_both_lines(tmp_path):
    path, (line,) = mutate(tmp_path, ("- id: xa.1.2\n", "- id: xa.1.1\n"))
    f = _only(_assert_broken(path, "CDHT-C005", line), "CDHT-C005")
    first = line_of(shipped_text(), "- id: xa.1.1\n")
    assert f.facts["other_line"] == first
    assert f"dòng {first}" in f.message and "xa.1.1" in f.message


def test_duplicate_field_key(tmp_path):
    path, (line,) = mutate(tmp_path, ('fields: [{key: xa_1_2, label:', 'fields: [{key: xa_1_1, label:'))
    # the duplicated key is reported; the rules of xa.1.2 now name an undeclared field too
    f = _assert_broken(path, "CDHT-C005", line, only=False)
    assert set(_codes(f)) == {"CDHT-C005", "CDHT-C006"}


def test_tier_missing_from_hierarchy(tmp_path):
    path, _ = mutate(tmp_path, ("  tiers: [xa, huyen, tinh]", "  tiers: [xa, huyen]"))
    tier_line = line_of(shipped_text(), "\n  tinh:\n") + 1
    f = _assert_broken(path, "CDHT-C008", tier_line, only=False)
    assert all("'tinh'" in x.message for x in f if x.code == "CDHT-C008")


def test_hierarchy_names_an_undeclared_tier(tmp_path):
    old = "  parent: {xa: huyen, huyen: tinh, tinh: null}"
    path, (line,) = mutate(tmp_path, (old, "  parent: {xa: huyen, huyen: tinh, tinh: quoc_gia}"))
    f = _assert_broken(path, "CDHT-C008", line, only=False)
    assert any("quoc_gia" in x.message for x in f if x.code == "CDHT-C008")


def test_from_children_of_unknown_tier(tmp_path):
    old = "from_children: {tier: xa, total: huyen_4_1_tong_so_xa"
    path, (line,) = mutate(tmp_path, (old, old.replace("tier: xa", "tier: thon")))
    _assert_broken(path, "CDHT-C008", line)


def test_hierarchy_with_two_tops(tmp_path):
    old = "  parent: {xa: huyen, huyen: tinh, tinh: null}"
    path, _ = mutate(tmp_path, (old, "  parent: {xa: huyen, huyen: null, tinh: null}"))
    f = _only(_assert_broken(path, "CDHT-C010", line_of(shipped_text(), "\nhierarchy:") + 1), "CDHT-C010")
    assert "huyen" in f.message and "tinh" in f.message


def test_hierarchy_with_a_cycle(tmp_path):
    old = "  parent: {xa: huyen, huyen: tinh, tinh: null}"
    path, (line,) = mutate(tmp_path, (old, "  parent: {xa: huyen, huyen: xa, tinh: null}"))
    f = _only(_assert_broken(path, "CDHT-C017", line), "CDHT-C017")
    assert "vòng lặp" in f.message


def test_yaml_syntax_error_not_a_mapping_and_missing_file(tmp_path):
    path = write(tmp_path, "- chỉ là một danh sách\n")
    ed, f = check_edition(path)
    assert ed is None and _codes(f) == ["CDHT-C016"] and f[0].file == BASE
    ed, f = check_edition(tmp_path / "khong-co.yaml")
    assert ed is None and _codes(f) == ["CDHT-C001"] and f[0].file == "khong-co.yaml"
    with pytest.raises(CatalogueError):
        load_edition(tmp_path / "khong-co.yaml")


def test_invalid_calendar_deadline(tmp_path):
    path, (line,) = mutate(tmp_path, ('submit_by: "04-30"', 'submit_by: "02-30"'))
    _assert_broken(path, "CDHT-C004", line)


# --- editions built on a base ---------------------------------------------------------------

def test_base_file_missing(tmp_path):
    path, _ = mutate(tmp_path, name=TWO_TIER, with_base=False)
    _assert_broken(path, "CDHT-C012", line_of(shipped_text(TWO_TIER), "base: tt25-2023.yaml"))


def test_base_file_named_wrongly(tmp_path):
    path, (line,) = mutate(tmp_path, ("base: tt25-2023.yaml", "base: tt25-2024.yaml"), name=TWO_TIER)
    f = _only(_assert_broken(path, "CDHT-C012", line), "CDHT-C012")
    assert "tt25-2024.yaml" in f.message


def test_override_of_unknown_indicator(tmp_path):
    path, (line,) = mutate(tmp_path, ("  tinh.4.1:\n", "  tinh.9.1:\n"), name=TWO_TIER)
    f = _assert_broken(path, "CDHT-C013", line, only=False)
    assert "tinh.9.1" in _only(f, "CDHT-C013").message
    # tinh.4.1, no longer overridden, still counts districts: a tier this edition lacks
    assert set(_codes(f)) == {"CDHT-C013", "CDHT-C008"}


def test_error_in_override_reported_in_the_overriding_file(tmp_path):
    old = 'min_percent: 90, label: "Tỷ lệ xã được công nhận mức độ 2"'
    path, (line,) = mutate(tmp_path, (old, old.replace("90", "160")), name=TWO_TIER)
    _assert_broken(path, "CDHT-C007", line, file=TWO_TIER)


def test_error_in_base_reported_in_the_base_file(tmp_path):
    base_path, (line,) = mutate(tmp_path, ("level1: {verdict: xa_1_1}", "level1: {verdict: xa_1_9}"))
    two_tier = tmp_path / TWO_TIER
    two_tier.write_text(shipped_text(TWO_TIER), encoding="utf-8")
    _assert_broken(two_tier, "CDHT-C006", line, file=BASE)


def test_two_tier_still_naming_district_fails(tmp_path):
    """Dropping the override leaves tinh.4.1 counting districts, a tier the two-tier edition lacks."""
    text = shipped_text(TWO_TIER)
    path = write(tmp_path, text[: text.index("overrides:")], name=TWO_TIER)
    (tmp_path / BASE).write_text(shipped_text(BASE), encoding="utf-8")
    ed, f = check_edition(path)
    assert ed is None and "CDHT-C008" in _codes(f)


# --- every problem, never a half-loaded edition -----------------------------------------------

def test_all_semantic_problems_reported(tmp_path):
    path, (l1, l2, l3) = mutate(tmp_path,
                                ("level1: {verdict: xa_1_1}", "level1: {verdict: xa_1_9}"),
                                ("min_percent: 80", "min_percent: 160"),
                                ("  parent: {xa: huyen, huyen: tinh, tinh: null}",
                                 "  parent: {xa: huyen, huyen: xa, tinh: null}"))
    ed, f = check_edition(path)
    assert ed is None
    assert sorted((x.code, x.line) for x in f) == [("CDHT-C006", l1), ("CDHT-C007", l2), ("CDHT-C017", l3)]
    with pytest.raises(CatalogueError) as exc:
        load_edition(path)
    assert {"CDHT-C006", "CDHT-C007", "CDHT-C017"} <= set(_codes(exc.value.findings))


def test_all_structural_problems_reported(tmp_path):
    path, (l1, l2) = mutate(tmp_path,
                            ('evidence: ["Quyết định công nhận đạt chuẩn xóa mù chữ"]',
                             'evidense: ["Quyết định công nhận đạt chuẩn xóa mù chữ"]'),
                            ("min_percent: 60, label:", 'min_percent: "sáu mươi", label:'))
    ed, f = check_edition(path)
    assert ed is None
    assert sorted((x.code, x.line) for x in f) == [("CDHT-C002", l1), ("CDHT-C004", l2)]


def test_broken_edition_is_not_cached_as_good(tmp_path):
    path, _ = mutate(tmp_path, ("min_percent: 80", "min_percent: 160"))
    for _ in range(2):
        with pytest.raises(CatalogueError):
            load_edition(path)


def test_default_edition_is_the_circular():
    assert DEFAULT_EDITION.name == BASE
    assert load_edition() is load_edition(DEFAULT_EDITION)


# --- messages -----------------------------------------------------------------------------

def _assert_vietnamese(s: str):
    assert VIETNAMESE.search(s), s
    assert s == unicodedata.normalize("NFC", s), s


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_message_catalogue_is_vietnamese(code):
    severity, what, fix = MESSAGES[code]
    _assert_vietnamese(what)
    _assert_vietnamese(fix)
    _assert_vietnamese(severity)
    assert re.fullmatch(r"CDHT-[CTWEMAKPDR]\d{3}", code)


def test_every_catalogue_code_is_exercised():
    """Each checker code has a broken-edition test above."""
    tested = {c[0] for c in ONE_LINE_CASES.values()} | {"CDHT-C001", "CDHT-C003", "CDHT-C005", "CDHT-C008",
                                                           "CDHT-C010", "CDHT-C012", "CDHT-C013",
                                                           "CDHT-C016", "CDHT-C017"}
    assert tested == {c for c in MESSAGES if c.startswith("CDHT-C")}


@pytest.mark.parametrize("case", ONE_LINE_CASES)
def test_findings_are_vietnamese_and_nfc(tmp_path, case):
    code, old, new, *_ = ONE_LINE_CASES[case]
    path, _ = mutate(tmp_path, (old, new))
    _, findings = check_edition(path)
    assert findings
    for f in findings:
        _assert_vietnamese(f.message)
        _assert_vietnamese(f.fix)
        _assert_vietnamese(f.text())
        assert f.code in f.text() and f"{f.file}:{f.line}" in f.text()
        assert "?" not in f.message.replace("'?'", ""), f.message  # every fact of the template given


def test_findings_from_nfd_input_are_nfc(tmp_path):
    """An edition typed with combining marks (NFD) still yields NFC messages and NFC text."""
    text, _ = substitute(shipped_text(), ("level1: {verdict: xa_1_1}", "level1: {verdict: xa_1_9}"))
    path = write(tmp_path, unicodedata.normalize("NFD", text))
    ed, f = check_edition(path)
    assert _codes(f) == ["CDHT-C006"]
    _assert_vietnamese(f[0].message)
    ok_dir = tmp_path / "ok"
    ok_dir.mkdir()
    ed = load_edition(write(ok_dir, unicodedata.normalize("NFD", shipped_text())))
    assert ed.tiers["xa"].indicator("xa.1.1").text == SPEC["xa.1.1"][0]
    assert ed.tiers["xa"].criteria[0].name == CRITERIA["xa"][0]
