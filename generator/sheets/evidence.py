"""The "Minh chứng" sheet: the evidence register (300 unlocked rows, the named range ``minh_chung``)."""
from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cdht import contract as L
from cdht import rules as R
from cdht_generator.builder import LIST_HEADER
from cdht_generator.styles import DATE_FORMAT, TEXT_FORMAT, UNLOCKED

WIDTHS = [14, 18, 50, 18, 14, 30, 36, 24]
LEVEL_WIDTH = 14


def default_intro(tier) -> str:
    """The line under the title of a template's register: how to fill a row, with two example ids."""
    return ("Mỗi dòng một văn bản. Cột Chỉ tiêu: một hoặc nhiều mã, ví dụ "
            f"{tier.indicators[0].id}, {tier.indicators[1].id}. Tệp đính kèm: đường dẫn tương đối "
            "so với sổ tính, hoặc liên kết.")


def indicator_list(tier, cells: str) -> DataValidation:
    """The "Chỉ tiêu" column's drop-down: the tier's indicator codes. A warning, not a stop, when
    the cell holds something else, so a row may still cite several codes ("xa.1.1, xa.1.2");
    ``cdht check`` reads what is typed and names the codes it cannot read (CDHT-E002)."""
    codes = ",".join(i.id for i in tier.indicators)
    if len(codes) > 255:  # Excel's limit for an inline list
        raise ValueError(f"indicator codes of tier {tier.code} too long for an inline list")
    dv = DataValidation(type="list", formula1=f'"{codes}"', allow_blank=True,
                        showErrorMessage=True, errorStyle="warning", errorTitle="Mã chỉ tiêu",
                        error="Không phải một mã trong danh sách. Nhiều mã: cách nhau bằng dấu phẩy, "
                              "ví dụ " + ", ".join(i.id for i in tier.indicators[:2]) + ". Giữ nội dung này?",
                        showInputMessage=True, promptTitle="Chỉ tiêu",
                        prompt="Chọn mã chỉ tiêu mà văn bản chứng minh; nhiều mã cách nhau bằng dấu phẩy.")
    dv.add(cells)
    return dv


def level_list(tier, cells: str) -> DataValidation:
    """The "Mức độ" column's drop-down: 1 or 2, empty = both levels. Its prompt names the tier's
    indicators whose bar differs by level, the only ones for which the column means something."""
    differing = [i.id for i in tier.indicators if R.differs_by_level(i)]
    prompt = ("Minh chứng cho mức độ nào: 1 hoặc 2; để trống nếu cho cả hai. Chỉ cần ghi với chỉ tiêu "
              "có yêu cầu khác nhau giữa hai mức độ: " + ", ".join(differing) + ".")
    if len(prompt) > 255:  # Excel's limit for a prompt
        prompt = "Minh chứng cho mức độ nào: 1 hoặc 2; để trống nếu cho cả hai mức độ."
    dv = DataValidation(type="list", formula1='"1,2"', allow_blank=True, showErrorMessage=True,
                        errorTitle="Mức độ", error="Chọn 1 hoặc 2, hoặc để trống (minh chứng cho cả hai mức độ).",
                        showInputMessage=True, promptTitle="Mức độ", prompt=prompt)
    dv.add(cells)
    return dv


def level_intro(tier) -> str:
    """What the intro adds when the register has the "Mức độ" column."""
    differing = [i.id for i in tier.indicators if R.differs_by_level(i)]
    return (" Cột Mức độ: 1 hoặc 2 nếu văn bản chỉ chứng minh yêu cầu của mức độ đó (chỉ tiêu có yêu cầu "
            f"khác nhau giữa hai mức độ: {', '.join(differing)}); để trống nếu cho cả hai.") if differing else ""


def write(book, intro: str | None = None, levels: bool = True) -> None:
    """Add the register; ``intro``: the line under the title (default :func:`default_intro`);
    ``levels``: with the "Mức độ" column (issue 15) — not on a department's form, whose figures
    have the same bar at both levels."""
    ws = book.wb.create_sheet(L.SHEET_EVIDENCE)
    levels = levels and any(R.differs_by_level(i) for i in book.tier.indicators)
    text = intro or default_intro(book.tier)
    book.title(ws, "DANH MỤC MINH CHỨNG (HỒ SƠ MINH CHỨNG)", text + (level_intro(book.tier) if levels else ""))
    columns = L.EVIDENCE_COLUMNS + ([L.EVIDENCE_LEVEL_HEADER] if levels else [])
    book.header(ws, L.HEADER_ROW, columns, WIDTHS + ([LEVEL_WIDTH] if levels else []))
    first, last = L.HEADER_ROW + 1, L.HEADER_ROW + L.EVIDENCE_ROWS
    # The register's rows are unlocked as ROW formats (Excel and LibreOffice give a typed cell
    # its row's format): 300 empty rows cost no cell elements, which every reader would parse.
    # The row format is also TEXT ("@"): what is typed in the register is kept as typed — a "Số /
    # ký hiệu" such as 12/2024 would otherwise become a date, a code 01 the number 1, a code 1.10
    # the number 1.1. Only two columns have cells of their own: the date (dd/mm/yyyy) and the
    # "Mức độ" drop-down (General: its list holds the numbers 1 and 2).
    for r in range(first, last + 1):
        ws.row_dimensions[r].protection = UNLOCKED
        ws.row_dimensions[r].number_format = TEXT_FORMAT
        c = ws.cell(r, L.EVIDENCE_DATE_COLUMN)
        c.protection, c.number_format = UNLOCKED, DATE_FORMAT
        if levels:
            c = ws.cell(r, L.EVIDENCE_LEVEL_COLUMN)
            c.protection, c.number_format = UNLOCKED, "General"
    book.name(L.N_EVIDENCE, ws, f"A{first}:{get_column_letter(len(columns))}{last}")
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                        showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                        error="Nhập ngày ban hành dạng dd/mm/yyyy (sau năm 2000).",
                        showInputMessage=True, promptTitle="Ngày ban hành", prompt="Dạng dd/mm/yyyy.")
    ws.add_data_validation(dv)
    dv.add(f"E{first}:E{last}")
    ws.add_data_validation(indicator_list(book.tier, f"B{first}:B{last}"))
    if levels:
        col = get_column_letter(L.EVIDENCE_LEVEL_COLUMN)
        ws.add_data_validation(level_list(book.tier, f"{col}{first}:{col}{last}"))
    book.print_setup(ws, LIST_HEADER, landscape=True)
    book.protect(ws)
