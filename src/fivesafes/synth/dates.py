"""Dates as integer day numbers (days since 1970-01-01), vectorised with numpy.

``NO_DATE`` marks a missing date. Formatting goes through a lookup table built once per format, so
rendering a million dates is one array take.
"""

from __future__ import annotations

from functools import cache

import numpy as np

NO_DATE = -(2**30)  # a missing date
TABLE_START = "1900-01-01"
TABLE_END = "2040-12-31"


def day(iso: str) -> int:
    """The day number of an ISO date string."""
    return int(np.datetime64(iso, "D").astype(np.int64))


def to_ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day (1-31) of each day number."""
    as_date = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    years = as_date.astype("datetime64[Y]")
    months = as_date.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    dom = (as_date - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def month_length(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    start = (np.asarray(year) - 1970) * 12 + (np.asarray(month) - 1)
    first = start.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (start + 1).astype("datetime64[M]").astype("datetime64[D]")
    return (nxt - first).astype(np.int64)


def from_ymd(year: np.ndarray, month: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """Day numbers of valid (year, month, day) triples."""
    start = (np.asarray(year) - 1970) * 12 + (np.asarray(month) - 1)
    first = start.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + np.asarray(dom) - 1


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    year, month, dom = to_ymd(days)
    dom = np.minimum(dom, month_length(year + years, month))
    return from_ymd(year + years, month, dom)


def age_on(dob: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years of age on each date."""
    by, bm, bd = to_ymd(dob)
    oy, om, od = to_ymd(on)
    before_birthday = (om < bm) | ((om == bm) & (od < bd))
    return oy - by - before_birthday.astype(np.int64)


def render(fmt: str, year: int, month: int, dom: int) -> str:
    """Write a (possibly impossible) date with a strptime-style format of %d, %m and %Y."""
    return (
        fmt.replace("%Y", f"{year:04d}").replace("%m", f"{month:02d}").replace("%d", f"{dom:02d}")
    )


@cache
def _table(fmt: str) -> tuple[int, np.ndarray]:
    start, end = day(TABLE_START), day(TABLE_END)
    year, month, dom = to_ymd(np.arange(start, end + 1))
    pattern = fmt.replace("%Y", "{0:04d}").replace("%m", "{1:02d}").replace("%d", "{2:02d}")
    texts = [
        pattern.format(y, m, d)
        for y, m, d in zip(year.tolist(), month.tolist(), dom.tolist(), strict=True)
    ]
    table = np.array([*texts, ""], dtype=object)  # the last entry renders NO_DATE
    return start, table


def format_days(days: np.ndarray, fmt: str) -> np.ndarray:
    """Render day numbers with ``fmt`` (object array of str); ``NO_DATE`` renders as ``""``."""
    start, table = _table(fmt)
    days = np.asarray(days, dtype=np.int64)
    index = days - start
    missing = days == NO_DATE
    if np.any(~missing & ((index < 0) | (index >= len(table) - 1))):
        raise ValueError("date outside the formatting table")
    index = np.where(missing, len(table) - 1, index)
    return table[index]
