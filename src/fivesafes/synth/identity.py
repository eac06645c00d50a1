"""What a record says about a person: the true identity with recording errors applied.

Every error is drawn per record at the rate named in :mod:`fivesafes.synth.rates` and counted in an
:class:`ErrorLog`, so the summary can report how many records carry each kind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from . import dates, names, places, rates
from .population import FEMALE, MALE, NOT_STATED, UNKNOWN, Population

LETTERS = "abcdefghijklmnopqrstuvwxyz"
EPOCH = date(1970, 1, 1)


class ErrorLog:
    """Counts of records carrying each kind of recording error, per source."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, source: str, kind: str, count: int) -> None:
        self.counts[(source, kind)] += int(count)

    def by_kind(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for (_, kind), count in self.counts.items():
            out[kind] += count
        return dict(sorted(out.items()))


@dataclass
class Recorded:
    forename: np.ndarray  # object arrays of str
    middle: np.ndarray
    surname: np.ndarray
    dob: np.ndarray  # NO_DATE when missing
    sex: np.ndarray  # MALE, FEMALE or UNKNOWN
    line1: np.ndarray
    town: np.ndarray
    postcode: np.ndarray  # "" when missing
    region: np.ndarray
    town_index: np.ndarray
    ethnicity: np.ndarray  # 0..4, or NOT_STATED


def typo(text: str, op: int, where: float, letter: str) -> str:
    """One keyboard slip: 0 insertion, 1 deletion, 2 substitution, 3 transposition."""
    if not text:
        return text
    n = len(text)
    i = min(int(where * n), n - 1)
    if text.isupper():
        letter = letter.upper()
    if op == 0:
        return text[:i] + letter + text[i:]
    if op == 1 and n > 2:
        return text[:i] + text[i + 1 :]
    if op == 3 and n > 2:
        j = min(i, n - 2)
        if text[j] != text[j + 1]:
            return text[:j] + text[j + 1] + text[j] + text[j + 2 :]
    if text[i].lower() == letter.lower():
        letter = LETTERS[(LETTERS.index(letter.lower()) + 1) % 26]
        letter = letter.upper() if text.isupper() else letter
    return text[:i] + letter + text[i + 1 :]


def postcode_typo(postcode: str, where: int, pick: int) -> str:
    """Mistype one character of the inward code, keeping the postcode format-valid."""
    if len(postcode) < 3:
        return postcode
    i = len(postcode) - 3 + where  # sector digit, then the two unit letters
    if where == 0:
        choices = "0123456789"
    else:
        choices = places.UNIT_LETTERS
    current = postcode[i]
    options = [c for c in choices if c != current]
    return postcode[:i] + options[pick % len(options)] + postcode[i + 1 :]


def _digit_error(dob: int, position: int, digit: int, latest_year: int) -> int:
    """Change one digit of the date (as ddmmyyyy, never the century) so that it is still a
    valid, different, plausible date; failing that, move it back a year."""
    when = EPOCH + timedelta(days=dob)
    digits = f"{when.day:02d}{when.month:02d}{when.year:04d}"
    for attempt in range(10):
        k = (position + attempt) % 6
        at = (0, 1, 2, 3, 6, 7)[k]
        new = str((digit + attempt) % 10)
        if new == digits[at]:
            new = str((int(new) + 1) % 10)
        text = digits[:at] + new + digits[at + 1 :]
        try:
            changed = date(int(text[4:8]), int(text[2:4]), int(text[0:2]))
        except ValueError:
            continue
        if 1905 <= changed.year <= latest_year:
            return (changed - EPOCH).days
    back = date(when.year - 1, when.month, min(when.day, 28))
    return (back - EPOCH).days


def _mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return rng.random(n) < rate


def render(
    pop: Population,
    person: np.ndarray,
    day: np.ndarray,
    rng: np.random.Generator,
    log: ErrorLog,
    source: str,
    ethnicity: bool = True,
) -> Recorded:
    """The identifiers a record made on ``day`` holds for each of ``person`` (and the ethnicity it
    records, unless ``ethnicity`` is false: then the true group is returned and nothing logged)."""
    n = len(person)
    forename, middle, surname = _names(pop, person, day, rng, log, source, n)
    dob = _dob(pop, person, rng, log, source, n)

    sex = pop.sex[person].astype(np.int8)
    wrong = _mask(rng, n, rates.SEX_WRONG_RATE)
    sex = np.where(wrong, np.where(sex == MALE, FEMALE, MALE), sex)
    missing = _mask(rng, n, rates.SEX_MISSING_RATE)
    sex = np.where(missing, UNKNOWN, sex).astype(np.int8)
    log.add(source, "sex_wrong", wrong.sum())
    log.add(source, "sex_missing", missing.sum())

    slot = (day >= pop.moves[person, 0]).astype(np.int64) + (day >= pop.moves[person, 1])
    stale = (slot > 0) & _mask(rng, n, rates.STALE_ADDRESS_RATE)
    slot = slot - stale
    log.add(source, "stale_address", stale.sum())
    address = pop.address_id[person, slot]
    book = pop.addresses
    postcode = book.postcode[address].copy()
    missing = _mask(rng, n, rates.POSTCODE_MISSING_RATE)
    mistyped = np.flatnonzero(~missing & _mask(rng, n, rates.POSTCODE_TYPO_RATE))
    where = rng.integers(0, 3, len(mistyped))
    pick = rng.integers(0, 100, len(mistyped))
    for k, i in enumerate(mistyped.tolist()):
        postcode[i] = postcode_typo(postcode[i], int(where[k]), int(pick[k]))
    postcode[missing] = ""
    log.add(source, "postcode_missing", missing.sum())
    log.add(source, "postcode_typo", len(mistyped))

    group = pop.ethnicity[person].astype(np.int8)
    if ethnicity:
        different = _mask(rng, n, rates.ETHNICITY_DIFFERENT_RATE)
        group = np.where(different, (group + rng.integers(1, 5, n)) % 5, group)
        not_stated = _mask(rng, n, rates.ETHNICITY_NOT_STATED_RATE)
        group = np.where(not_stated, NOT_STATED, group).astype(np.int8)
        log.add(source, "ethnicity_different", different.sum())
        log.add(source, "ethnicity_not_stated", not_stated.sum())

    return Recorded(
        forename=forename,
        middle=middle,
        surname=surname,
        dob=dob,
        sex=sex,
        line1=book.line1[address],
        town=book.town[address],
        postcode=postcode,
        region=book.region[address],
        town_index=book.town_index[address],
        ethnicity=group,
    )


def _names(
    pop: Population,
    person: np.ndarray,
    day: np.ndarray,
    rng: np.random.Generator,
    log: ErrorLog,
    source: str,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    forename = pop.forename[person].copy()
    middle = pop.middle[person].copy()
    changed = day >= pop.surname_change[person]
    old_kept = changed & _mask(rng, n, rates.OLD_SURNAME_RATE)
    surname = np.where(
        changed & ~old_kept, pop.surname_after[person], pop.surname_before[person]
    ).astype(object)
    log.add(source, "old_surname", old_kept.sum())
    log.add(source, "surname_changed", (changed & ~old_kept).sum())  # a true change, not an error

    alias = (pop.alias_forename[person] != "") & _mask(rng, n, rates.ALIAS_USE_RATE)
    forename[alias] = pop.alias_forename[person[alias]]
    surname[alias] = pop.alias_surname[person[alias]]
    middle[alias] = ""
    log.add(source, "alias", alias.sum())

    variants = names.variant_map()
    chosen = np.flatnonzero(_mask(rng, n, rates.NICKNAME_RATE) & ~alias)
    pick = rng.random(len(chosen))
    changed_names = 0
    for k, i in enumerate(chosen.tolist()):
        others = variants.get(forename[i])
        if others:
            forename[i] = others[int(pick[k] * len(others))]
            changed_names += 1
    log.add(source, "nickname", changed_names)

    slips = np.flatnonzero(_mask(rng, n, rates.NAME_TYPO_RATE))
    field = rng.random(len(slips)) < 0.5
    op = rng.integers(0, 4, len(slips))
    where = rng.random(len(slips))
    letter = rng.integers(0, 26, len(slips))
    for k, i in enumerate(slips.tolist()):
        target = forename if field[k] else surname
        target[i] = typo(target[i], int(op[k]), float(where[k]), LETTERS[letter[k]])
    log.add(source, "forename_typo", int(field.sum()))
    log.add(source, "surname_typo", int(len(slips) - field.sum()))

    swap = _mask(rng, n, rates.NAME_SWAP_RATE)
    forename[swap], surname[swap] = surname[swap], forename[swap]
    log.add(source, "name_swap", swap.sum())
    return forename, middle, surname


def _dob(
    pop: Population,
    person: np.ndarray,
    rng: np.random.Generator,
    log: ErrorLog,
    source: str,
    n: int,
) -> np.ndarray:
    dob = pop.dob[person].copy()
    year, month, dom = dates.to_ymd(dob)
    eligible = (dom <= 12) & (dom != month)
    swap = eligible & _mask(rng, n, rates.DOB_SWAP_RATE)
    dob[swap] = dates.from_ymd(year[swap], dom[swap], month[swap])
    log.add(source, "dob_day_month_swap", swap.sum())
    log.add(source, "dob_swap_eligible", eligible.sum())
    slips = np.flatnonzero(~swap & _mask(rng, n, rates.DOB_DIGIT_RATE))
    position = rng.integers(0, 6, len(slips)).tolist()
    digit = rng.integers(0, 10, len(slips)).tolist()
    latest_year = int(rates.EXTRACT_DATE[:4])
    for k, i in enumerate(slips.tolist()):
        dob[i] = _digit_error(int(dob[i]), position[k], digit[k], latest_year)
    log.add(source, "dob_digit", len(slips))
    missing = _mask(rng, n, rates.DOB_MISSING_RATE)
    dob[missing] = dates.NO_DATE
    log.add(source, "dob_missing", missing.sum())
    return dob


def vary(values: np.ndarray, rng: np.random.Generator, log: ErrorLog, source: str) -> np.ndarray:
    """Case and whitespace variation of a text column (names, addresses)."""
    values = values.copy()
    n = len(values)
    case = np.flatnonzero(_mask(rng, n, rates.CASE_VARIATION_RATE))
    upper = rng.random(len(case)) < 0.5
    for k, i in enumerate(case.tolist()):
        values[i] = values[i].upper() if upper[k] else values[i].lower()
    spaced = np.flatnonzero(_mask(rng, n, rates.EXTRA_SPACE_RATE))
    how = rng.integers(0, 3, len(spaced))
    for k, i in enumerate(spaced.tolist()):
        text = values[i]
        if how[k] == 0 and " " in text:
            values[i] = text.replace(" ", "  ", 1)
        elif how[k] == 1:
            values[i] = " " + text
        else:
            values[i] = text + " "
    log.add(source, "case_variation", len(case))
    log.add(source, "extra_space", len(spaced))
    return values


def address_on(pop: Population, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index into ``pop.addresses`` of where each person truly lived on ``day``."""
    slot = (day >= pop.moves[person, 0]).astype(np.int64) + (day >= pop.moves[person, 1])
    return pop.address_id[person, slot]
