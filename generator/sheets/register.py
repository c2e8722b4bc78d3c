"""The "Sổ công nhận" sheet of a parent tier: the recognition decisions of its child units."""
from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from cdht import contract as L
from cdht_generator.builder import LIST_HEADER
from cdht_generator.styles import DATE_FORMAT, TEXT_FORMAT

WIDTHS = [14, 30, 8, 18, 14, 30, 14, 14, 18, 30]


def write(book) -> None:
    """Add the register (a tool sheet: unprotected) with its level validation and date column."""
    s = book.edition.settings
    ws = book.wb.create_sheet(L.SHEET_REGISTER)
    book.title(ws, "SỔ CÔNG NHẬN \"CỘNG ĐỒNG HỌC TẬP\" CỦA ĐƠN VỊ CẤP DƯỚI",
               f"Quyết định công nhận còn hiệu lực {s.recognition_valid_years} năm tiếp theo "
               f"năm được công nhận; đề nghị mức độ 2 sau ít nhất {s.upgrade_after_months} "
               "tháng kể từ quyết định mức độ 1. Cột G–I do chức năng tổng hợp tính.")
    book.header(ws, L.HEADER_ROW, L.REGISTER_COLUMNS, WIDTHS)
    first, last = L.HEADER_ROW + 1, L.HEADER_ROW + rows(book)
    dv = DataValidation(type="whole", operator="between", formula1="1", formula2="2", allow_blank=True,
                        showErrorMessage=True, errorTitle="Mức độ không hợp lệ", error="Nhập 1 hoặc 2.")
    ws.add_data_validation(dv)
    dv.add(f"C{first}:C{last}")
    # the decision dates: a COLUMN format (the sheet is not protected), not 500 empty cells
    ws.column_dimensions["E"].number_format = DATE_FORMAT
    # the unit codes: text as typed — Excel would store an official code 00010 as the number 10,
    # and the decision would then name no unit of the registry
    ws.column_dimensions["A"].number_format = TEXT_FORMAT
    book.name(L.N_REGISTER, ws, f"A{first}:J{last}")
    book.print_setup(ws, LIST_HEADER, landscape=True)


def rows(book) -> int:
    """The register's rows: :func:`cdht.contract.register_size` of the registry's lower units of
    the unit issued for (a blank template: unknown, the minimum) — 3,321 communes get 10,000."""
    return L.register_size(len(book.expected_children()))
