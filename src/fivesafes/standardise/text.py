"""Character-level folding shared by names and addresses.

Every rule here has a SQL twin in :mod:`fivesafes.standardise.sql`; the Python functions
are the reference the SQL must agree with.

Folding is: canonical decomposition (NFD), removal of combining marks (Unicode categories Mn, Mc,
Me), recomposition (NFC), then a short transliteration table for Latin letters that have no decomposition (``ß`` ->
``ss``, ``Ø`` -> ``O``, ``Æ`` -> ``AE`` ...). This is what DuckDB's ``strip_accents`` does before the
transliteration, so both engines fold identically. Characters outside ASCII that survive folding
(other scripts, symbols) are later treated as separators by the name and address rules.
"""

from __future__ import annotations

import unicodedata

#: Apostrophe-like characters. They are deleted, so ``O'Brien`` becomes ``OBRIEN``.
APOSTROPHES = "'`\u00b4\u02b9\u02bc\u2018\u2019\u201b"

#: Hyphen- and dash-like characters. They all become ``-``.
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

#: Letters with no Unicode decomposition, and their ASCII spelling (one character).
SINGLE_TRANSLITERATIONS: dict[str, str] = {
    "Ø": "O",
    "ø": "o",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ð": "D",
    "ð": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
}

#: Letters with no Unicode decomposition whose ASCII spelling is two letters.
DOUBLE_TRANSLITERATIONS: dict[str, str] = {
    "ß": "ss",
    "ẞ": "SS",
    "Æ": "AE",
    "æ": "ae",
    "Œ": "OE",
    "œ": "oe",
    "Þ": "TH",
    "þ": "th",
}

_MARK_CATEGORIES = frozenset({"Mn", "Mc", "Me"})
_TRANSLITERATION_TABLE = str.maketrans({**SINGLE_TRANSLITERATIONS, **DOUBLE_TRANSLITERATIONS})


def fold_to_latin(value: str) -> str:
    """Remove accents and transliterate undecomposable Latin letters (``Zoë`` -> ``Zoe``)."""
    if value.isascii():
        return value
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _MARK_CATEGORIES)
    return unicodedata.normalize("NFC", stripped).translate(_TRANSLITERATION_TABLE)


_APOSTROPHE_DELETE = str.maketrans("", "", APOSTROPHES)
_HYPHEN_TO_ASCII = str.maketrans({ch: "-" for ch in HYPHENS})


def fold_for_matching(value: str) -> str:
    """:func:`fold_to_latin`, then apostrophes deleted and every dash-like character made ``-``."""
    return fold_to_latin(value).translate(_APOSTROPHE_DELETE).translate(_HYPHEN_TO_ASCII)


def is_ascii_letter(ch: str) -> bool:
    """True for ``A``-``Z`` and ``a``-``z`` only (``str.isalpha`` accepts every script)."""
    return ("A" <= ch <= "Z") or ("a" <= ch <= "z")


def is_ascii_digit(ch: str) -> bool:
    """True for ``0``-``9`` only (``str.isdigit`` accepts other scripts' digits)."""
    return "0" <= ch <= "9"
