"""cdht.dates: civil-code month arithmetic (Bộ luật Dân sự 2015 Điều 147–148), reading typed
dates, and the two readings of "trước ngày X"."""
from __future__ import annotations

import datetime as dt

import pytest

from cdht.dates import (BEFORE, ON_OR_BEFORE, add_months, add_working_days, last_day_on_time,
                        month_day, on_time, parse_date, period_end, read_date)

D = dt.date


@pytest.mark.parametrize("start, months, expected", [
    (D(2024, 2, 29), 36, D(2027, 2, 28)),    # the example: no 29/02/2027 → last day
    (D(2024, 2, 29), 48, D(2028, 2, 29)),    # a leap target keeps the corresponding day
    (D(2024, 1, 31), 1, D(2024, 2, 29)),     # month-end start → last day of a shorter month
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 4, 30), 1, D(2024, 5, 30)),     # corresponding day, not "month end to month end"
    (D(2024, 11, 30), 3, D(2025, 2, 28)),
    (D(2023, 12, 31), 36, D(2026, 12, 31)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),    # counting back
    (D(2025, 1, 15), -13, D(2023, 12, 15)),
    (D(2025, 6, 1), 0, D(2025, 6, 1)),
])
def test_add_months_civil_code(start, months, expected):
    assert add_months(start, months) == expected


def test_period_end_is_not_a_day_short():
    # Điều 147: the decision's day is not counted; Điều 148: ends at the end of the corresponding day
    assert period_end(D(2024, 2, 29), 36) == D(2027, 2, 28)
    assert period_end(D(2024, 3, 15), 36) == D(2027, 3, 15)


@pytest.mark.parametrize("value, expected", [
    (D(2025, 2, 27), D(2025, 2, 27)),
    (dt.datetime(2025, 2, 27, 16, 30), D(2025, 2, 27)),
    (45351, D(2024, 2, 29)),                 # Excel serial (1900 system)
    (45351.75, D(2024, 2, 29)),              # with a time part
    (1, D(1900, 1, 1)),
    (59, D(1900, 2, 28)),
    (61, D(1900, 3, 1)),
    ("45351", D(2024, 2, 29)),
    ("29/02/2024", D(2024, 2, 29)),
    (" 5/3/2025 ", D(2025, 3, 5)),           # day first, always
    ("05-03-2025", D(2025, 3, 5)),
    ("05.03.2025", D(2025, 3, 5)),
    ("2025-03-05", D(2025, 3, 5)),
    ("2025-03-05 00:00:00", D(2025, 3, 5)),
    ("2025-03-05T09:15", D(2025, 3, 5)),
])
def test_parse_date_accepts_what_users_type(value, expected):
    assert parse_date(value) == expected
    assert read_date(value) == (expected, None)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_none_without_reason(value):
    assert read_date(value) == (None, None)
    assert parse_date(value) is None


@pytest.mark.parametrize("value, words", [
    ("31/02/2024", "ngày không có thật (tháng 02/2024 có 29 ngày)"),
    ("29/02/2025", "ngày không có thật (tháng 02/2025 có 28 ngày)"),
    ("2024-13-01", "không có tháng 13"),
    ("12/31/2024", "không có tháng 31"),     # month first is refused, not swapped
    ("05/03/25", "năm phải ghi đủ 4 chữ số"),
    ("không rõ", "không phải ngày"),
    (60, "không phải ngày có thật"),         # Excel's phantom 29/02/1900
    (0, "không phải ngày Excel hợp lệ"),
    (-3, "không phải ngày Excel hợp lệ"),
    (float("nan"), "không phải ngày Excel hợp lệ"),
    (True, "không phải ngày"),
    ([2024, 1, 1], "không phải ngày"),
])
def test_bad_dates_give_a_reason(value, words):
    d, reason = read_date(value)
    assert d is None and parse_date(value) is None
    assert words in reason


def test_on_time_two_readings_of_truoc_ngay():
    deadline = month_day("02-28", 2027)
    assert deadline == D(2027, 2, 28)
    # default: literal "trước ngày 28/02" — 28/02 itself is late
    assert on_time(D(2027, 2, 27), deadline)
    assert not on_time(D(2027, 2, 28), deadline)
    assert not on_time(dt.datetime(2027, 2, 28, 7, 0), deadline, BEFORE)
    assert last_day_on_time(deadline) == D(2027, 2, 27)
    # the profile's alternative: on or before
    assert on_time(D(2027, 2, 28), deadline, ON_OR_BEFORE)
    assert not on_time(D(2027, 3, 1), deadline, ON_OR_BEFORE)
    assert last_day_on_time(deadline, ON_OR_BEFORE) == deadline
    with pytest.raises(ValueError):
        on_time(D(2027, 2, 1), deadline, "đúng hạn")


def test_working_days():
    # Friday 07/03/2025 + 1 working day = Monday 10/03; + 20 = Friday 04/04
    assert add_working_days(D(2025, 3, 7), 1) == D(2025, 3, 10)
    assert add_working_days(D(2025, 3, 7), 20) == D(2025, 4, 4)
    # a holiday in between pushes it one day
    assert add_working_days(D(2025, 3, 7), 20, holidays=[D(2025, 3, 12)]) == D(2025, 4, 7)
