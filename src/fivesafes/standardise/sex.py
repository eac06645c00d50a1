"""Sex codes mapped through the contract's code table (Python reference).

The value is trimmed of spaces and looked up exactly. When it is not found and the contract's
codes stay distinct once upper-cased, it is looked up again with both sides upper-cased, so that a
value ingest accepted (ingest accepts any case for such codes, see
:mod:`fivesafes.sources.validation`) is also mapped here: with codes ``M``/``F``, ``m`` is male.
Codes that differ only by case (``M`` and ``m`` meaning different things) are matched exactly.
Upper-casing is DuckDB's ``upper`` (:func:`sql_upper`), so both engines agree.

Flags: ``ok`` (mapped to ``male`` or ``female``), ``unknown`` (the table maps the code to
``unknown``), ``unknown_code`` (the code is not in the table), ``missing`` (NULL or blank). Only
``ok`` rows have a sex; every other row is NULL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from fivesafes.sources.sex_codes import SEX_VALUES, case_insensitive_codes, sql_upper

SexFlag = Literal["ok", "unknown", "unknown_code", "missing"]

__all__ = ["SEX_VALUES", "SexFlag", "map_sex"]


def map_sex(value: str | None, codes: Mapping[str, str]) -> tuple[str | None, SexFlag]:
    """``('M', {'M': 'male'})`` -> ``('male', 'ok')``; see the module docstring for the flags."""
    if value is None or not value.strip(" "):
        return None, "missing"
    code = value.strip(" ")
    mapped = codes.get(code)
    if mapped is None:
        upper = case_insensitive_codes(codes)
        mapped = upper.get(sql_upper(code)) if upper is not None else None
    if mapped is None:
        return None, "unknown_code"
    if mapped == "unknown":
        return None, "unknown"
    return mapped, "ok"
