"""The cell styles of every issued workbook. Colours come from :mod:`cdht.contract` (their one home)."""
from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from cdht import contract as L

FILL_INPUT = PatternFill("solid", fgColor=L.COLOR_INPUT)
FILL_HEADER = PatternFill("solid", fgColor=L.COLOR_HEADER)
FILL_CRITERION = PatternFill("solid", fgColor=L.COLOR_CRITERION)
FILL_MISSING = PatternFill("solid", fgColor=L.COLOR_MISSING)
FILL_FAIL = PatternFill("solid", fgColor=L.COLOR_FAIL)
FILL_NO_EVIDENCE = PatternFill("solid", fgColor=L.COLOR_NO_EVIDENCE)
FILL_PASS = PatternFill("solid", fgColor=L.COLOR_PASS)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
SMALL_ITALIC = Font(italic=True, size=9)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
THIN = Border(*(Side(style="thin", color=L.COLOR_BORDER),) * 4)
UNLOCKED = Protection(locked=False)
DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = L.TEXT_FORMAT  # Excel's "Text": what is typed is kept as typed, never read as a number or date
