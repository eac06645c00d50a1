"""UK postcodes: normalise, validate, correct, split and find in free text (Python reference).

Grammar (BS 7666): an outward code of pattern ``A9``, ``A99``, ``AA9``, ``AA99``, ``A9A`` or
``AA9A`` and an inward code ``9AA``, with the letter rules: no ``Q``, ``V``, ``X`` first; no ``I``,
``J``, ``Z`` second; third letter of ``A9A`` from ``ABCDEFGHJKPSTUW``; fourth letter of ``AA9A``
from ``ABEHMNPRVWXY``; the inward letters never ``C``, ``I``, ``K``, ``M``, ``O``, ``V``.
``GIR 0AA`` is also accepted.

Normalising a postcode *column*: every character that is not an ASCII letter or digit is removed
(spaces, punctuation, stray symbols), the rest is upper-cased. A valid result is kept as is
(flag ``ok``). Otherwise the ``O``/``0`` and ``I``/``1`` confusions are corrected **only when the
grammar leaves exactly one reading**: each pattern of the right length fixes, position by position,
whether a digit or a letter is expected, which gives one candidate per pattern (``O`` -> ``0`` and
``I`` -> ``1`` where a digit is expected, ``0`` -> ``O`` and ``1`` -> ``I`` where a letter is). If
exactly one distinct candidate is valid it is used (flag ``corrected``): ``LS6 OAB`` becomes
``LS6 0AB`` and ``0L9 1AB`` becomes ``OL9 1AB``, but ``BO5 ODB`` (``B05 0DB`` or ``BO5 0DB``?)
is never guessed (flag ``invalid``). This equals trying every combination of swaps and keeping
the result only when exactly one combination is valid.

Postcodes inside free-text addresses are only taken when they are valid as written (no
correction): :func:`~.addresses.extract_postcode` returns the *last* one, as a UK address ends with its
postcode.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

PostcodeFlag = Literal["ok", "corrected", "from_address", "invalid", "missing"]

FIRST = "[A-PR-UWYZ]"
SECOND = "[A-HK-Y]"
THIRD_A9A = "[A-HJKPSTUW]"
FOURTH_AA9A = "[ABEHMNPRVWXY]"
INWARD_LETTER = "[ABD-HJLNP-UW-Z]"
DIGIT = "[0-9]"

#: Outward-code patterns as the character class of each position.
OUTWARD_PATTERNS: dict[str, tuple[str, ...]] = {
    "A9": (FIRST, DIGIT),
    "A99": (FIRST, DIGIT, DIGIT),
    "AA9": (FIRST, SECOND, DIGIT),
    "A9A": (FIRST, DIGIT, THIRD_A9A),
    "AA99": (FIRST, SECOND, DIGIT, DIGIT),
    "AA9A": (FIRST, SECOND, DIGIT, FOURTH_AA9A),
}
INWARD_PATTERN: tuple[str, ...] = (DIGIT, INWARD_LETTER, INWARD_LETTER)

OUTWARD_RE = "(?:" + "|".join("".join(p) for p in OUTWARD_PATTERNS.values()) + ")"
INWARD_RE = "".join(INWARD_PATTERN)
#: A whole compact postcode (no space), anchored by full-match use.
COMPACT_RE = f"(?:{OUTWARD_RE}{INWARD_RE}|GIR0AA)"
#: A postcode in normalised address text (upper case, single spaces), space optional.
ADDRESS_RE = rf"\b({OUTWARD_RE} ?{INWARD_RE}|GIR ?0AA)\b"

_COMPACT = re.compile(COMPACT_RE, re.ASCII)
_ADDRESS = re.compile(ADDRESS_RE, re.ASCII)
_NOT_ALNUM = re.compile("[^A-Za-z0-9]")
_AREA = re.compile("^[A-Z]+")


class PostcodeParts(NamedTuple):
    """The geographic levels of a normalised postcode ``LS6 2AB``."""

    area: str  # LS
    district: str  # LS6
    sector: str  # LS6 2


def candidate_patterns() -> dict[int, list[tuple[str, ...]]]:
    """Whole-postcode position patterns grouped by compact length (5, 6 or 7)."""
    by_length: dict[int, list[tuple[str, ...]]] = {}
    for outward in OUTWARD_PATTERNS.values():
        pattern = outward + INWARD_PATTERN
        by_length.setdefault(len(pattern), []).append(pattern)
    return by_length


_CANDIDATE_PATTERNS = candidate_patterns()


def is_valid_compact(compact: str) -> bool:
    """True when an upper-case postcode without spaces matches the grammar."""
    return _COMPACT.fullmatch(compact) is not None


def format_compact(compact: str) -> str:
    """``LS62AB`` -> ``LS6 2AB`` (the inward code is always the last three characters)."""
    return f"{compact[:-3]} {compact[-3:]}"


def _coerce(ch: str, position_class: str) -> str:
    """Swap O/0 or I/1 so the character has the kind (digit or letter) the position expects."""
    if position_class == DIGIT:
        return {"O": "0", "I": "1"}.get(ch, ch)
    return {"0": "O", "1": "I"}.get(ch, ch)


def correction_candidates(compact: str) -> list[str]:
    """One candidate per pattern of the compact length, O/0 and I/1 coerced per position."""
    patterns = _CANDIDATE_PATTERNS.get(len(compact), [])
    return ["".join(_coerce(ch, cls) for ch, cls in zip(compact, p, strict=True)) for p in patterns]


def compact_postcode(value: str) -> str:
    """Keep ASCII letters and digits only, upper-cased: `` ls6-2ab. `` -> ``LS62AB``."""
    return _NOT_ALNUM.sub("", value).upper()


def normalise_postcode(value: str | None) -> tuple[str | None, PostcodeFlag]:
    """Normalise a postcode column value to ``LS6 2AB``; returns ``(postcode, flag)``.

    Flags: ``ok`` (valid as given), ``corrected`` (one unambiguous O/0 or I/1 correction),
    ``invalid`` (postcode ``None``), ``missing`` (no letters or digits at all).
    """
    if value is None:
        return None, "missing"
    compact = compact_postcode(value)
    if not compact:
        return None, "missing"
    if is_valid_compact(compact):
        return format_compact(compact), "ok"
    valid = {c for c in correction_candidates(compact) if is_valid_compact(c)}
    if len(valid) == 1:
        return format_compact(valid.pop()), "corrected"
    return None, "invalid"


def postcode_parts(postcode: str | None) -> PostcodeParts | None:
    """Area, district and sector of a normalised postcode; ``None`` for ``None``."""
    if postcode is None:
        return None
    outward, _, inward = postcode.partition(" ")
    area = _AREA.match(outward)
    return PostcodeParts(area.group(0) if area else outward, outward, f"{outward} {inward[:1]}")


def address_postcodes(text: str | None) -> list[str]:
    """Every valid postcode in normalised address text, compact, in order of appearance."""
    if not text:
        return []
    return [match.replace(" ", "") for match in _ADDRESS.findall(text)]


def remove_postcodes(text: str) -> str:
    """Normalised address text with every valid postcode replaced by a space."""
    return _ADDRESS.sub(" ", text)
