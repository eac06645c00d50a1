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
DEFAULT_RECORDING = rates.Recording()
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
    errors: rates.Recording = DEFAULT_RECORDING,
) -> Recorded:
    """The identifiers a record made on ``day`` holds for each of ``person`` (and the ethnicity it
    records, unless ``ethnicity`` is false: then the true group is returned and nothing logged),
    with recording errors at the rates of ``errors``."""
    n = len(person)
    forename, middle, surname = _names(pop, person, day, rng, log, source, n, errors)
    dob = _dob(pop, person, rng, log, source, n, errors)

    sex = pop.sex[person].astype(np.int8)
    wrong = _mask(rng, n, errors.sex_wrong)
    sex = np.where(wrong, np.where(sex == MALE, FEMALE, MALE), sex)
    missing = _mask(rng, n, errors.sex_missing)
    sex = np.where(missing, UNKNOWN, sex).astype(np.int8)
    log.add(source, "sex_wrong", wrong.sum())
    log.add(source, "sex_missing", missing.sum())

    slot = (day >= pop.moves[person, 0]).astype(np.int64) + (day >= pop.moves[person, 1])
    stale = (slot > 0) & _mask(rng, n, errors.stale_address)
    slot = slot - stale
    log.add(source, "stale_address", stale.sum())
    address = pop.address_id[person, slot]
    book = pop.addresses
    postcode = book.postcode[address].copy()
    missing = _mask(rng, n, errors.postcode_missing)
    mistyped = np.flatnonzero(~missing & _mask(rng, n, errors.postcode_typo))
    where = rng.integers(0, 3, len(mistyped))
    pick = rng.integers(0, 100, len(mistyped))
    for k, i in enumerate(mistyped.tolist()):
        postcode[i] = postcode_typo(postcode[i], int(where[k]), int(pick[k]))
    postcode[missing] = ""
    log.add(source, "postcode_missing", missing.sum())
    log.add(source, "postcode_typo", len(mistyped))
    # A sparse record (a quick entry) has neither date of birth nor postcode: it can bridge people.
    sparse = _mask(rng, n, errors.sparse_record)
    dob[sparse] = dates.NO_DATE
    postcode[sparse] = ""
    log.add(source, "sparse_record", sparse.sum())

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
    errors: rates.Recording,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    forename = pop.forename[person].copy()
    middle = pop.middle[person].copy()
    changed = day >= pop.surname_change[person]
    old_kept = changed & _mask(rng, n, errors.old_surname)
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
    chosen = np.flatnonzero(_mask(rng, n, errors.nickname) & ~alias)
    pick = rng.random(len(chosen))
    changed_names = 0
    for k, i in enumerate(chosen.tolist()):
        others = variants.get(forename[i])
        if others:
            forename[i] = others[int(pick[k] * len(others))]
            changed_names += 1
    log.add(source, "nickname", changed_names)

    slips = np.flatnonzero(_mask(rng, n, errors.name_typo))
    field = rng.random(len(slips)) < 0.5
    op = _typo_ops(rng, len(slips), errors.typo_ops)
    where = rng.random(len(slips))
    letter = rng.integers(0, 26, len(slips))
    for k, i in enumerate(slips.tolist()):
        target = forename if field[k] else surname
        target[i] = typo(target[i], int(op[k]), float(where[k]), LETTERS[letter[k]])
    log.add(source, "forename_typo", int(field.sum()))
    log.add(source, "surname_typo", int(len(slips) - field.sum()))

    _heldback_names(forename, surname, rng, log, source, n, errors)

    swap = _mask(rng, n, errors.name_swap)
    forename[swap], surname[swap] = surname[swap], forename[swap]
    log.add(source, "name_swap", swap.sum())
    return forename, middle, surname


def _typo_ops(rng: np.random.Generator, count: int, shares: tuple[float, ...]) -> np.ndarray:
    if tuple(shares) == (0.25, 0.25, 0.25, 0.25):
        return rng.integers(0, 4, count)  # the default model's draw, kept for its byte output
    p = np.asarray(shares, dtype=float)
    return rng.choice(4, count, p=p / p.sum())


# Look-alike characters an OCR reading confuses.
OCR_PAIRS = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("O", "0"), ("o", "0"), ("I", "1"),
             ("l", "1"), ("S", "5"), ("B", "8"), ("e", "c"), ("h", "b"), ("u", "v"), ("E", "F"))
# Spelling by sound: the first pair found (after the first letter) is replaced.
SOUND_PAIRS = (("ph", "f"), ("ck", "k"), ("ll", "l"), ("tt", "t"), ("nn", "n"), ("ss", "s"),
               ("y", "i"), ("ie", "y"), ("ei", "ie"), ("son", "sen"), ("ey", "y"), ("c", "k"))


