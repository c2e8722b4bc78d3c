"""The "Tổng quan" sheet of a parent tier (issue 16): the dashboard a merge refreshes.

The template holds the fixed words (row labels, the child tier's indicators in catalogue order)
and native charts bound to the cells of the named blocks (``cdht.contract.N_OV_*``); the merge
fills those blocks (``Placement.BLOCK``: exactly the named cells, by either writer), so the
charts show the new figures in Excel and LibreOffice with no code in the workbook. A tool sheet:
unprotected and outside the fingerprint, like every other sheet a merge writes."""
from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel

from cdht import contract as L
from cdht_generator.styles import BOLD

WIDTHS = [34, 16, 16, 16, 16, 16, 16]
ANCHORS = ("I5", "I21", "I37")  # right of the tables, one under the other
CM_PER_ROW = 0.53  # a default row (15 pt) in centimetres: where a chart of a given height ends


def write(book) -> None:
    """Add the overview sheet with its named blocks and native charts: submission, levels,
    indicators, levels by year, and (a province over districts) communes by district."""
    child = book.edition.tier(book.tier.children[0])
    ws = book.wb.create_sheet(L.SHEET_OVERVIEW)
    book.title(ws, f"TỔNG QUAN KẾT QUẢ ĐƠN VỊ CẤP DƯỚI ({child.name.upper()}) — NĂM {book.year}",
               "Trang này do chức năng tổng hợp (cdht merge / nút Gộp báo cáo cấp dưới) cập nhật sau mỗi lần gộp; "
               "không nhập số liệu ở đây.")
    ws["A3"] = "Chưa tổng hợp lần nào."
    book.name(L.N_OV_STAMP, ws, "A3")
    for i, w in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = w

    r = _block(book, ws, 5, "1. Đầy đủ và đúng hạn", ["Nội dung", "Số đơn vị", "Tỉ lệ (%)"],
               L.OVERVIEW_COMPLETENESS, L.N_OV_COMPLETENESS, 2)
    done = r - len(L.OVERVIEW_COMPLETENESS)
    _chart(ws, "Tình hình nộp hồ sơ", "bar", None, (2, 2), done + 2, r - 1, ANCHORS[0],
           titles=["Số đơn vị"])
    r = _block(book, ws, r + 1, "2. Đơn vị theo mức độ",
               ["Mức độ", "Tự đánh giá (hồ sơ đã nhận)", "Được công nhận (còn hiệu lực)"],
               L.OVERVIEW_LEVELS, L.N_OV_LEVELS, 2)
    _chart(ws, "Đơn vị theo mức độ", "col", None, (2, 3), r - 3, r - 1, ANCHORS[1], header=r - 4)
    r = _block(book, ws, r + 1, "3. Công nhận", ["Nội dung", "Số đơn vị"], L.OVERVIEW_RECOGNITIONS,
               L.N_OV_RECOGNITIONS, 1)
    ids = [i.id for i in child.indicators]
    r = _block(book, ws, r + 1, "4. Kết quả theo chỉ tiêu (các đơn vị cấp dưới)", L.OVERVIEW_INDICATOR_COLUMNS,
               ids, L.N_OV_INDICATORS, len(L.OVERVIEW_INDICATOR_COLUMNS) - 1)
    height = max(8.0, 0.6 * len(ids))
    _chart(ws, "Kết quả theo chỉ tiêu", "bar", "stacked", (3, 5), r - len(ids), r - 1, ANCHORS[2],
           header=r - len(ids) - 1, height=height)
    free = int(ANCHORS[2][1:]) + int(height / CM_PER_ROW) + 2  # the first row below that chart
    r, free = _trends(book, ws, max(r + 1, free), ids, free)  # each section below the charts above it
    section = 6
    if child.children:  # a province over districts: each district's communes
        r, free = _districts(book, ws, max(r + 1, free), free)
        section = 7
    horizon = L.OVERVIEW_HORIZON_YEARS
    ws.cell(r + 1, 1, f"{section}. Công nhận hết hiệu lực đến hết năm {book.year + horizon} "
                      f"(tối đa {L.OVERVIEW_EXPIRING_ROWS} dòng; đầy đủ ở trang '{L.SHEET_REGISTER}')").font = BOLD
    book.header(ws, r + 2, L.OVERVIEW_EXPIRING_COLUMNS)
    first = r + 3
    book.name(L.N_OV_EXPIRING, ws, f"A{first}:E{first + L.OVERVIEW_EXPIRING_ROWS - 1}")
    ws.freeze_panes = None
    book.print_setup(ws, None, landscape=True)


