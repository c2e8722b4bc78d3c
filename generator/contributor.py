"""The data form of one contributing department (spec §6: province figures come from other Sở/ngành).

A small locked workbook built from the same blocks as the templates (:class:`cdht_generator.workbook._Builder`):
"Hướng dẫn", "Số liệu" (only the department's indicators, their inputs named exactly like the
province workbook's inputs, with the same data validation), "Minh chứng" (the same register),
"Kết quả kiểm tra", the hidden list sheet and the very hidden ``_meta`` — which carries the province
identity keys plus ``contributor``. The filled form goes back to the Sở GD&ĐT, where
``cdht.ops.contributions`` copies its values and evidence into the province workbook by name.

The form's fingerprint is the province tier's, plus the signer cells (``nguoi_ky``, ``chuc_vu``,
``ngay_ky``): :func:`form_tier` wraps the tier so that those cells are outside it, like inputs.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection

from cdht import contract as L
from cdht_generator.api import GenerateError, save_atomic
from cdht.edition import Contributor, Edition, FieldSpec, Tier
from cdht_generator.lint import lint
from cdht.messages import finding
from cdht_generator.workbook import BOLD, DEFAULT_PASSWORD, THIN, TITLE, WRAP, _Builder, _deadline, file_name, indicator_formula

TIER = "tinh"                 # contributing departments supply province (cấp tỉnh) indicators
SHEET_DATA = "Số liệu"
META_CONTRIBUTOR = "contributor"
N_SIGNER = "nguoi_ky"
N_SIGNER_TITLE = "chuc_vu"
N_SIGNED_ON = "ngay_ky"
SIGNER_NAMES = (N_SIGNER, N_SIGNER_TITLE, N_SIGNED_ON)
FORM_DEADLINE = "04-30"       # mm-dd of year N+1: the department returns its form by 30/04 N+1


def form_suffix(code: str) -> str:
    return f"dong-gop-{code}"


def form_template_id(edition: Edition, year: int, code: str) -> str:
    return f"cdht:{edition.id}:{TIER}:{year}:{form_suffix(code)}"


def form_file_name(edition: Edition, year: int, code: str) -> str:
    """``CDHT_<year>_tinh_dong-gop-<code>.xlsx`` (same suffix rule as the templates for other editions)."""
    return file_name(edition, TIER, year, SimpleNamespace(code=form_suffix(code)))


class _FormTier:
    """The province tier, seen by the fingerprint: its inputs plus the form's signer cells."""

    def __init__(self, tier: Tier):
        self._tier = tier
        self.fields = {**tier.fields, **{k: FieldSpec(key=k, label=k, type="number", required=False)
                                         for k in SIGNER_NAMES}}

    def __getattr__(self, name):
        return getattr(self._tier, name)


_FORM_TIERS: dict[int, tuple[Tier, _FormTier]] = {}  # kept alive: the fingerprint caches by id()


def form_tier(tier: Tier) -> _FormTier:
    """The wrapper to fingerprint a form with (``openpyxl_items`` / ``cdht.xlsx.fastread.raw_items``)."""
    hit = _FORM_TIERS.get(id(tier))
    if hit is None or hit[0] is not tier:
        hit = _FORM_TIERS[id(tier)] = (tier, _FormTier(tier))
    return hit[1]


def known_codes(edition: Edition) -> str:
    return ", ".join(c.code for c in edition.spec.contributors)


def contributor_or_error(edition: Edition, code: str) -> Contributor:
    con = edition.contributor(code)
    if con is None:
        raise GenerateError([finding("CDHT-K001", contributor=code, known=known_codes(edition))])
    return con


