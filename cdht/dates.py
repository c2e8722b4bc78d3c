"""The only date helpers of the product: civil-code month arithmetic, reading what users type,
and the deadlines of the procedure.

Month arithmetic follows Bộ luật Dân sự 2015:

- Điều 147: a period counted in days, weeks, months or years starts on the day *after* the event.
- Điều 148 khoản 1: a period in months ends at the end of the corresponding day of the last month;
  when that month has no corresponding day, at the end of its last day. So 29/02/2024 + 36 months
  = 28/02/2027, 31/01/2024 + 1 month = 29/02/2024, and 30/04 + 1 month = 30/05 (not 31/05).

"Trước ngày X" (Thông tư 25/2023, Điều 9, 14, 19: "gửi hồ sơ … trước ngày 28 tháng 02") is
read, by default, literally: strictly before X, so a dossier received on X itself is late
(:data:`BEFORE`). A province that reads it as "on or before" sets :data:`ON_OR_BEFORE` in its
profile. Every deadline comparison goes through :func:`on_time`.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

BEFORE = "before"              # "trước ngày X": X itself is late (the default, literal reading)
ON_OR_BEFORE = "on_or_before"  # "trước ngày X" read as "đến hết ngày X"
READINGS = (BEFORE, ON_OR_BEFORE)

# The last year any date of this procedure can plausibly carry (an assessment year, a decision):
# a later one is a typo or a hostile file, refused with a coded finding, and everything computed
# from a year (deadlines in N+1, validity N+3, 36 months) stays far inside Python's calendar.
LAST_PLAUSIBLE_YEAR = 2199

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 = 01/03/1900 (Excel's 1900 system, 29/02/1900 bug)
_MAX_SERIAL = 2958465                 # 31/12/9999


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` + ``months`` calendar months (Bộ luật Dân sự 2015, Điều 148): the corresponding day
    of the target month, or its last day when it has none. Negative ``months`` count back."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def period_end(start_event: dt.date, months: int) -> dt.date:
    """Last day of a period of ``months`` months counted from an event on ``start_event``
    (Điều 147: the event's day is not counted; Điều 148: it ends at the end of the corresponding
    day of the last month). A decision of 29/02/2024 valid 36 months is in force through 28/02/2027."""
    return add_months(start_event, months)


def _excel_serial(n: float) -> dt.date | None:
    whole = int(n)
    if whole < 1 or whole > _MAX_SERIAL or whole == 60:  # 60 = 29/02/1900, a day that never was
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=whole) if whole > 60 else dt.date(1899, 12, 31) + dt.timedelta(days=whole)


_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")


def _build(year: int, month: int, day: int, text: str) -> tuple[dt.date | None, str | None]:
    if not 1 <= month <= 12:
        return None, f"'{text}': không có tháng {month} (ghi ngày theo dạng ngày/tháng/năm, ví dụ 28/02/2025)"
    last = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31
    if not 1 <= year <= 9999 or not 1 <= day <= last:
        return None, f"'{text}': ngày không có thật (tháng {month:02d}/{year} có {last} ngày)"
    return dt.date(year, month, day), None


def _read_number(value: float) -> tuple[dt.date | None, str | None]:
    if value != value or value < 1 or value > _MAX_SERIAL:  # NaN or out of Excel's range
        return None, f"số {value} không phải ngày Excel hợp lệ"
    d = _excel_serial(value)
    return (d, None) if d else (None, f"số {value} không phải ngày có thật")


def _read_text(text: str) -> tuple[dt.date | None, str | None]:
    if not text:
        return None, None
    m = _DMY.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        if len(m.group(3)) != 4:
            return None, f"'{text}': năm phải ghi đủ 4 chữ số (ví dụ 28/02/2025)"
        return _build(year, month, day, text)
    m = _YMD.match(text)
    if m:
        year, month, day = (int(g) for g in m.groups())
        return _build(year, month, day, text)
    if _SERIAL.match(text):
        return _read_number(float(text))
    return None, f"'{text}' không phải ngày (ghi theo dạng ngày/tháng/năm, ví dụ 28/02/2025)"


def read_date(value) -> tuple[dt.date | None, str | None]:
    """What a user typed → (date, None); (None, None) for a blank; (None, reason) otherwise, the
    reason in Vietnamese and quoting the value.

    Accepted: a date or datetime; an Excel serial number (1900 system: 45351 = 29/02/2024);
    ``dd/mm/yyyy`` (also with ``-`` or ``.``; always day first, as written in Vietnam); ISO
    ``yyyy-mm-dd`` (optionally with a time). A two-digit year is refused rather than guessed."""
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _read_number(value)
    if isinstance(value, str):
        return _read_text(value.strip())
    return None, f"'{value}' không phải ngày"


def parse_date(value) -> dt.date | None:
    """The date a user typed, or None (blank or unreadable: use :func:`read_date` for the reason)."""
    return read_date(value)[0]


def month_day(mmdd: str, year: int) -> dt.date:
    """A deadline written ``"MM-DD"`` (as in the catalogue and the profile) in a given year."""
    m, d = (int(x) for x in str(mmdd).split("-"))
    return dt.date(year, m, d)


def on_time(received: dt.date | dt.datetime, deadline: dt.date, reading: str = BEFORE) -> bool:
    """Is something received on ``received`` in time for "trước ngày ``deadline``"?"""
    if isinstance(received, dt.datetime):
        received = received.date()
    if reading == BEFORE:
        return received < deadline
    if reading == ON_OR_BEFORE:
        return received <= deadline
    raise ValueError(f"unknown reading of 'trước ngày': {reading!r} (expected one of {READINGS})")


def last_day_on_time(deadline: dt.date, reading: str = BEFORE) -> dt.date:
    """The last day on which "trước ngày ``deadline``" is still met under ``reading``."""
    on_time(deadline, deadline, reading)  # validates the reading
    return deadline - dt.timedelta(days=1) if reading == BEFORE else deadline


def add_working_days(start: dt.date, days: int, holidays=()) -> dt.date:
    """``start`` + ``days`` working days (Monday–Friday, minus ``holidays``), the start day not
    counted (Điều 147). Used for the Ministry's "20 ngày làm việc" after a complete dossier."""
    off = set(holidays)
    d, left = start, days
    while left > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in off:
            left -= 1
    return d
