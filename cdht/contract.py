"""The workbook contract shared by the generator and every reader: sheet names, defined names, columns.

Readers (compute, check, merge, the add-in) import these constants instead of repeating strings or
coordinates; cell positions are found through the workbook's defined names.
"""
from __future__ import annotations

SHEET_GUIDE = "Hướng dẫn"
SHEET_UNIT = "Thông tin đơn vị"
SHEET_SELF = "Tự đánh giá"
SHEET_EVIDENCE = "Minh chứng"
SHEET_APPRAISAL = "Thẩm định"
SHEET_SUMMARY = "Bản tổng hợp"
SHEET_CHILDREN = "Đơn vị cấp dưới"
SHEET_REGISTER = "Sổ công nhận"
SHEET_RETURNS = "Danh sách trả lại"
SHEET_LOG = "Nhật ký tổng hợp"
SHEET_RESULTS = "Kết quả kiểm tra"
SHEET_LISTS = "_ds"
SHEET_META = "_meta"
META_CONTRIBUTOR = "contributor"  # the _meta key of a department's data form (its department's code)

# Sheets our tools write into: created by the generator, left unprotected, outside the fingerprint.
TOOL_SHEETS = (SHEET_RESULTS, SHEET_CHILDREN, SHEET_REGISTER, SHEET_RETURNS, SHEET_LOG)

# Unit names (every tier)
N_UNIT_CODE = "don_vi_ma"
N_UNIT_NAME = "don_vi_ten"
N_YEAR = "nam_danh_gia"
N_PREPARER = "nguoi_lap"
N_PREPARED_ON = "ngay_lap"
N_LEVEL = "ket_qua_muc_do"
N_APPRAISAL_LEVEL = "td_ket_qua_muc_do"
N_APPRAISAL_TARGET = "td_muc_do_xet"
N_EVIDENCE = "minh_chung"
N_SEAL = "ma_niem_phong"
N_CHILDREN = "don_vi_cap_duoi"
N_REGISTER = "so_cong_nhan"
N_RESULTS = "ket_qua_kiem_tra"
N_LOG = "nhat_ky_tong_hop"
N_RETURNS = "danh_sach_tra_lai"
N_LIST_VERDICT = "DS_DAT"
N_LIST_YESNO = "DS_CO"
N_LIST_LEVEL = "DS_MUC_DO"

EVIDENCE_ROWS = 300
EVIDENCE_COLUMNS = ["Mã minh chứng", "Chỉ tiêu", "Tên minh chứng", "Số / ký hiệu", "Ngày ban hành",
                    "Cơ quan ban hành", "Tệp đính kèm", "Ghi chú"]
EVIDENCE_DATE_COLUMN = 5  # "Ngày ban hành"

REGISTER_ROWS = 500
# Excel's "Text" number format: what is typed into such a cell is kept as typed (a unit code 00010,
# an evidence code 01), never read as a number or a date
TEXT_FORMAT = "@"

REGISTER_COLUMNS = ["Mã đơn vị", "Tên đơn vị", "Mức độ", "Số quyết định", "Ngày quyết định",
                    "Cơ quan quyết định", "Còn hiệu lực đến", "Còn hiệu lực năm đánh giá",
                    "Đủ điều kiện đề nghị mức độ 2 từ", "Ghi chú"]

RESULTS_COLUMNS = ["Mã", "Mức", "Trang", "Ô / dòng", "Chỉ tiêu", "Nội dung", "Cách sửa"]
LOG_COLUMNS = ["Thời điểm", "Thao tác", "Tệp", "Đơn vị", "Kết quả", "Mã", "Ghi chú"]
RETURNS_COLUMNS = ["Mã đơn vị", "Tên đơn vị", "Tệp", "Mã", "Trang", "Ô / dòng", "Nội dung", "Cách sửa"]

CHILD_FIXED_COLUMNS = ["Mã đơn vị", "Tên đơn vị", "Trạng thái", "Ngày nhận", "Đúng hạn",
                       "Mức độ tự đánh giá", "Mức độ thẩm định", "Số lỗi minh chứng"]
CHILD_PROVENANCE_COLUMNS = ["Tệp", "SHA-256", "Phiên bản biểu mẫu", "Thời điểm tổng hợp", "Lý do trả lại"]

STATUS_RECEIVED = "Đã nộp"
STATUS_MISSING = "Chưa nộp"
STATUS_RETURNED = "Trả lại"

HEADER_ROW = 4  # header row of every list sheet; data start on the next row


def appraisal_name(indicator_id: str) -> str:
    return "td_" + indicator_id.replace(".", "_")


def appraisal_reason_name(indicator_id: str) -> str:
    return appraisal_name(indicator_id) + "_ly_do"


def child_columns(child_tier) -> list[str]:
    """Header of the "Đơn vị cấp dưới" sheet for a child tier: fixed, one per indicator, provenance."""
    return CHILD_FIXED_COLUMNS + [i.id for i in child_tier.indicators] + CHILD_PROVENANCE_COLUMNS


