"""Text typed into a live Excel cell stays that text (cdht.xlsx.names.excel_literal).

The add-in writes an open book the way a person types (Range.Value): Excel reads "00004" as the
number 4, "01/02/2027" as a date, "1234567e8901" as 1.23E+14. A unit code read back as 4 is no
longer "00004", and its unit is then "not submitted". Such text is sent with Excel's text prefix
(an apostrophe, which is not part of the cell's value); any other text is sent as it is."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from cdht.xlsx.names import excel_literal, sheet_text

PREFIXED = ["00004", "30280", "1234567e8901", "2026-12-02 20:37:49", "01/02/2027", "1/2", "1-2", "0.1.0", "12%",
            "(12)", "$1,000", " 42 ", "12:30 PM", "Mar 2026", "5 March", "TRUE", "false", "#N/A", "=SUM(A1)",
            "+84 912", "-5", "@x", "'giữ dấu nháy", "15/13/2026"]
AS_IS = ["MAU-X0101", "58f44161d491", "123/QĐ-UBND", "Xã An Phú (mẫu)", "Đạt", "Không đạt", "Mức độ 2", "MĐ2",
         "CDHT_2026_xa_BEN-X00001.xlsx", "Tháng 3/2026", "Marketing 2026", "Đã nhận", "", "Xã 5", "xa.1.1"]


@pytest.mark.parametrize("text", PREFIXED)
def test_text_excel_would_read_otherwise_gets_the_text_prefix(text):
    assert excel_literal(text) == "'" + text


@pytest.mark.parametrize("text", AS_IS)
def test_other_text_goes_as_it_is(text):
    assert excel_literal(text) == text


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_only_ever_the_cleaned_text_with_or_without_one_prefix(text):
    clean = sheet_text(text)
    assert excel_literal(text) in (clean, "'" + clean)
    assert excel_literal(text) == "'" + clean or not clean[:1] in ("=", "+", "-", "@", "'")
