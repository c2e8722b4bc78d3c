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
    book.print_setup(ws, LIST_HEADER, landscape=True)
    book.protect(ws)
