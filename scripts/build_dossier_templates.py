"""Build the dossier's Word outlines (cdht/dossier/templates/*.docx) with python-docx.

Run ``python3 scripts/build_dossier_templates.py`` after changing this file and commit the
generated files: the package ships them and ``cdht dossier`` fills them (docxtpl placeholders
``{{ … }}``, ``{%p … %}`` paragraph tags and ``{%tr … %}`` table-row tags). The output is
reproducible byte for byte (fixed zip timestamps), so a test can tell a stale template.

The format follows Nghị định 30/2020/NĐ-CP (cdht/dossier/style.py holds the figures): national
heading and motto, issuing body, number and symbol, place and date, document type and subject,
recipients ("Nơi nhận:") and the signing authority; Times New Roman, A4, the decree's margins.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cdht.dossier import TEMPLATES, TEMPLATES_DIR  # noqa: E402
from cdht.dossier import style as S  # noqa: E402

CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT,
                                WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY)
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


# --- the page and the base style -------------------------------------------------------------

def _font(run_or_style, size=None, bold=None, italic=None):
    f = run_or_style.font
    f.name = S.FONT
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), S.FONT)
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic


def _page_number_header(section) -> None:
    """Page numbers from page 2, centred in the top margin (page 1 has an empty header)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "2"
    r.append(t)
    fld.append(r)
    p._p.append(fld)


def new_document(landscape: bool = False) -> Document:
    """A4 (landscape for the wide summary tables), the decree's margins, Times New Roman."""
    doc = Document()
    sec = doc.sections[0]
    w, h = S.PAGE_MM if not landscape else S.PAGE_MM[::-1]
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(w), Mm(h)
    sec.top_margin, sec.bottom_margin = Mm(S.MARGINS_MM["top"]), Mm(S.MARGINS_MM["bottom"])
    sec.left_margin, sec.right_margin = Mm(S.MARGINS_MM["left"]), Mm(S.MARGINS_MM["right"])
    sec.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    _font(normal, size=S.BODY_PT)
    pf = normal.paragraph_format
    pf.alignment = JUSTIFY
    pf.first_line_indent = Cm(S.FIRST_LINE_INDENT_CM)
    pf.space_before, pf.space_after = Pt(0), Pt(S.SPACE_AFTER_PT)
    pf.line_spacing = S.LINE_SPACING
    _page_number_header(sec)
    core = doc.core_properties
    core.author, core.last_modified_by, core.title = "cdht", "cdht", "Hồ sơ Cộng đồng học tập"
    return doc


def para(where, text: str = "", *, bold=False, italic=False, size=None, align=None, indent=True,
         after=None, keep=False):
    """A paragraph in a document or a table cell (a cell's first, empty paragraph is reused)."""
    if hasattr(where, "paragraphs") and not hasattr(where, "sections") and len(where.paragraphs) == 1 \
            and not where.paragraphs[0].text and not getattr(where, "_used", False):
        p = where.paragraphs[0]
        where._used = True
    else:
        p = where.add_paragraph()
    if text:
        _font(p.add_run(text), size=size, bold=bold, italic=italic)
    pf = p.paragraph_format
    if align is not None:
        p.alignment = align
    if not indent:
        pf.first_line_indent = Cm(0)
    if after is not None:
        pf.space_after = Pt(after)
    if keep:
        pf.keep_with_next = True
    return p


def tag(where, text: str):
    """A control paragraph (``{%p … %}``): docxtpl removes the paragraph itself when rendering."""
    return para(where, text, indent=False, after=0)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.append(borders)


def _widths(table, mm: list[float]) -> None:
    """Column widths in the grid (what LibreOffice reads) and in every cell (what Word reads)."""
    table.autofit = False
    for col, w in zip(table.columns, mm):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, mm):
            cell.width = Mm(w)


def text_width_mm(doc) -> float:
    sec = doc.sections[0]
    return (sec.page_width - sec.left_margin - sec.right_margin) / Mm(1)


def two_columns(doc, left_mm: float):
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    _widths(t, [left_mm, text_width_mm(doc) - left_mm])
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a block never breaks across pages
    return t.rows[0].cells