def input_names(tier) -> list[str]:
    """Every single-cell name people may type into (the contract's inputs), for a tier."""
    names = [N_UNIT_CODE, N_UNIT_NAME, N_PREPARER, N_PREPARED_ON, N_APPRAISAL_TARGET]
    names += list(tier.fields)
    for ind in tier.indicators:
        names += [appraisal_name(ind.id), appraisal_reason_name(ind.id)]
    return names


def input_ranges() -> list[str]:
    return [N_EVIDENCE]


# Colours (RRGGBB, openpyxl's spelling; xlsxwriter and xlwings take "#" + the same value). Their one
# home: the templates, the merge's status column, the write-back flags and the add-in use these.
COLOR_INPUT = "FFF2CC"        # a cell to type into (the guide calls it "Vàng")
COLOR_HEADER = "DDEBF7"       # header rows of list sheets and report workbooks
COLOR_CRITERION = "E2EFDA"    # criterion rows
COLOR_MISSING = "FFD966"      # a required input still empty ("Vàng đậm")
COLOR_FAIL = "F8CBAD"         # Không đạt ("Đỏ nhạt")
COLOR_PASS = "C6EFCE"         # Đạt ("Xanh")
COLOR_NO_EVIDENCE = "F4B183"  # an indicator passed without evidence ("Cam")
COLOR_FLAG = "FF9999"         # a cell flagged by a check (write-back)
COLOR_BORDER = "999999"       # thin cell borders
COLOR_PENDING = "FFEB9C"      # a child unit that has not filed yet
COLOR_NONE = "FFFFFF"         # white: a status cell with no status
STATUS_COLORS = {STATUS_RECEIVED: COLOR_PASS, STATUS_MISSING: COLOR_PENDING, STATUS_RETURNED: COLOR_FAIL}


# --- The status vocabulary (issue 12) — append-only block ----------------------------------------
# One word, one meaning, used alike in sheets, JSON and messages. Each member's value is its
# Vietnamese label; the comment says the one thing it means.
from enum import Enum  # noqa: E402 — kept inside this append-only block


class Status(str, Enum):
    NOT_SUBMITTED = "Chưa nộp"            # nothing received from the unit for this round
    RECEIVED = "Đã nhận"                  # a file received on time and accepted
    LATE = "Nộp muộn"                     # a file accepted, received after the dossier deadline
    RETURNED = "Trả lại"                  # a file refused, with its reason code; its appraisal never counts
    DUPLICATE = "Bản trùng"               # an identical copy of a file already received: never a return
    AWAITING_DECISION = "Chờ quyết định"  # appraised, no decision yet: counts toward nothing
    RECOGNISED_1 = "Đã công nhận mức 1"   # a decision in force at level 1
    RECOGNISED_2 = "Đã công nhận mức 2"   # a decision in force at level 2
    EXPIRED = "Hết hiệu lực"              # recognised once, no decision in force this year

    @property
    def label(self) -> str:
        return self.value

    def __str__(self) -> str:
        return self.value


def receipt_status(status, on_time) -> Status:
    """A child row's receipt this round, in the status vocabulary, from its "Trạng thái" and "Đúng
    hạn" cells — written in the vocabulary (Đã nhận, Nộp muộn, Trả lại, Chưa nộp, …) or in the
    older words (Đã nộp + Đúng hạn Có/Không). Read alike by the merge's "Tổng quan" and the reports."""
    status = str(status or "").strip()
    if status in ("", Status.NOT_SUBMITTED.value):
        return Status.NOT_SUBMITTED
    if status == Status.RETURNED.value:
        return Status.RETURNED
    if status == Status.LATE.value or on_time == "Không":
        return Status.LATE
    return Status.RECEIVED  # Đã nộp / Đã nhận, or a later standing of a received file


# --- Registry facts (issue 12: facts from the registry are locked and signed) — append-only -------
N_DISADVANTAGED = "vung_kho_khan"  # the unit field "Xã thuộc vùng khó khăn": the registry's on an issued workbook


# --- The "Tổng quan" dashboard of a parent (issue 16) — append-only ------------------------------
# A tool sheet (unprotected, outside the fingerprint, like the other sheets a merge writes): fixed
# labels from the template, and blocks of numbers the merge fills by these names (Placement.BLOCK),
# which the sheet's native charts are bound to.
SHEET_OVERVIEW = "Tổng quan"
TOOL_SHEETS = TOOL_SHEETS + (SHEET_OVERVIEW,)
N_OV_STAMP = "tq_cap_nhat"          # one cell: when and from what the figures were computed
N_OV_COMPLETENESS = "tq_day_du"     # OVERVIEW_COMPLETENESS rows × (count, %)
N_OV_LEVELS = "tq_muc_do"           # levels 0 / 1 / 2 × (self-assessed of files received, recognised in force)
N_OV_RECOGNITIONS = "tq_cong_nhan"  # OVERVIEW_RECOGNITIONS rows × (count)
N_OV_INDICATORS = "tq_chi_tieu"     # the child tier's indicators × OVERVIEW_INDICATOR_COLUMNS[1:]
N_OV_EXPIRING = "tq_sap_het_han"    # OVERVIEW_EXPIRING_ROWS × OVERVIEW_EXPIRING_COLUMNS
OVERVIEW_COMPLETENESS = ["Phải nộp", "Đã nhận", "Đúng hạn", "Nộp muộn", "Trả lại", "Chưa nộp"]
OVERVIEW_LEVELS = ["Chưa đạt / chưa công nhận", "Mức độ 1", "Mức độ 2"]
OVERVIEW_RECOGNITIONS = ["Đang có hiệu lực — mức độ 1", "Đang có hiệu lực — mức độ 2", "Công nhận mới năm nay",
                         "Hết hiệu lực đến hết năm sau (31/12)"]