def ocr_slip(text: str, start: float) -> str:
    """Replace one look-alike sequence, the first found from ``start`` (a share of the way in)."""
    if not text:
        return text
    at = int(start * len(text))
    for seq, by in OCR_PAIRS:
        for found in (text.find(seq, at), text.find(seq)):
            if found >= 0:
                return text[:found] + by + text[found + len(seq):]
    return text


def sound_spelling(text: str) -> str:
    """Spell a name as it sounds (one change), keeping upper case or an initial capital."""
    lower = text.lower()
    for seq, by in SOUND_PAIRS:
        found = lower.find(seq, 1)
        if found >= 0:
            new = lower[:found] + by + lower[found + len(seq):]
            return new.upper() if text.isupper() else new[:1].upper() + new[1:]
    return text


def _heldback_names(
    forename: np.ndarray,
    surname: np.ndarray,
    rng: np.random.Generator,
    log: ErrorLog,
    source: str,
    n: int,
    errors: rates.Recording,
) -> None:
    """The error kinds only a held-back model uses (in place; no draws when their rates are 0)."""
    if errors.ocr:
        read = np.flatnonzero(_mask(rng, n, errors.ocr))
        field = rng.random(len(read)) < 0.5
        start = rng.random(len(read))
        for k, i in enumerate(read.tolist()):
            target = forename if field[k] else surname
            target[i] = ocr_slip(target[i], float(start[k]))
        log.add(source, "ocr", len(read))
    if errors.phonetic:
        spelled = np.flatnonzero(_mask(rng, n, errors.phonetic))
        for i in spelled.tolist():
            surname[i] = sound_spelling(surname[i])
        log.add(source, "phonetic", len(spelled))
    if errors.initial_only:
        short = np.flatnonzero(_mask(rng, n, errors.initial_only))
        for i in short.tolist():
            forename[i] = forename[i][:1]
        log.add(source, "initial_only", len(short))


def _dob(
    pop: Population,
    person: np.ndarray,
    rng: np.random.Generator,
    log: ErrorLog,
    source: str,
    n: int,
    errors: rates.Recording,
) -> np.ndarray:
    dob = pop.dob[person].copy()
    year, month, dom = dates.to_ymd(dob)
    eligible = (dom <= 12) & (dom != month)
    swap = eligible & _mask(rng, n, errors.dob_swap)
    dob[swap] = dates.from_ymd(year[swap], dom[swap], month[swap])
    log.add(source, "dob_day_month_swap", swap.sum())
    log.add(source, "dob_swap_eligible", eligible.sum())
    slips = np.flatnonzero(~swap & _mask(rng, n, errors.dob_digit))
    position = rng.integers(0, 6, len(slips)).tolist()
    digit = rng.integers(0, 10, len(slips)).tolist()
    latest_year = int(rates.EXTRACT_DATE[:4])
    for k, i in enumerate(slips.tolist()):
        dob[i] = _digit_error(int(dob[i]), position[k], digit[k], latest_year)
    log.add(source, "dob_digit", len(slips))
    if errors.dob_year_off:
        off = np.flatnonzero(_mask(rng, n, errors.dob_year_off))
        y, m, d = dates.to_ymd(dob[off])
        step = np.where((rng.random(len(off)) < 0.5) | (y >= latest_year), -1, 1)
        dob[off] = dates.from_ymd(y + step, m, np.minimum(d, 28))
        log.add(source, "dob_year_off", len(off))
    if errors.dob_placeholder:
        placeholder = np.flatnonzero(_mask(rng, n, errors.dob_placeholder))
        y = dates.to_ymd(dob[placeholder])[0]
        dob[placeholder] = dates.from_ymd(y, np.ones_like(y), np.ones_like(y))
        log.add(source, "dob_placeholder", len(placeholder))
    missing = _mask(rng, n, errors.dob_missing)
    dob[missing] = dates.NO_DATE
    log.add(source, "dob_missing", missing.sum())
    return dob


def vary(
    values: np.ndarray,
    rng: np.random.Generator,
    log: ErrorLog,
    source: str,
    errors: rates.Recording = DEFAULT_RECORDING,
) -> np.ndarray:
    """Case and whitespace variation of a text column (names, addresses)."""
    values = values.copy()
    n = len(values)
    case = np.flatnonzero(_mask(rng, n, errors.case_variation))
    upper = rng.random(len(case)) < 0.5
    for k, i in enumerate(case.tolist()):
        values[i] = values[i].upper() if upper[k] else values[i].lower()
    spaced = np.flatnonzero(_mask(rng, n, errors.extra_space))
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
