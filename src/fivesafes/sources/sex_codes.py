"""The one rule for reading a contract's sex codes in any case, which ingest (validation) and
linkage (standardising) both follow.

A code is looked up exactly; when it is not found and the contract's codes stay distinct once
upper-cased, it is looked up again with both sides upper-cased (``m`` is male with codes
``M``/``F``). Codes that differ only by case are matched exactly. Upper-casing is DuckDB's
``upper`` (:func:`sql_upper`), so Python and SQL agree.
"""

from __future__ import annotations

from collections.abc import Mapping

#: What a contract's sex codes may mean; standardised sex is one of these.
SEX_VALUES = ("male", "female", "unknown")

# Where Python's str.upper and DuckDB's upper differ for one character.
_UPPER_EXCEPTIONS = {"ß": "ẞ"}


def sql_upper(value: str) -> str:
    """Upper case as DuckDB's ``upper`` does it: one character for one character."""
    out = []
    for ch in value:
        upper = _UPPER_EXCEPTIONS.get(ch, ch.upper())
        out.append(upper if len(upper) == 1 else ch)
    return "".join(out)


def case_insensitive_codes(codes: Mapping[str, str]) -> dict[str, str] | None:
    """The code table keyed by upper-cased code, or ``None`` when two codes would collide."""
    upper = {sql_upper(code): value for code, value in codes.items()}
    return upper if len(upper) == len(codes) else None