# --- the blocks of Nghị định 30 ----------------------------------------------------------------

def heading(doc) -> None:
    """Issuing body (left) and national heading (right); number and symbol; place and date."""
    left, right = two_columns(doc, round(text_width_mm(doc) * 0.38))
    tag(left, "{%p if co_quan_chu_quan %}")
    para(left, "{{ co_quan_chu_quan }}", size=S.HEADING_PT, align=CENTER, indent=False, after=0)
    tag(left, "{%p endif %}")
    para(left, "{{ co_quan }}", bold=True, size=S.HEADING_PT, align=CENTER, indent=False, after=0)
    para(left, "────────", size=S.HEADING_PT, align=CENTER, indent=False, after=6)
    para(left, "Số:        /{{ ky_hieu }}", size=S.HEADING_PT, align=CENTER, indent=False, after=0)
    para(right, S.NATIONAL_NAME, bold=True, size=S.HEADING_PT, align=CENTER, indent=False, after=0)
    para(right, S.MOTTO, bold=True, size=S.MOTTO_PT, align=CENTER, indent=False, after=0)
    para(right, "────────────────", size=S.HEADING_PT, align=CENTER, indent=False, after=6)
    para(right, "{{ dia_danh }}, {{ ngay_thang }}", italic=True, size=S.MOTTO_PT, align=CENTER,
         indent=False, after=0)
    para(doc, "", after=6)


def title(doc, kind: str | None, subject: str) -> None:
    if kind:
        para(doc, kind, bold=True, align=CENTER, indent=False, after=0, keep=True)
    para(doc, subject, bold=True, align=CENTER, indent=False, after=12, keep=True)


def addressee(doc) -> None:
    para(doc, "Kính gửi: {{ kinh_gui }}", align=CENTER, indent=False, after=12)


def signature(doc) -> None:
    """Recipients (bottom left) and the signing authority (right)."""
    para(doc, "", after=0)
    left, right = two_columns(doc, round(text_width_mm(doc) * 0.48))
    para(left, "Nơi nhận:", bold=True, italic=True, size=S.RECIPIENTS_TITLE_PT, align=LEFT,
         indent=False, after=0)
    tag(left, "{%p for n in noi_nhan %}")
    para(left, "- {{ n }}", size=S.RECIPIENTS_PT, align=LEFT, indent=False, after=0)
    tag(left, "{%p endfor %}")
    tag(right, "{%p if tham_quyen %}")
    para(right, "{{ tham_quyen }}", bold=True, size=S.BODY_PT, align=CENTER, indent=False, after=0)
    tag(right, "{%p endif %}")
    para(right, "{{ chuc_vu }}", bold=True, size=S.BODY_PT, align=CENTER, indent=False, after=0)
    para(right, "(Ký, ghi rõ họ tên và đóng dấu)", italic=True, size=S.RECIPIENTS_TITLE_PT,
         align=CENTER, indent=False, after=0)
    for _ in range(3):
        para(right, "", indent=False, after=0)
    para(right, "{{ nguoi_ky }}", bold=True, size=S.BODY_PT, align=CENTER, indent=False, after=0)
    # A paragraph must follow a table; a 1-pt one, so a document ending here gets no blank last page.
    end = para(doc, "", indent=False, after=0)
    end.paragraph_format.line_spacing = Pt(1)
    _font(end.add_run(""), size=1)


