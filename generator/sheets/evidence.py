"""The "Minh chứng" sheet: the evidence register (300 unlocked rows, the named range ``minh_chung``)."""
from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER
from cdht_generator.styles import DATE_FORMAT, UNLOCKED

WIDTHS = [14, 18, 50, 18, 14, 30, 36, 24]


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


def write(book, intro: str | None = None) -> None:
    """Add the register; ``intro``: the line under the title (default :func:`default_intro`)."""
    ws = book.wb.create_sheet(L.SHEET_EVIDENCE)
    book.title(ws, "DANH MỤC MINH CHỨNG (HỒ SƠ MINH CHỨNG)", intro or default_intro(book.tier))
    book.header(ws, L.HEADER_ROW, L.EVIDENCE_COLUMNS, WIDTHS)
    first, last = L.HEADER_ROW + 1, L.HEADER_ROW + L.EVIDENCE_ROWS
    # The register's rows are unlocked as ROW formats (Excel and LibreOffice give a typed cell
    # its row's format): 300 empty rows cost no cell elements, which every reader would parse.
    # Only the date column has cells of its own, for the dd/mm/yyyy format.
    for r in range(first, last + 1):
        ws.row_dimensions[r].protection = UNLOCKED
        c = ws.cell(r, L.EVIDENCE_DATE_COLUMN)
        c.protection, c.number_format = UNLOCKED, DATE_FORMAT
    book.name(L.N_EVIDENCE, ws, f"A{first}:H{last}")
    dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                        showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                        error="Nhập ngày ban hành dạng dd/mm/yyyy (sau năm 2000).",
                        showInputMessage=True, promptTitle="Ngày ban hành", prompt="Dạng dd/mm/yyyy.")
    ws.add_data_validation(dv)
    dv.add(f"E{first}:E{last}")
    ws.add_data_validation(indicator_list(book.tier, f"B{first}:B{last}"))
    book.print_setup(ws, LIST_HEADER, landscape=True)
    book.protect(ws)