OVERVIEW_INDICATOR_COLUMNS = ["Chỉ tiêu", "Số đơn vị có kết luận", "Đạt mức độ 2", "Chỉ đạt mức độ 1", "Không đạt",
                              "Tỉ lệ đạt mức độ 1 (%)", "Tỉ lệ đạt mức độ 2 (%)"]
OVERVIEW_EXPIRING_COLUMNS = ["Mã đơn vị", "Tên đơn vị", "Mức độ", "Số quyết định", "Còn hiệu lực đến"]
OVERVIEW_EXPIRING_ROWS = 100
OVERVIEW_HORIZON_YEARS = 1  # "expiring within the next year": valid until no later than 31/12 of year + 1


# --- The register's size (issue 16) — append-only --------------------------------------------------
# "Sổ công nhận" is sized when a parent is issued (its named range is part of the layout fingerprint,
# so no merge may grow it): REGISTER_ROWS_PER_UNIT rows per expected lower unit — a level-1 and a
# level-2 decision in force plus a renewal — rounded up to REGISTER_ROWS_STEP, never below
# REGISTER_ROWS (a blank template, whose lower units nobody knows yet).
REGISTER_ROWS_PER_UNIT = 3
REGISTER_ROWS_STEP = 100


def register_size(expected_units: int) -> int:
    """Rows of the register for a parent with ``expected_units`` lower units (0: unknown)."""
    wanted = REGISTER_ROWS_PER_UNIT * max(0, expected_units)
    return max(REGISTER_ROWS, -(-wanted // REGISTER_ROWS_STEP) * REGISTER_ROWS_STEP)


# --- "Tổng quan": trends and districts (issue 16) — append-only ---------------------------------------
# Trends: the last OVERVIEW_TREND_YEARS assessment years, oldest first, the merged year last; the
# earlier years come from the previous years' merged parents given to the merge (--previous) or,
# when none is given, stay as an earlier merge wrote them. Districts: a province whose lower units
# have lower units of their own (communes under districts) counts each district's communes.
N_OV_TREND_LEVELS = "tq_xu_huong_muc_do"       # OVERVIEW_TREND_YEARS rows × OVERVIEW_TREND_COLUMNS (year in A)
N_OV_TREND_YEARS = "tq_xu_huong_nam"           # 1 row × OVERVIEW_TREND_YEARS: the years over the rates below
N_OV_TREND_INDICATORS = "tq_xu_huong_chi_tieu"  # the child tier's indicators × OVERVIEW_TREND_YEARS: level-1 rate (%)
N_OV_DISTRICTS = "tq_theo_huyen"                # district rows × OVERVIEW_DISTRICT_COLUMNS
OVERVIEW_TREND_YEARS = 5
OVERVIEW_TREND_COLUMNS = ["Năm", "Tự đánh giá: chưa đạt", "Tự đánh giá: mức độ 1", "Tự đánh giá: mức độ 2",
                          "Công nhận mức độ 1 (còn hiệu lực)", "Công nhận mức độ 2 (còn hiệu lực)"]
OVERVIEW_DISTRICT_COLUMNS = ["Mã huyện", "Tên huyện", "Số xã", "Xã đã nộp hồ sơ", "Tự đánh giá: chưa đạt",
                             "Tự đánh giá: mức độ 1", "Tự đánh giá: mức độ 2", "Công nhận mức độ 1",
                             "Công nhận mức độ 2"]
OVERVIEW_DISTRICT_ROWS = 30  # a blank template's; one issued for a province has one row per registry district


# --- Evidence per indicator (issue 17: the right cell turns red) — append-only --------------------
def evidence_count_name(indicator_id: str) -> str:
    """The name of an indicator's "Số minh chứng" cell on "Tự đánh giá" (how many register rows
    cite it): where a missing-evidence finding (CDHT-E001) points."""
    return "so_minh_chung_" + indicator_id.replace(".", "_")


# --- Evidence per level (issue 15) — append-only ---------------------------------------------------
# The register's ninth column, after the eight of EVIDENCE_COLUMNS: which level an evidence row
# supports where an indicator's bar differs by level (1, 2; empty = both). Templates issued before it
# have an eight-column ``minh_chung``; readers take the width from the name, so those still read
# (every row then supports both levels). Department forms have no such column.
EVIDENCE_LEVEL_COLUMN = len(EVIDENCE_COLUMNS) + 1  # I
EVIDENCE_LEVEL_HEADER = "Mức độ (1, 2; trống = cả hai)"
EVIDENCE_KEYS = ("code", "indicators", "title", "number", "date", "issuer", "attachment", "note", "level")