class _FormBuilder(_Builder):
    def __init__(self, edition: Edition, year: int, con: Contributor, password: str):
        tier = edition.tier(TIER)
        super().__init__(edition, form_tier(tier), year, None, None, password)
        self.tier = tier
        self.con = con
        self.indicators = [tier.indicator(i) for i in con.indicators]

    def build(self) -> Workbook:
        self.lists()
        guide = self.wb.create_sheet(L.SHEET_GUIDE, 0)
        self.data_sheet()
        self.evidence()
        ev = self.wb[L.SHEET_EVIDENCE]
        ids = [i.id for i in self.indicators]
        ev["A2"] = ("Mỗi dòng một văn bản. Cột Chỉ tiêu: mã chỉ tiêu mà văn bản chứng minh ("
                    + ", ".join(ids) + "). Tệp đính kèm: đường dẫn tương đối so với sổ tính, hoặc liên kết.")
        self.results()
        self.form_guide(guide)
        self.wb.move_sheet(self.lists_ws, len(self.wb.sheetnames) - 1 - self.wb.index(self.lists_ws))
        self.meta()
        self.form_meta()
        self.wb.active = 0
        self.wb.security = WorkbookProtection(workbookPassword=self.pw, lockStructure=True)
        return self.wb

    def data_sheet(self) -> None:
        ws = self.wb.create_sheet(SHEET_DATA)
        self.title(ws, f"PHIẾU SỐ LIỆU \"CỘNG ĐỒNG HỌC TẬP\" CẤP TỈNH — NĂM {self.year}",
                   f"Đơn vị cung cấp: {self.con.name}. Số liệu từ 01/01 đến 31/12/{self.year}.")
        self.header(ws, L.HEADER_ROW, ["Mã", "Chỉ tiêu", "Nội dung cần nhập", "Số liệu / kết quả",
                                       "Đánh giá (tự tính)", "Số minh chứng"], [10, 70, 40, 16, 16, 12])
        fields = self.tier.fields
        ev_range = f"{quote_sheetname(L.SHEET_EVIDENCE)}!$B${L.HEADER_ROW + 1}:$B${L.HEADER_ROW + L.EVIDENCE_ROWS}"
        r = L.HEADER_ROW + 1
        input_refs, verdict_rows = [], []
        for ind in self.indicators:
            ir = r
            ws.cell(ir, 1, ind.id)
            ws.cell(ir, 2, ind.text).alignment = WRAP
            for k, f in enumerate(ind.fields):
                fr = ir + k
                ws.cell(fr, 3, f.label).alignment = WRAP
                self.input_cell(ws, f"D{fr}", f.key, f.type, f.label, f.min, f.max)
                input_refs.append(f"D{fr}")
            own = {f.key for f in ind.fields}
            if set(ind.input_keys()) <= own:  # the live verdict only when it reads this form's cells alone
                ws.cell(ir, 5, "=" + indicator_formula(ind, 1, fields)).border = THIN
                verdict_rows.append(ir)
            ws.cell(ir, 6, f'=COUNTIF({ev_range},"*{ind.id}*")')
            r = ir + max(len(ind.fields), 1)
        last = r - 1
        self.result_formats(ws, input_refs, f"E{L.HEADER_ROW + 1}:E{last}")
        # signer block
        r += 1
        ws.cell(r, 2, "XÁC NHẬN CỦA ĐƠN VỊ CUNG CẤP SỐ LIỆU").font = BOLD
        r += 1
        for label, name in (("Người ký (họ và tên)", N_SIGNER), ("Chức vụ", N_SIGNER_TITLE),
                            ("Ngày ký", N_SIGNED_ON)):
            ws.cell(r, 3, label).font = BOLD
            self.free_input(ws, f"D{r}", name, is_date=name == N_SIGNED_ON)
            r += 1
        ws.cell(r + 1, 2, f'="Mã niêm phong: "&{L.N_SEAL}').font = Font(italic=True, size=9)
        self.print_setup(ws, f"{L.HEADER_ROW}:{L.HEADER_ROW}", landscape=True)
        self.protect(ws)

    def form_guide(self, ws) -> None:
        e, t = self.e, self.tier
        ids = ", ".join(i.id for i in self.indicators)
        lines = [
            (f"HƯỚNG DẪN — PHIẾU SỐ LIỆU \"CỘNG ĐỒNG HỌC TẬP\" CẤP TỈNH NĂM {self.year}", TITLE),
            (f"Đơn vị cung cấp: {self.con.name} (mã {self.con.code}). Chỉ tiêu: {ids}.", BOLD),
            (f"Căn cứ: {e.spec.legal_basis}. {t.spec.articles.level1} (mức độ 1), {t.spec.articles.level2} "
             f"(mức độ 2). Bộ tiêu chí: {e.id} (phiên bản {e.spec.version}).", None),
            ("Cách điền", BOLD),
            (f"1. Trang '{SHEET_DATA}': nhập số liệu hoặc chọn Đạt / Không đạt vào ô màu vàng; "
             "ghi họ tên, chức vụ người ký và ngày ký.", None),
            (f"2. Trang '{L.SHEET_EVIDENCE}': mỗi văn bản minh chứng một dòng, ghi mã chỉ tiêu ở cột Chỉ tiêu.", None),
            (f"3. Gửi lại tệp này cho Sở Giáo dục và Đào tạo trước ngày {_deadline(FORM_DEADLINE, self.year)}; "
             "số liệu được chuyển vào hồ sơ tự đánh giá cấp tỉnh theo tên ô.", None),
            ("Không sửa, xóa hay đổi tên trang, ô công thức: phần mềm kiểm tra dấu vân tay biểu mẫu và sẽ trả lại "
             "phiếu bị sửa.", None),
        ]
        self.text_sheet(ws, lines)

    def form_meta(self) -> None:
        """The template keys written by ``meta()`` (outside the fingerprint), re-labelled for the form."""
        ws = self.wb[L.SHEET_META]
        tid = form_template_id(self.e, self.year, self.con.code)
        ws.cell(1, 2, tid)
        n = ws.max_row + 1
        ws.cell(n, 1, META_CONTRIBUTOR)
        ws.cell(n, 2, self.con.code)
        for p in self.wb.custom_doc_props:
            if p.name == "cdht_template_id":
                p.value = tid
        self.wb.custom_doc_props.append(StringProperty(name=f"cdht_{META_CONTRIBUTOR}", value=self.con.code))
        self.wb.properties.title = tid
        self.meta_values = {**self.meta_values, "template_id": tid, META_CONTRIBUTOR: self.con.code}


