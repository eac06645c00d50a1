"""Name cleaning, full-name splitting and swap helpers (the Python reference).

A *cleaned* name is upper-case ASCII letters in words separated by single spaces; a hyphen may join
the parts of one word (``SMITH-JONES``). The rules, in order:

1. fold accents and undecomposable letters (:func:`~.text.fold_to_latin`): ``Zoë`` -> ``Zoe``;
2. delete apostrophes: ``O'Brien`` -> ``OBrien``;
3. turn every dash-like character into ``-``;
4. turn every other character that is not an ASCII letter or ``-`` into a space (digits, commas,
   full stops, other scripts);
5. upper-case;
6. a run of spaces and hyphens that holds a hyphen becomes one ``-`` (``Smith - Jones`` ->
   ``SMITH-JONES``); leading and trailing spaces and hyphens go; spaces collapse;
7. drop words that are titles or suffixes (:data:`TITLES`); anything left empty is ``None``.

Hyphens are kept in the cleaned form so that full names split on words (``Mary-Jane Smith-Jones``
has two words); :func:`name_tokens` and :func:`joined_name` give the parts and the joined form.
``MC DONALD`` stays two words: :func:`joined_name` (``MCDONALD``) is the form to compare.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from fivesafes.standardise.text import fold_for_matching, is_ascii_letter

NameOrder = Literal["surname_first", "forename_first"]
NAME_ORDERS: tuple[NameOrder, ...] = ("surname_first", "forename_first")

#: Whole words removed from names: honorifics and generational suffixes. ``LORD`` and ``LADY``
#: are real surnames, so they are kept.
TITLES: frozenset[str] = frozenset(
    {
        "MR", "MRS", "MS", "MISS", "MX", "MSTR", "MASTER", "DR", "SIR", "DAME",
        "REV", "REVD", "REVEREND", "PROF",
        "JR", "JNR", "SR", "SNR", "ESQ", "II", "III",
    }
)  # fmt: skip

_HYPHEN_RUN = re.compile(r"[ -]*-[ -]*")
_TOKEN_SPLIT = re.compile(r"[ -]")


class NameParts(NamedTuple):
    """One person's cleaned name: first given name, further given names, family name."""

    forename: str | None
    middle_names: str | None
    surname: str | None


def clean_name(value: str | None) -> str | None:
    """Clean one name or name part (see the module docstring); ``None`` when nothing is left."""
    if value is None:
        return None
    text = fold_for_matching(value)
    text = "".join(ch if is_ascii_letter(ch) or ch == "-" else " " for ch in text).upper()
    text = _HYPHEN_RUN.sub("-", text).strip(" -")
    words = [word for word in text.split(" ") if word and word not in TITLES]
    return " ".join(words) or None


def name_tokens(cleaned: str | None) -> list[str]:
    """Split a cleaned name on spaces and hyphens: ``SMITH-JONES`` -> ``['SMITH', 'JONES']``."""
    if not cleaned:
        return []
    return _TOKEN_SPLIT.split(cleaned)


def joined_name(cleaned: str | None) -> str | None:
    """A cleaned name without spaces or hyphens: ``MC DONALD`` -> ``MCDONALD``."""
    if not cleaned:
        return None
    return cleaned.replace(" ", "").replace("-", "")


def first_token(cleaned: str | None) -> str | None:
    """The first token of a cleaned name: ``MARY-JANE`` -> ``MARY``."""
    tokens = name_tokens(cleaned)
    return tokens[0] if tokens else None


def _given_parts(given: str | None) -> tuple[str | None, str | None]:
    """Split cleaned given names into the first word and the remaining words."""
    if given is None:
        return None, None
    first, _, rest = given.partition(" ")
    return first, rest or None


def split_full_name(value: str | None, order: NameOrder) -> NameParts:
    """Split a whole name held in one column.

    A comma wins over the declared order: ``SMITH, John Paul`` and ``SMITH,JOHN`` are always
    surname first (text before the first comma is the surname). A comma with nothing usable after
    it (``John Smith, Jr``) is ignored. Without a comma the declared ``order`` decides:
    ``surname_first`` takes the first word as the surname, ``forename_first`` the last. A single
    word is always the surname. Hyphenated words stay whole (``Mary-Jane Smith-Jones``).
    """
    if order not in NAME_ORDERS:
        raise ValueError(f"name order must be one of {NAME_ORDERS}, not {order!r}")
    if value is None:
        return NameParts(None, None, None)
    before, comma, after = value.partition(",")
    if comma:
        given = clean_name(after)
        if given is not None:
            forename, middle = _given_parts(given)
            return NameParts(forename, middle, clean_name(before))
    whole = clean_name(value)
    if whole is None:
        return NameParts(None, None, None)
    words = whole.split(" ")
    if len(words) == 1:
        return NameParts(None, None, words[0])
    if order == "surname_first":
        surname, given_words = words[0], words[1:]
    else:
        surname, given_words = words[-1], words[:-1]
    forename, middle = _given_parts(" ".join(given_words))
    return NameParts(forename, middle, surname)


def combine_name_parts(
    *,
    forename: str | None = None,
    middle_names: str | None = None,
    surname: str | None = None,
    full_name: str | None = None,
    order: NameOrder = "surname_first",
) -> NameParts:
    """A record's name from whichever raw name columns it has.

    The given names are the cleaned ``forename`` column, or, when that is empty, the given names
    split from ``full_name``. The first given word is the forename; the other given words, then
    the cleaned ``middle_names`` column, are the middle names. The surname is the cleaned
    ``surname`` column, or, when that is empty, the surname split from ``full_name``.
    """
    from_full = split_full_name(full_name, order)
    own_given = clean_name(forename)
    if own_given is not None:
        first, rest = _given_parts(own_given)
    else:
        first, rest = from_full.forename, from_full.middle_names
    middle = " ".join(part for part in (rest, clean_name(middle_names)) if part) or None
    own_surname = clean_name(surname)
    return NameParts(first, middle, own_surname if own_surname is not None else from_full.surname)


def all_name_tokens(parts: NameParts) -> list[str] | None:
    """Sorted distinct tokens of every name part; equal for swapped or reordered names."""
    tokens = {token for part in parts for token in name_tokens(part)}
    return sorted(tokens) or None


def names_swapped(left: NameParts, right: NameParts) -> bool:
    """True when one record's forename is the other's surname and vice versa (all present).

    The comparison uses :func:`joined_name`, so ``MC DONALD`` and ``MCDONALD`` are the same.
    """
    pairs = (
        (left.forename, right.surname),
        (left.surname, right.forename),
    )
    for a, b in pairs:
        if a is None or b is None or joined_name(a) != joined_name(b):
            return False
    return joined_name(left.forename) != joined_name(left.surname)
