"""The "Hướng dẫn" sheet: how to fill the template (or a department's data form), printable."""
from __future__ import annotations

from cdht import __version__
from cdht import contract as L
from cdht import rules as R
from cdht_generator.builder import deadline_text
from cdht_generator.styles import BOLD, TITLE

_DO_NOT_EDIT = ("Không sửa, xóa hay đổi tên trang, ô công thức: phần mềm kiểm tra dấu vân tay biểu mẫu và sẽ "
                "trả lại {what} bị sửa.")


def write(book, ws) -> None:
    """Fill the template's guide sheet ``ws`` (created first, so that it is the first tab)."""
    e, t, year, proc = book.edition, book.tier, book.year, book.procedure
    lines = [
        (f"HƯỚNG DẪN — BIỂU MẪU TỰ ĐÁNH GIÁ \"CỘNG ĐỒNG HỌC TẬP\" {t.name.upper()} NĂM {year}", TITLE),
        (f"Căn cứ: {e.spec.legal_basis}. {t.spec.articles.level1} (mức độ 1), {t.spec.articles.level2} "
         f"(mức độ 2), {t.spec.articles.procedure} (trình tự, hồ sơ).", None),
        (f"Bộ tiêu chí: {e.id} (phiên bản {e.spec.version}). {e.spec.notes or ''}", None),
        ("Cách điền", BOLD),
        (f"1. Trang '{L.SHEET_UNIT}': kiểm tra mã, tên đơn vị; nhập các ô màu vàng.", None),
        (f"2. Trang '{L.SHEET_SELF}': với mỗi chỉ tiêu, chọn Đạt / Không đạt hoặc nhập số liệu vào ô màu vàng. "
         "Cột Mức độ 1, Mức độ 2 và ô Kết quả tự tính.", None),
        (f"3. Trang '{L.SHEET_EVIDENCE}': mỗi văn bản minh chứng một dòng, ghi mã chỉ tiêu ở cột Chỉ tiêu. "
         "Chỉ tiêu đạt phải có ít nhất một minh chứng: khi chưa có, trang "
         f"'{L.SHEET_SELF}' ghi \"{R.DAT_NO_EVIDENCE}\" và tô cam ô Số minh chứng của chỉ tiêu đó "
         "(mức độ không đổi, nhưng chưa nộp hồ sơ được).", None),
        (f"4. Trang '{L.SHEET_APPRAISAL}': dành cho Hội đồng thẩm định.", None),
        (f"5. Trang '{L.SHEET_SUMMARY}': in, ký, đóng dấu; ghi mã niêm phong bên cạnh chữ ký.", None),
        (f"Hồ sơ gửi {proc.dossier_to} trước ngày {deadline_text(proc.submit_by, year)}. "
         f"Thẩm định: {proc.appraised_by}. Quyết định: {proc.decided_by}.", None),
        ("Chú giải màu", BOLD),
        ("Vàng: ô cần nhập. Vàng đậm: ô bắt buộc còn trống. Đỏ nhạt: không đạt. Xanh: đạt. "
         "Cam: chỉ tiêu đạt nhưng chưa có minh chứng.", None),
        (_DO_NOT_EDIT.format(what="hồ sơ"), None),
        (f"Phiên bản phần mềm tạo biểu mẫu: cdht {__version__}.", None),
    ]
    book.text_sheet(ws, lines)


def write_form(book, ws, tier, con, indicators, data_sheet: str, deadline: str) -> None:
    """Fill the guide sheet ``ws`` of department ``con``'s data form (``tier``: the province tier)."""
    e = book.edition
    ids = ", ".join(i.id for i in indicators)
    lines = [
        (f"HƯỚNG DẪN — PHIẾU SỐ LIỆU \"CỘNG ĐỒNG HỌC TẬP\" CẤP TỈNH NĂM {book.year}", TITLE),
        (f"Đơn vị cung cấp: {con.name} (mã {con.code}). Chỉ tiêu: {ids}.", BOLD),
        (f"Căn cứ: {e.spec.legal_basis}. {tier.spec.articles.level1} (mức độ 1), {tier.spec.articles.level2} "
         f"(mức độ 2). Bộ tiêu chí: {e.id} (phiên bản {e.spec.version}).", None),
        ("Cách điền", BOLD),
        (f"1. Trang '{data_sheet}': nhập số liệu hoặc chọn Đạt / Không đạt vào ô màu vàng; "
         "ghi họ tên, chức vụ người ký và ngày ký.", None),
        (f"2. Trang '{L.SHEET_EVIDENCE}': mỗi văn bản minh chứng một dòng, ghi mã chỉ tiêu ở cột Chỉ tiêu.", None),
        (f"3. Gửi lại tệp này cho Sở Giáo dục và Đào tạo trước ngày {deadline}; "
         "số liệu được chuyển vào hồ sơ tự đánh giá cấp tỉnh theo tên ô.", None),
        (_DO_NOT_EDIT.format(what="phiếu"), None),
    ]
    book.text_sheet(ws, lines)
