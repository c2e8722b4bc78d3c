"""Administrative format of the dossier's documents (Nghị định 30/2020/NĐ-CP, Phụ lục I) — the one
place these figures live (used by scripts/build_dossier_templates.py)."""
from __future__ import annotations

FONT = "Times New Roman"
BODY_PT = 14            # body text 13–14 pt
HEADING_PT = 13         # national heading and issuing body 12–13 pt
MOTTO_PT = 14           # "Độc lập - Tự do - Hạnh phúc" 13–14 pt
RECIPIENTS_TITLE_PT = 12  # "Nơi nhận:" bold italic 12 pt
RECIPIENTS_PT = 11      # the recipients' list 11 pt
TABLE_PT = 12           # text inside tables
PAGE_MM = (210, 297)    # A4 portrait
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
FIRST_LINE_INDENT_CM = 1.0
SPACE_AFTER_PT = 6
LINE_SPACING = 1.15

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