def table(doc, headers: list[str], cells: list[str], widths_mm: list[float], loop: str, end="{%tr endfor %}"):
    """A bordered table: a header row, then one row repeated by ``loop`` (docxtpl ``{%tr``)."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, widths_mm)
    for c, h in zip(t.rows[0].cells, headers):
        para(c, h, bold=True, size=S.TABLE_PT, align=CENTER, indent=False, after=0)
    t.rows[1].cells[0].paragraphs[0].add_run(loop)
    for c, text in zip(t.rows[2].cells, cells):
        para(c, text, size=S.TABLE_PT, align=LEFT, indent=False, after=0)
    t.rows[3].cells[0].paragraphs[0].add_run(end)
    # the header row repeats on every page
    trpr = t.rows[0]._tr.get_or_add_trPr()
    h = OxmlElement("w:tblHeader")
    trpr.append(h)
    return t


# --- the documents -------------------------------------------------------------------------------

def to_trinh() -> Document:
    doc = new_document()
    heading(doc)
    title(doc, "TỜ TRÌNH", "Về việc đề nghị công nhận {{ don_vi }} đạt \"Cộng đồng học tập\" {{ cap }} "
                           "mức độ {{ muc_do_de_nghi }} năm {{ nam }}")
    addressee(doc)
    para(doc, "Căn cứ {{ van_ban_phap_ly }};")
    para(doc, "Căn cứ kết quả tự đánh giá \"Cộng đồng học tập\" {{ cap }} năm {{ nam }} của {{ don_vi }} "
              "(số liệu tính từ ngày 01/01/{{ nam }} đến ngày 31/12/{{ nam }}),")
    para(doc, "{{ co_quan_ten }} kính trình {{ kinh_gui }} xem xét, công nhận {{ don_vi }} đạt "
              "\"Cộng đồng học tập\" {{ cap }} mức độ {{ muc_do_de_nghi }} năm {{ nam }}.")
    para(doc, "Kết quả tự đánh giá: {{ so_chi_tieu_dat }}/{{ so_chi_tieu }} chỉ tiêu đạt yêu cầu mức độ "
              "{{ muc_do_de_nghi }}; {{ so_tieu_chi }}/{{ so_tieu_chi }} tiêu chí đạt ({{ dieu_khoan }}). "
              "Kết quả chung: {{ ket_qua }}.")
    para(doc, "Kết quả từng chỉ tiêu ở mức độ {{ muc_do_de_nghi }}: {{ ket_qua_chi_tieu }}.")
    para(doc, "Hồ sơ kèm theo gồm:")
    tag(doc, "{%p for h in ho_so_kem_theo %}")
    para(doc, "- {{ h }};")
    tag(doc, "{%p endfor %}")
    para(doc, "Kính trình {{ kinh_gui }} xem xét, quyết định./.")
    signature(doc)
    return doc


def bao_cao() -> Document:
    """The outline of the self-assessment report (đề cương báo cáo) the Sở issues each year."""
    doc = new_document()
    heading(doc)
    title(doc, "BÁO CÁO", "Kết quả tự đánh giá \"Cộng đồng học tập\" {{ cap }} năm {{ nam }}")
    addressee(doc)
    para(doc, "Căn cứ {{ van_ban_phap_ly }}, {{ co_quan_ten }} báo cáo kết quả tự đánh giá "
              "\"Cộng đồng học tập\" {{ cap }} năm {{ nam }} như sau:")
    para(doc, "I. THÔNG TIN CHUNG", bold=True, keep=True)
    para(doc, "1. Tên đơn vị: {{ ten_don_vi }} (mã {{ ma_don_vi }}).")
    para(doc, "2. Năm đánh giá: {{ nam }}; số liệu tính từ ngày 01/01/{{ nam }} đến ngày 31/12/{{ nam }}.")
    tag(doc, "{%p for t in thong_tin_don_vi %}")
    para(doc, "- {{ t }}.")
    tag(doc, "{%p endfor %}")
    para(doc, "3. Người lập: {{ nguoi_lap }}.")
    para(doc, "II. KẾT QUẢ TỰ ĐÁNH GIÁ THEO TIÊU CHÍ, CHỈ TIÊU", bold=True, keep=True)
    tag(doc, "{%p for c in tieu_chi %}")
    para(doc, "{{ c.ten }}", bold=True, keep=True)
    tag(doc, "{%p for i in c.chi_tieu %}")
    para(doc, "Chỉ tiêu {{ i.so }} ({{ i.ma }}): {{ i.noi_dung }}", italic=True, keep=True)
    para(doc, "- Yêu cầu: mức độ 1: {{ i.yeu_cau_1 }}; mức độ 2: {{ i.yeu_cau_2 }}.")
    para(doc, "- Số liệu: {{ i.so_lieu }}.")
    tag(doc, "{%p if i.ty_le %}")
    para(doc, "- Tỷ lệ tính được: {{ i.ty_le }}.")
    tag(doc, "{%p endif %}")
    para(doc, "- Kết quả: mức độ 1: {{ i.ket_qua_1 }}; mức độ 2: {{ i.ket_qua_2 }}.{{ i.ly_do }}")
    para(doc, "- Minh chứng:", keep=True)
    tag(doc, "{%p for g in i.minh_chung_theo_muc_do %}")
    tag(doc, "{%p if g.tieu_de %}")
    para(doc, "{{ g.tieu_de }}:", italic=True, keep=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for m in g.dong %}")
    para(doc, "+ {{ m }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "Kết luận tiêu chí: mức độ 1: {{ c.ket_qua_1 }}; mức độ 2: {{ c.ket_qua_2 }}.", bold=True)
    tag(doc, "{%p endfor %}")
    para(doc, "III. KẾT LUẬN VÀ ĐỀ NGHỊ", bold=True, keep=True)
    para(doc, "Số chỉ tiêu đạt: mức độ 1: {{ so_dat_1 }}/{{ so_chi_tieu }}; mức độ 2: "
              "{{ so_dat_2 }}/{{ so_chi_tieu }}. Kết quả tự đánh giá: {{ ket_qua }}.")
    para(doc, "{{ de_nghi }}")
    signature(doc)
    return doc


def tong_hop() -> Document:
    doc = new_document(landscape=True)
    heading(doc)
    title(doc, "BẢN TỔNG HỢP", "Kết quả đánh giá các tiêu chí, chỉ tiêu \"Cộng đồng học tập\" {{ cap }} "
                               "năm {{ nam }} của {{ ten_don_vi }}")
    table(doc, ["Mã", "Tiêu chí, chỉ tiêu", "Yêu cầu mức độ 1", "Yêu cầu mức độ 2", "Số liệu, tỷ lệ",
                "Mức độ 1", "Mức độ 2"],
          ["{{ r.ma }}", "{{ r.noi_dung }}", "{{ r.yeu_cau_1 }}", "{{ r.yeu_cau_2 }}", "{{ r.so_lieu }}",
           "{{ r.ket_qua_1 }}", "{{ r.ket_qua_2 }}"],
          [20, 92, 30, 30, 40, 20, 20], "{%tr for r in dong_tong_hop %}")
    para(doc, "", after=0)
    para(doc, "Kết quả tự đánh giá: {{ ket_qua }}.", bold=True)
    signature(doc)
    return doc


def tham_dinh() -> Document:
    doc = new_document(landscape=True)
    heading(doc)
    title(doc, "BẢN TỔNG HỢP", "Kết quả đánh giá các tiêu chí, chỉ tiêu do Hội đồng thẩm định: "
                               "{{ don_vi }}, năm {{ nam }}, đề nghị mức độ {{ muc_do_xet }}")
    para(doc, "Căn cứ {{ van_ban_phap_ly }}; {{ hoi_dong }} đã thẩm định hồ sơ đề nghị công nhận "
              "\"Cộng đồng học tập\" {{ cap }} năm {{ nam }} của {{ don_vi }}. Kết quả theo từng chỉ tiêu:")
    table(doc, ["Mã", "Chỉ tiêu", "Đơn vị tự đánh giá", "Hội đồng kết luận", "Lý do không đạt"],
          ["{{ r.ma }}", "{{ r.noi_dung }}", "{{ r.tu_danh_gia }}", "{{ r.hoi_dong }}", "{{ r.ly_do }}"],
          [20, 100, 30, 30, 72], "{%tr for r in dong_tham_dinh %}")
    para(doc, "", after=0)
    para(doc, "Kết luận của Hội đồng: {{ ket_luan_hoi_dong }}.", bold=True)
    signature(doc)
    return doc


def thong_bao() -> Document:
    doc = new_document()
    heading(doc)
    title(doc, "THÔNG BÁO", "Kết quả thẩm định hồ sơ đề nghị công nhận \"Cộng đồng học tập\" {{ cap }} "
                            "năm {{ nam }} của {{ don_vi }}")
    addressee(doc)
    para(doc, "Căn cứ {{ van_ban_phap_ly }}; căn cứ kết quả thẩm định của {{ hoi_dong }}, {{ co_quan_ten }} "
              "thông báo: hồ sơ đề nghị công nhận {{ don_vi }} đạt \"Cộng đồng học tập\" {{ cap }} mức độ "
              "{{ muc_do_xet }} năm {{ nam }} chưa đủ điều kiện công nhận, vì các chỉ tiêu sau không đạt:")
    tag(doc, "{%p for r in khong_dat %}")
    para(doc, "- Chỉ tiêu {{ r.ma }} ({{ r.noi_dung }}): {{ r.ly_do }}.")
    tag(doc, "{%p endfor %}")
    para(doc, "Đề nghị {{ don_vi }} khắc phục các nội dung trên; khi đáp ứng đủ các tiêu chí, đơn vị lập "
              "hồ sơ đề nghị công nhận theo quy định./.")
    signature(doc)
    return doc


def quyet_dinh() -> Document:
    doc = new_document()
    heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc công nhận đơn vị đạt \"Cộng đồng học tập\" {{ cap_duoi }} năm {{ nam }}")
    para(doc, "{{ tham_quyen_ban_hanh }}", bold=True, align=CENTER, indent=False, after=12)
    tag(doc, "{%p for c in can_cu %}")
    para(doc, "{{ c }}", italic=True)
    tag(doc, "{%p endfor %}")
    para(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTER, indent=False, after=12)
    para(doc, "Điều 1. Công nhận {{ so_don_vi }} đơn vị đạt \"Cộng đồng học tập\" {{ cap_duoi }} năm {{ nam }} "
              "(có danh sách kèm theo), trong đó: {{ theo_muc_do }}.")
    para(doc, "Điều 2. Kết quả công nhận được bảo lưu trong thời hạn 3 năm (36 tháng) tiếp theo năm được "
              "công nhận.")
    para(doc, "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. {{ thi_hanh }} chịu trách nhiệm thi hành "
              "Quyết định này./.")
    signature(doc)
    # the annex: the list of units reaching each level
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    para(doc, "DANH SÁCH ĐƠN VỊ ĐẠT \"CỘNG ĐỒNG HỌC TẬP\" {{ cap_duoi_hoa }} NĂM {{ nam }}", bold=True,
         align=CENTER, indent=False, after=0)
    para(doc, "(Kèm theo Quyết định số        /{{ ky_hieu }} ngày     tháng     năm {{ nam_quyet_dinh }} "
              "của {{ nguoi_quyet_dinh }})", italic=True, align=CENTER, indent=False,
         after=12)
    tag(doc, "{%p for g in phu_luc %}")
    para(doc, "{{ g.tieu_de }}", bold=True, indent=False, keep=True)
    table(doc, ["STT", "Mã đơn vị", "Tên đơn vị", "Mức độ"],
          ["{{ u.stt }}", "{{ u.ma }}", "{{ u.ten }}", "{{ u.muc_do }}"],
          [15, 35, 90, 25], "{%tr for u in g.don_vi %}")
    para(doc, "", after=6)
    tag(doc, "{%p endfor %}")
    return doc


BUILDERS = {"to_trinh": to_trinh, "bao_cao": bao_cao, "tong_hop": tong_hop, "tham_dinh": tham_dinh,
            "thong_bao": thong_bao, "quyet_dinh": quyet_dinh}
assert set(BUILDERS) == set(TEMPLATES)


def _reproducible(data: bytes) -> bytes:
    """The same zip with fixed member timestamps and order: a rebuild gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def build(out_dir: Path = TEMPLATES_DIR) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in TEMPLATES.items():
        doc = BUILDERS[kind]()
        buf = io.BytesIO()
        doc.save(buf)
        path = out_dir / name
        path.write_bytes(_reproducible(buf.getvalue()))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES_DIR):
        print(p)
