"""The data form of one contributing department (spec §6: province figures come from other Sở/ngành).

A small locked workbook built on the same core as the templates (:class:`cdht_generator.builder.Book`
and the sheet modules of :mod:`cdht_generator.sheets`):
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

from cdht import contract as L
from cdht.edition import Contributor, Edition, FieldSpec, Tier
from cdht.messages import finding
from cdht.paths import outside
from cdht.xlsx.save import save_atomic
from cdht_generator.api import GenerateError, refuse_lint_problems
from cdht_generator.builder import DEFAULT_PASSWORD, Book, deadline_text, file_name  # noqa: F401 (DEFAULT_PASSWORD)
from cdht_generator.lint import lint
from cdht_generator.sheets import data, evidence, guide, lists, meta, results
from cdht_generator.sheets.data import SHEET_DATA

TIER = "tinh"                 # contributing departments supply province (cấp tỉnh) indicators
META_CONTRIBUTOR = L.META_CONTRIBUTOR
N_SIGNER = "nguoi_ky"
N_SIGNER_TITLE = "chuc_vu"
N_SIGNED_ON = "ngay_ky"
SIGNER_NAMES = (N_SIGNER, N_SIGNER_TITLE, N_SIGNED_ON)
SIGNERS = (("Người ký (họ và tên)", N_SIGNER, False), ("Chức vụ", N_SIGNER_TITLE, False),
           ("Ngày ký", N_SIGNED_ON, True))  # (label, name, is_date) on the data sheet
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


def build_form(book: Book, con: Contributor) -> dict:
    """Write department ``con``'s form into ``book`` (over the form tier); returns its ``_meta`` values."""
    tier = book.edition.tier(TIER)
    indicators = [tier.indicator(i) for i in con.indicators]
    lists_ws = lists.write(book)
    guide_ws = book.wb.create_sheet(L.SHEET_GUIDE, 0)
    data.write(book, tier, con, indicators, SIGNERS)
    evidence.write(book, intro=("Mỗi dòng một văn bản. Cột Chỉ tiêu: mã chỉ tiêu mà văn bản chứng minh ("
                                + ", ".join(i.id for i in indicators)
                                + "). Tệp đính kèm: đường dẫn tương đối so với sổ tính, hoặc liên kết."),
                   levels=False)
    results.write(book)
    guide.write_form(book, guide_ws, tier, con, indicators, SHEET_DATA, deadline_text(FORM_DEADLINE, book.year))
    book.move_to_end(lists_ws)
    values = meta.write(book)
    return meta.relabel(book, values, form_template_id(book.edition, book.year, con.code), META_CONTRIBUTOR, con.code)


def lint_form(wb) -> list[str]:
    """:func:`cdht_generator.lint.lint` for a form: the templates' "Tự đánh giá" sheet is "Số liệu" here."""
    return lint(wb, required=(L.SHEET_META, SHEET_DATA, L.SHEET_RESULTS))


def build_contributor_form(edition: Edition, year: int, code: str,
                           password: str | None = None) -> tuple[Workbook, dict]:
    """The locked data form of department ``code`` for ``year`` and its ``_meta`` values."""
    con = contributor_or_error(edition, code)
    book = Book(edition, form_tier(edition.tier(TIER)), year, password=password)
    values = build_form(book, con)
    return book.lock(), values


def generate_contributor_form(edition: Edition, year: int, code: str, out_dir: str | Path,
                              password: str | None = None) -> Path:
    """Write ``CDHT_<year>_tinh_dong-gop-<code>.xlsx`` into ``out_dir``; raises GenerateError."""
    con = contributor_or_error(edition, code)
    if not edition.applies_to(year):
        y = edition.spec.years
        raise GenerateError([finding("CDHT-T004", year=year, edition=edition.id,
                                     years=f"{y.first}–{y.last or 'nay'}")])
    wb, _ = build_contributor_form(edition, year, con.code, password)
    refuse_lint_problems(lint_form(wb))
    path = Path(out_dir) / form_file_name(edition, year, con.code)
    escape = outside(out_dir, path)
    if escape is not None:
        raise GenerateError([escape])
    save_atomic(wb, path)
    return path