def _trends(book, ws, row: int, ids: list[str], free: int) -> tuple[int, int]:
    """Section 5: units by level per year (the year in column A, written by the merge) with a
    stacked column chart, and each indicator's level-1 pass rate per year (years as the header,
    also written by the merge). Returns (the row after, the first row below its chart)."""
    years = L.OVERVIEW_TREND_YEARS
    ws.cell(row, 1, f"5. Xu hướng qua các năm (tối đa {years} năm; năm trước lấy từ sổ tổng hợp các năm trước: "
                    "cdht merge --previous)").font = BOLD
    book.header(ws, row + 1, L.OVERVIEW_TREND_COLUMNS)
    first = row + 2
    last = first + years - 1
    book.name(L.N_OV_TREND_LEVELS, ws, f"A{first}:{_col(len(L.OVERVIEW_TREND_COLUMNS))}{last}")
    anchor = f"I{max(row, free)}"
    _chart(ws, "Tự đánh giá theo mức độ qua các năm", "col", "stacked", (2, 4), first, last, anchor, header=row + 1)
    free = max(row, free) + int(7.5 / CM_PER_ROW) + 2
    head = last + 2
    book.header(ws, head, ["Tỉ lệ đạt mức độ 1 (%) — chỉ tiêu"] + [""] * years)
    book.name(L.N_OV_TREND_YEARS, ws, f"B{head}:{_col(1 + years)}{head}")
    for k, ind in enumerate(ids):
        ws.cell(head + 1 + k, 1, ind)
    book.name(L.N_OV_TREND_INDICATORS, ws, f"B{head + 1}:{_col(1 + years)}{head + len(ids)}")
    return head + len(ids) + 1, free


def _districts(book, ws, row: int, free: int) -> tuple[int, int]:
    """Section 6 of a province over districts: per district (code and name written by the merge),
    its communes: listed, filed, by self-assessed level, recognised; with a stacked bar chart."""
    n = len(book.expected_children()) or L.OVERVIEW_DISTRICT_ROWS  # the registry's districts, else room for 30
    ws.cell(row, 1, "6. Xã theo huyện (từ sổ tổng hợp của các huyện đã nhận)").font = BOLD
    book.header(ws, row + 1, L.OVERVIEW_DISTRICT_COLUMNS)
    first, last = row + 2, row + 1 + n
    book.name(L.N_OV_DISTRICTS, ws, f"A{first}:{_col(len(L.OVERVIEW_DISTRICT_COLUMNS))}{last}")
    anchor = f"K{max(row, free)}"
    height = max(7.5, 0.5 * n)
    chart = _chart(ws, "Xã theo mức độ tự đánh giá, theo huyện", "bar", "stacked", (5, 7), first, last, anchor,
                   header=row + 1, height=height)
    chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))  # the districts' names
    return last + 1, max(row, free) + int(height / CM_PER_ROW) + 2


def _col(k: int) -> str:
    return chr(ord("A") + k - 1)


def _block(book, ws, row: int, title: str, header: list[str], labels: list[str], name: str, width: int) -> int:
    """A section title, its header, its fixed row labels (column A) and the named numbers to their
    right (``width`` columns); the row after the block."""
    ws.cell(row, 1, title).font = BOLD
    book.header(ws, row + 1, header)
    first = row + 2
    for k, label in enumerate(labels):
        ws.cell(first + k, 1, label)
    last = first + len(labels) - 1
    book.name(name, ws, f"B{first}:{chr(ord('A') + width)}{last}")
    return last + 1


def _chart(ws, title: str, direction: str, grouping: str | None, cols: tuple[int, int], first: int, last: int,
           anchor: str, header: int | None = None, titles: list[str] | None = None, height: float = 7.5) -> BarChart:
    """A native bar/column chart over columns ``cols`` of rows ``first``–``last`` (categories in A);
    series titles from the ``header`` row, or ``titles``."""
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = direction, title, height, 16
    if grouping:
        chart.grouping, chart.overlap = grouping, 100
    if header is not None:
        data = Reference(ws, min_col=cols[0], max_col=cols[1], min_row=header, max_row=last)
        chart.add_data(data, titles_from_data=True)
    else:
        chart.add_data(Reference(ws, min_col=cols[0], max_col=cols[1], min_row=first, max_row=last))
        for s, t in zip(chart.series, titles or []):
            s.tx = SeriesLabel(v=t)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    if direction == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    chart.y_axis.majorGridlines = None
    chart.y_axis.scaling.min = 0  # counts from zero (an automatic axis may start at 4.4)
    if len(chart.series) == 1:
        chart.legend = None
    chart.x_axis.delete = chart.y_axis.delete = False
    ws.add_chart(chart, anchor)
    return chart
