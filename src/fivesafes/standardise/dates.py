"""Dates of birth parsed with the contract's strptime format, never guessed (Python reference).

Supported directives: ``%d``, ``%m``, ``%Y`` (four digits), ``%b`` (English three-letter month,
any case), ``%B`` (English full month name, any case), ``%H``, ``%M``, ``%S`` and ``%%``; the
format needs exactly one day, one month and one year. ``%y`` is refused: a two-digit year of birth
cannot be given a century without guessing.

The value is trimmed of spaces, then must have the format's exact *shape* (a regular expression
built from the format: ``%d`` is one or two digits, or exactly two when a digit follows directly;
literal characters match themselves). Flags, in the order they are tested:

``missing``      NULL, empty or spaces only;
``bad_format``   the shape does not match (``1990-02-01`` for ``%d/%m/%Y``);
``impossible``   the shape matches but no such date or time exists (``31/02/1990``);
``before_1900``  a real date before 1900-01-01;
``future``       a real date after the ``as_of`` date;
``ok``           anything else; only then is the date of birth set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

DobFlag = Literal["ok", "missing", "bad_format", "impossible", "before_1900", "future"]

EARLIEST_DOB = date(1900, 1, 1)
MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_ABBREVIATIONS = tuple(name[:3] for name in MONTH_NAMES)

_NUMERIC = frozenset("dmHMS")
_SUPPORTED = frozenset("dmYbBHMS")
_MONTH_DIRECTIVES = frozenset("mbB")
_LIMITS = {"H": 23, "M": 59, "S": 59}


@dataclass(frozen=True)
class DobFormat:
    """A checked strptime format and the shape regex both engines use to guard parsing."""

    strptime: str
    regex: str
    fields: tuple[str, ...]


def _tokens(fmt: str) -> list[tuple[str, str]]:
    """Split a strptime format into ``("directive", letter)`` and ``("literal", char)``."""
    tokens: list[tuple[str, str]] = []
    index = 0
    while index < len(fmt):
        ch = fmt[index]
        if ch != "%":
            tokens.append(("literal", ch))
            index += 1
            continue
        if index + 1 == len(fmt):
            raise ValueError(f"date format {fmt!r} ends with a lone %")
        directive = fmt[index + 1]
        if directive == "%":
            tokens.append(("literal", "%"))
        elif directive == "y":
            raise ValueError(
                f"date format {fmt!r} uses %y: a two-digit year of birth cannot be given a "
                "century without guessing; ask the data owner for four-digit years (%Y)"
            )
        elif directive not in _SUPPORTED:
            raise ValueError(
                f"date format {fmt!r} uses %{directive}, which is not supported for dates of "
                "birth (supported: %d %m %Y %b %B %H %M %S %%)"
            )
        else:
            tokens.append(("directive", directive))
        index += 2
    return tokens


def _literal_regex(ch: str) -> str:
    if ch.isascii() and not ch.isalnum() and ch != " ":
        return "\\" + ch
    return ch


def _starts_with_digit(token: tuple[str, str] | None) -> bool:
    if token is None:
        return False
    kind, value = token
    return value in _NUMERIC or value == "Y" if kind == "directive" else "0" <= value <= "9"


def _starts_with_letter(token: tuple[str, str] | None) -> bool:
    if token is None:
        return False
    kind, value = token
    return value in "bB" if kind == "directive" else value.isalpha()


def compile_dob_format(fmt: str) -> DobFormat:
    """Check a date-of-birth format and build its shape regex; ``ValueError`` says what is wrong."""
    tokens = _tokens(fmt)
    directives = [value for kind, value in tokens if kind == "directive"]
    for directive in set(directives):
        if directives.count(directive) > 1:
            raise ValueError(f"date format {fmt!r} uses %{directive} more than once")
    months = [d for d in directives if d in _MONTH_DIRECTIVES]
    if "Y" not in directives or "d" not in directives or len(months) != 1:
        raise ValueError(f"date format {fmt!r} needs exactly one %d, one %m/%b/%B and one %Y")
    parts: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if kind == "literal":
            parts.append(_literal_regex(value))
        elif value == "Y":
            parts.append("([0-9]{4})")
        elif value == "b":
            parts.append("([A-Za-z]{3})")
        elif value == "B":
            if _starts_with_letter(following):
                raise ValueError(f"date format {fmt!r}: %B must not be followed by a letter")
            parts.append("([A-Za-z]+)")
        else:
            parts.append("([0-9]{2})" if _starts_with_digit(following) else "([0-9]{1,2})")
    return DobFormat(strptime=fmt, regex="".join(parts), fields=tuple(directives))


def days_in_month(year: int, month: int) -> int:
    """Days in a month of the proleptic Gregorian calendar (year 0 is a leap year)."""
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _month(directive: str, text: str) -> int:
    if directive == "m":
        return int(text)
    names = MONTH_ABBREVIATIONS if directive == "b" else MONTH_NAMES
    lowered = text.lower()
    return names.index(lowered) + 1 if lowered in names else 0


def parse_dob(value: str | None, fmt: str | DobFormat, as_of: date) -> tuple[date | None, DobFlag]:
    """Parse a date of birth; returns ``(date or None, flag)`` (flags in the module docstring)."""
    checked = fmt if isinstance(fmt, DobFormat) else compile_dob_format(fmt)
    if value is None or not value.strip(" "):
        return None, "missing"
    match = re.fullmatch(checked.regex, value.strip(" "), re.ASCII)
    if match is None:
        return None, "bad_format"
    fields = dict(zip(checked.fields, match.groups(), strict=True))
    year, day = int(fields["Y"]), int(fields["d"])
    month_directive = next(d for d in checked.fields if d in _MONTH_DIRECTIVES)
    month = _month(month_directive, fields[month_directive])
    times_ok = all(int(fields.get(d, "0")) <= limit for d, limit in _LIMITS.items())
    if not (1 <= month <= 12 and 1 <= day <= days_in_month(year, month) and times_ok):
        return None, "impossible"
    if year < EARLIEST_DOB.year:
        return None, "before_1900"
    parsed = date(year, month, day)
    if parsed > as_of:
        return None, "future"
    return parsed, "ok"
