"""Dates as the product speaks them: dd-mm-jjjj in and out, calendar months, and peildatums.

>>> parse_date("03-02-2026")
datetime.date(2026, 2, 3)
>>> dutch_date(dt.date(2026, 2, 3))
'03-02-2026'
>>> add_months(dt.date(2026, 1, 31), 1)
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from trajecttools.core.errors import TrajecttoolsError

#: Date formats accepted in forms and imports; the first is the one the product writes.
DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
_MOMENT_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


def parse_date(value: Any) -> dt.date | None:
    """Parse a date given as date, datetime or text (dd-mm-jjjj or jjjj-mm-dd)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ValueError("is geen geldige datum (gebruik dd-mm-jjjj)")


def parse_datetime(value: Any) -> dt.datetime | None:
    """Parse a moment given as datetime, date or text (dd-mm-jjjj uu:mm or ISO)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        text = value.strip()
        for fmt in _MOMENT_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
        try:
            return dt.datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            pass
        day = parse_date(text)
        if day is not None:
            return dt.datetime.combine(day, dt.time())
    raise ValueError("is geen geldig tijdstip (gebruik dd-mm-jjjj uu:mm)")


def parse_day(value: dt.date | str, what: str = "datum") -> dt.date:
    """Return a date given as a date or dd-mm-jjjj text; ValueError naming ``what`` in Dutch.

    >>> parse_day("31-02-2026", "peildatum")
    Traceback (most recent call last):
    ...
    ValueError: '31-02-2026' is geen geldige peildatum (gebruik dd-mm-jjjj).
    """
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"'{value}' is geen geldige {what} (gebruik dd-mm-jjjj).")
    return day


def parse_as_of(value: dt.date | str | None) -> dt.date | None:
    """Return the peildatum given as a date or dd-mm-jjjj text (None: today); a Dutch error else.

    >>> parse_as_of("01-11-2026")
    datetime.date(2026, 11, 1)
    """
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return parse_day(value, "peildatum")
    except ValueError as exc:
        raise TrajecttoolsError(str(exc)) from None


def is_missing(value: object) -> bool:
    """Tell whether a value is missing as Python, numpy or pandas spell it (None, NaN, NaT, NA).

    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NaT), is_missing("")
    (True, True, True, False)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):  # a list or another value pandas cannot judge alone
        return False


def dutch_date(value: object) -> str:
    """Format a date as dd-mm-jjjj (empty when missing).

    >>> dutch_date(pd.Timestamp("2026-03-01")), dutch_date(float("nan"))
    ('01-03-2026', '')
    """
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def dutch_moment(value: object) -> str:
    """Format a moment as dd-mm-jjjj uu:mm (empty when missing).

    >>> dutch_moment(dt.datetime(2026, 2, 3, 9, 30))
    '03-02-2026 09:30'
    """
    if isinstance(value, dt.datetime):
        return f"{value:%d-%m-%Y %H:%M}"
    return dutch_date(value)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months_grid(days: np.ndarray, months: Iterable[int]) -> np.ndarray:
    """Return each date plus each number of months, clipped to the month's end.

    ``days`` is a 1-d ``datetime64`` array; the result has shape ``(len(days), len(months))``.

    >>> add_months_grid(np.array(["2025-01-31"], dtype="datetime64[D]"), [1, 6])
    array([['2025-02-28', '2025-07-31']], dtype='datetime64[D]')
    """
    d = np.asarray(days, dtype="datetime64[D]")
    steps = np.asarray(list(months), dtype="int64")
    month = d.astype("datetime64[M]")
    offset = (d - month.astype("datetime64[D]")).astype("int64")
    target = month[:, None] + steps[None, :]
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        "int64"
    )
    return target.astype("datetime64[D]") + np.minimum(offset[:, None], length - 1)


def add_months_each(dates: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Return each date plus its own number of months (NaN months give NaT), month-end clipped.

    >>> add_months_each(np.array(["2025-01-31"], dtype="datetime64[ns]"), np.array([1.0]))
    array(['2025-02-28T00:00:00.000000000'], dtype='datetime64[ns]')
    """
    out = np.full(dates.shape, np.datetime64("NaT", "ns"))
    for n in np.unique(months[~np.isnan(months)]):
        sel = (months == n) & ~np.isnat(dates)
        shifted = pd.DatetimeIndex(dates[sel]) + pd.DateOffset(months=int(n))
        out[sel] = shifted.to_numpy().astype("datetime64[ns]")
    return out


def utcnow() -> dt.datetime:
    """Return the current UTC time without time zone (as the audit log stores it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now_on(day: dt.date) -> dt.datetime:
    """Return ``day`` at the current local time of day (whole seconds)."""
    return dt.datetime.combine(day, dt.datetime.now().time().replace(microsecond=0))


__all__ = [
    "DATE_FORMATS",
    "add_months",
    "add_months_each",
    "add_months_grid",
    "dutch_date",
    "dutch_moment",
    "is_missing",
    "now_on",
    "parse_as_of",
    "parse_date",
    "parse_datetime",
    "parse_day",
    "utcnow",
]
