"""Sex codes mapped through the contract's code table (Python reference).

The value is trimmed of spaces and looked up exactly (case-sensitive: a contract lists every code
its source uses). Flags: ``ok`` (mapped to ``male`` or ``female``), ``unknown`` (the table maps
the code to ``unknown``), ``unknown_code`` (the code is not in the table), ``missing`` (NULL or
blank). Only ``ok`` rows have a sex; every other row is NULL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

SexFlag = Literal["ok", "unknown", "unknown_code", "missing"]
SEX_VALUES = ("male", "female", "unknown")


def map_sex(value: str | None, codes: Mapping[str, str]) -> tuple[str | None, SexFlag]:
    """``('M', {'M': 'male'})`` -> ``('male', 'ok')``; see the module docstring for the flags."""
    if value is None or not value.strip(" "):
        return None, "missing"
    mapped = codes.get(value.strip(" "))
    if mapped is None:
        return None, "unknown_code"
    if mapped == "unknown":
        return None, "unknown"
    return mapped, "ok"
