""""Xã trong tỉnh" (issue 12, case 9): when district workbooks are merged into the province, each
district's commune rows — its "Đơn vị cấp dưới" list and its register of decisions — are carried
up, so the Sở can count communes by level and check the districts' 15/5 reports.

Read from the district's saved file (only the districts accepted into the province): the
commune's receipt status in the district, its standing in the district's register (a decision in
force, awaiting a decision, expired) and the decision behind it.
"""
from __future__ import annotations

import datetime as dt

from cdht import contract as L
from cdht.evaluate import level_label
from cdht.xlsx.fastread import read_raw

from cdht.ops.merge.children import children_table, existing_rows
from cdht.ops.merge.model import SourceResult
from cdht.ops.register import read_register, unit_standing


_SELF_COLUMN = L.CHILD_FIXED_COLUMNS.index("Mức độ tự đánh giá")
_SELF_LEVELS = {level_label(k): k for k in (0, 1, 2)}


def _cell(row: list, k: int):
    return row[k] if k < len(row) else None


def district_communes(district: SourceResult, year: int, profile=None) -> list[dict]:
    """The commune rows of one merged district workbook (empty when it cannot be read)."""
    from cdht.ops.merge.derive import _carried_receipt

    try:
        rb = read_raw(district.file)
    except Exception:  # the district was judged readable; a file gone since is simply left out
        return []
    rows = existing_rows(children_table(rb))
    decisions, _ = read_register(rb, district.file.name)
    for d in decisions:
        d.evaluate(dt.date(year, 12, 31), None, profile, "xa")
    out = []
    for code, row in rows.items():
        receipt = _carried_receipt(row)
        appraised = row.get("appraised") if row.get("appraised") in (1, 2) else None
        st = unit_standing(code, decisions, appraised=appraised, receipt=receipt)
        d = st.decision
        out.append({"district": district.unit_code, "district_name": district.unit_name, "unit": code,
                    "name": row.get("name"), "receipt": receipt.value,
                    "self_assessed": _SELF_LEVELS.get(_cell(row["row"], _SELF_COLUMN)),
                    "status": st.status.value, "level": st.level,
                    "decision": {"number": d.number, "date": d.date.isoformat(), "issuer": d.issuer,
                                 "in_force": d.in_force} if d else None})
    return out