def lint_form(wb) -> list[str]:
    """:func:`cdht_generator.lint.lint` for a form: the templates' "Tự đánh giá" sheet is "Số liệu" here."""
    return lint(wb, required=(L.SHEET_META, SHEET_DATA, L.SHEET_RESULTS))


def build_contributor_form(edition: Edition, year: int, code: str,
                           password: str | None = None) -> tuple[Workbook, dict]:
    """The locked data form of department ``code`` for ``year`` and its ``_meta`` values."""
    con = contributor_or_error(edition, code)
    b = _FormBuilder(edition, year, con, password or DEFAULT_PASSWORD)
    wb = b.build()
    return wb, b.meta_values


def generate_contributor_form(edition: Edition, year: int, code: str, out_dir: str | Path,
                              password: str | None = None) -> Path:
    """Write ``CDHT_<year>_tinh_dong-gop-<code>.xlsx`` into ``out_dir``; raises GenerateError."""
    con = contributor_or_error(edition, code)
    if not edition.applies_to(year):
        y = edition.spec.years
        raise GenerateError([finding("CDHT-T004", year=year, edition=edition.id,
                                     years=f"{y.first}–{y.last or 'nay'}")])
    wb, _ = build_contributor_form(edition, year, con.code, password)
    problems = lint_form(wb)
    if problems:
        raise GenerateError([finding("CDHT-T003", detail="; ".join(problems[:10]))])
    path = Path(out_dir) / form_file_name(edition, year, con.code)
    save_atomic(wb, path)
    return path
