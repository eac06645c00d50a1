"""Free-text addresses: normalised text, postcode extraction and tokens (Python reference).

Normalised address text is: folded (:func:`~.text.fold_to_latin`), apostrophes deleted, every
character other than an ASCII letter or digit turned into a space, upper-cased, spaces collapsed
and trimmed. Address tokens are the words of that text with every valid postcode removed and
common street-type abbreviations expanded (:data:`ABBREVIATIONS`). ``ST`` is ambiguous: it is
``SAINT`` as the first token or after a token holding a digit (``12 ST JOHNS ROAD``), otherwise
``STREET`` (``HIGH ST``).
"""

from __future__ import annotations

import re

from fivesafes.standardise.postcodes import (
    address_postcodes,
    format_compact,
    remove_postcodes,
)
from fivesafes.standardise.text import fold_for_matching

#: Abbreviation -> expansion for address tokens (``ST`` is handled separately).
ABBREVIATIONS: dict[str, str] = {
    "RD": "ROAD",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "LN": "LANE",
    "DR": "DRIVE",
    "DRV": "DRIVE",
    "CRES": "CRESCENT",
    "CRESC": "CRESCENT",
    "CL": "CLOSE",
    "CT": "COURT",
    "CRT": "COURT",
    "PL": "PLACE",
    "SQ": "SQUARE",
    "GDNS": "GARDENS",
    "GRN": "GREEN",
    "GR": "GROVE",
    "GRV": "GROVE",
    "TER": "TERRACE",
    "TERR": "TERRACE",
    "TCE": "TERRACE",
    "PK": "PARK",
    "PDE": "PARADE",
    "HSE": "HOUSE",
    "APT": "APARTMENT",
    "FLT": "FLAT",
    "BLDG": "BUILDING",
    "BLDGS": "BUILDINGS",
    "EST": "ESTATE",
    "MT": "MOUNT",
    "WY": "WAY",
    "WK": "WALK",
    "HTS": "HEIGHTS",
    "CTGS": "COTTAGES",
    "CNR": "CORNER",
    "UPR": "UPPER",
    "LWR": "LOWER",
    "GT": "GREAT",
    "NTH": "NORTH",
    "STH": "SOUTH",
    "BLVD": "BOULEVARD",
    "MWS": "MEWS",
}

_NOT_ALNUM = re.compile("[^A-Za-z0-9]")
_DIGIT = re.compile("[0-9]")


def address_text(value: str | None) -> str | None:
    """Normalised address text (see the module docstring); ``None`` when nothing is left."""
    if value is None:
        return None
    text = _NOT_ALNUM.sub(" ", fold_for_matching(value)).upper()
    return " ".join(word for word in text.split(" ") if word) or None


def extract_postcode(address: str | None) -> str | None:
    """The last valid postcode in a free-text address, normalised (``LS6 2AB``), or ``None``.

    ``12 Acacia Road, Leeds LS6 2AB`` and ``..., LS62AB`` both give ``LS6 2AB``.
    """
    found = address_postcodes(address_text(address))
    return format_compact(found[-1]) if found else None


def expand_tokens(tokens: list[str]) -> list[str]:
    """Expand street-type abbreviations, ``ST`` by position (see the module docstring)."""
    expanded = []
    for index, token in enumerate(tokens):
        if token == "ST":
            after_number = index > 0 and _DIGIT.search(tokens[index - 1]) is not None
            expanded.append("SAINT" if index == 0 or after_number else "STREET")
        else:
            expanded.append(ABBREVIATIONS.get(token, token))
    return expanded


def address_tokens(address: str | None) -> list[str] | None:
    """Tokens of a free-text address without its postcode(s); ``None`` when there are none."""
    text = address_text(address)
    if text is None:
        return None
    tokens = [token for token in remove_postcodes(text).split(" ") if token]
    return expand_tokens(tokens) or None
