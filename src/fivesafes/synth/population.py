"""The synthetic population: who each person truly is.

People are numbered ``0 .. n-1`` internally: family-court adults first, then children in family
cases, then everyone else (people with a criminal career). The number written to ``truth.csv``
(``true_id``) is a random permutation of ``1 .. n``, so it says nothing about that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import dates, family, names, places, rates

MALE, FEMALE, UNKNOWN = 0, 1, 2
WHITE, MIXED, ASIAN, BLACK, OTHER, NOT_STATED = range(6)
NEVER = 2**30  # a date that never comes (no house move, no surname change)

# Name origin mix for each ethnic group (rows) over names.ORIGINS (columns).
ORIGIN_MIX = np.array(
    [
        [0.95, 0.00, 0.00, 0.01, 0.04, 0.00],  # White
        [0.75, 0.08, 0.12, 0.05, 0.00, 0.00],  # Mixed
        [0.04, 0.82, 0.00, 0.00, 0.00, 0.14],  # Asian
        [0.48, 0.00, 0.50, 0.02, 0.00, 0.00],  # Black
        [0.20, 0.00, 0.00, 0.55, 0.10, 0.15],  # Other
    ]
)
# Surnames: the listed English surnames are Zipf-weighted; over half of English-origin people have
# a rarer surname from the built tail (SMITH ends up near its real 1.3%). The short lists of
# other origins are weighted more evenly so that no one name dominates.
TAIL_SURNAME_SHARE = 0.55
ANGLO_SURNAME_EXPONENT = 0.55
OTHER_SURNAME_EXPONENT = 0.35


@dataclass
class Addresses:
    line1: np.ndarray  # object: "12 Acacia Road" or "Flat 3, 12 Acacia Road"
    town: np.ndarray  # object
    postcode: np.ndarray  # object, with the space: "LS6 2AB"
    region: np.ndarray  # int index into places.REGIONS
    town_index: np.ndarray  # int index into places.towns()


@dataclass
class Population:
    n: int
    true_id: np.ndarray
    offends: np.ndarray  # bool: has a criminal career
    sex: np.ndarray
    dob: np.ndarray
    ethnicity: np.ndarray
    forename: np.ndarray
    middle: np.ndarray  # "" when none; two names separated by a space
    surname_before: np.ndarray
    surname_after: np.ndarray
    surname_change: np.ndarray  # day the surname changes; NEVER if it does not
    alias_forename: np.ndarray  # "" when no alias
    alias_surname: np.ndarray
    address_id: np.ndarray  # (n, 3) index into addresses
    moves: np.ndarray  # (n, 2) day of each move; NEVER if none
    addresses: Addresses
    prison_number: np.ndarray
    crn: np.ndarray
    spare_prison_numbers: np.ndarray  # never anyone's own: issued when a person is not recognised
    spare_crns: np.ndarray
    family: family.FamilyPlan
    free_from: int = 0  # people from this number on have no family-court role (confusers use them)


def unique_codes(rng: np.random.Generator, count: int, space: int) -> np.ndarray:
    """``count`` distinct integers below ``space``, drawn at random (deterministic for a seed)."""
    codes = rng.integers(0, space, size=count)
    while True:
        _, first = np.unique(codes, return_index=True)
        duplicate = np.ones(count, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            return codes
        codes[duplicate] = rng.integers(0, space, size=int(duplicate.sum()))


def _digits(width: int) -> np.ndarray:
    return np.array([f"{k:0{width}d}" for k in range(10**width)], dtype=object)


def prison_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Prison numbers in the format A1234BC (first letter A or G)."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    pairs = np.array([a + b for a in letters for b in letters], dtype=object)
    codes = unique_codes(rng, count, 2 * 10_000 * len(pairs))
    first = np.where(codes % 2 == 0, "A", "G").astype(object)
    rest = codes // 2
    return first + _digits(4)[rest % 10_000] + pairs[rest // 10_000]


def crns(rng: np.random.Generator, count: int) -> np.ndarray:
    """Probation case reference numbers in the format X123456."""
    codes = unique_codes(rng, count, 26 * 1_000_000)
    return np.array(
        [f"{chr(65 + c // 1_000_000)}{c % 1_000_000:06d}" for c in codes.tolist()], dtype=object
    )


def _era(dob: np.ndarray) -> np.ndarray:
    year = dates.to_ymd(dob)[0]
    return np.where(year < 1965, 0, np.where(year < 1990, 1, 2))


def _draw_forenames(
    rng: np.random.Generator, sex: np.ndarray, origin: np.ndarray, era: np.ndarray
) -> np.ndarray:
    out = np.empty(len(sex), dtype=object)
    for s in (MALE, FEMALE):
        for o, origin_name in enumerate(names.ORIGINS):
            table, tags = names.forename_table(s, origin_name)
            for e, era_name in enumerate(names.ERAS):
                where = np.flatnonzero((sex == s) & (origin == o) & (era == e))
                if len(where):
                    p = names.forename_weights(tags, era_name)
                    out[where] = np.array(table, dtype=object)[
                        rng.choice(len(table), len(where), p=p)
                    ]
    return out


def _draw_surnames(rng: np.random.Generator, origin: np.ndarray) -> np.ndarray:
    out = np.empty(len(origin), dtype=object)
    for o, origin_name in enumerate(names.ORIGINS):
        where = np.flatnonzero(origin == o)
        if not len(where):
            continue
        table = np.array(names.surname_table(origin_name), dtype=object)
        exponent = ANGLO_SURNAME_EXPONENT if origin_name == "anglo" else OTHER_SURNAME_EXPONENT
        p = names.surname_weights(len(table), exponent)
        out[where] = table[rng.choice(len(table), len(where), p=p)]
        if origin_name == "anglo":
            tail = np.array(names.tail_surnames(), dtype=object)
            rare = where[rng.random(len(where)) < TAIL_SURNAME_SHARE]
            out[rare] = tail[rng.integers(0, len(tail), len(rare))]
    return out


def _draw_towns(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Region and town (global town index) of ``count`` new homes."""
    town_list = places.towns()
    region_weight = np.array([r.weight for r in places.REGIONS])
    region = rng.choice(len(places.REGIONS), count, p=region_weight / region_weight.sum())
    per_region = np.bincount([r for r, _ in town_list], minlength=len(places.REGIONS))
    offset = np.concatenate([[0], np.cumsum(per_region)[:-1]])
    town = offset[region] + (rng.random(count) * per_region[region]).astype(np.int64)
    return region, town


def _addresses_in(rng: np.random.Generator, region: np.ndarray, town: np.ndarray) -> Addresses:
    """A new house in each given town: number, street, postcode."""
    count = len(town)
    town_list = places.towns()
    outward_count = np.array([len(t.outwards) for _, t in town_list])
    outward_offset = np.concatenate([[0], np.cumsum(outward_count)[:-1]])
    outwards = np.array([o + " " for _, t in town_list for o in t.outwards], dtype=object)
    outward = outward_offset[town] + (rng.random(count) * outward_count[town]).astype(np.int64)
    units = places.UNIT_LETTERS
    inwards = np.array(
        [f"{d}{a}{b}" for d in range(10) for a in units for b in units], dtype=object
    )
    postcode = outwards[outward] + inwards[rng.integers(0, len(inwards), count)]

    streets = places.street_names()
    suffix_p = np.array(places.STREET_SUFFIX_WEIGHTS, dtype=float)
    street_names = np.array(
        [f" {st} {sf}" for st in streets for sf in places.STREET_SUFFIXES], dtype=object
    )
    street = rng.integers(0, len(streets), count) * len(places.STREET_SUFFIXES) + rng.choice(
        len(places.STREET_SUFFIXES), count, p=suffix_p / suffix_p.sum()
    )
    number = np.minimum(1 + rng.geometric(0.03, count), 250)
    flat = np.where(rng.random(count) < 0.12, rng.integers(1, 30, count), 0)
    numbers = np.array([str(k) for k in range(251)], dtype=object)
    flats = np.array([""] + [f"Flat {k}, " for k in range(1, 30)], dtype=object)
    line1 = flats[flat] + numbers[number] + street_names[street]
    town_names = np.array([t.name for _, t in town_list], dtype=object)
    return Addresses(
        line1=line1,
        town=town_names[town],
        postcode=postcode,
        region=np.asarray(region, dtype=np.int64),
        town_index=np.asarray(town, dtype=np.int64),
    )


def _offender_dobs(rng: np.random.Generator, count: int) -> np.ndarray:
    """Dates of birth of people with a criminal career: ages mostly 18-45 during the window."""
    first, last = dates.day(rates.FIRST_DATE), dates.day(rates.EXTRACT_DATE)
    reference = rng.integers(first, last + 1, count)
    age = np.minimum(18.0 + rng.gamma(1.6, 9.0, count), 85.0)
    return reference - (age * 365.25).astype(np.int64)


def build(rng: np.random.Generator, people: int) -> Population:
    first, last = dates.day(rates.FIRST_DATE), dates.day(rates.EXTRACT_DATE)
    family_adults = int(round(people * rates.FAMILY_ADULT_SHARE)) if people >= 30 else 0
    plan = family.plan(rng, family_adults)
    n_family = family_adults + plan.children
    if n_family >= people:
        raise AssertionError("family plan larger than the population")  # pragma: no cover
    offenders = people - n_family
    first_offender = n_family
    partners_available = max(1, offenders // 4)
    # Offender partners are the first offenders; map the placeholders to them.
    plan.father = np.where(
        plan.father < 0, first_offender + (-plan.father - 1) % partners_available, plan.father
    )
    plan.party_person = np.where(
        plan.party_person < 0,
        first_offender + (-plan.party_person - 1) % partners_available,
        plan.party_person,
    )
    n = people

    sex = np.empty(n, dtype=np.int8)
    sex[:family_adults] = np.where(np.arange(family_adults) < plan.women, FEMALE, MALE)
    sex[family_adults:n_family] = np.where(rng.random(plan.children) < 0.51, MALE, FEMALE)
    sex[n_family:] = np.where(rng.random(offenders) < rates.OFFENDER_MALE_SHARE, MALE, FEMALE)
    partner_count = min(plan.offender_partners, partners_available)
    sex[first_offender : first_offender + partner_count] = MALE

    dob = np.empty(n, dtype=np.int64)
    dob[:n_family] = plan.dob
    dob[n_family:] = _offender_dobs(rng, offenders)
    if partner_count:
        dob[first_offender : first_offender + partner_count] = plan.partner_dob[:partner_count]

    shares = np.array(rates.ETHNICITY_SHARES)
    ethnicity = rng.choice(5, n, p=shares / shares.sum()).astype(np.int8)
    child_index = np.arange(family_adults, n_family)
    mum = plan.mother[plan.child_couple]
    dad = plan.father[plan.child_couple]
    ethnicity[child_index] = np.where(
        ethnicity[mum] == ethnicity[dad], ethnicity[mum], MIXED
    ).astype(np.int8)

    origin = np.empty(n, dtype=np.int8)
    cumulative = np.cumsum(ORIGIN_MIX, axis=1)
    u = rng.random(n)
    for e in range(5):
        where = ethnicity == e
        origin[where] = np.minimum(
            np.searchsorted(cumulative[e], u[where], side="right"), len(names.ORIGINS) - 1
        )
    era = _era(dob)
    forename = _draw_forenames(rng, sex, origin, era)
    middle1 = _draw_forenames(rng, sex, origin, era)
    middle2 = _draw_forenames(rng, sex, origin, era)
    has_middle = rng.random(n) < rates.MIDDLE_NAME_SHARE
    has_second = has_middle & (rng.random(n) < rates.SECOND_MIDDLE_NAME_SHARE)
    middle = np.array(
        [
            (m1 if m1 != f else "") + (f" {m2}" if two and m2 not in (f, m1) else "") if has else ""
            for f, m1, m2, has, two in zip(
                forename.tolist(),
                middle1.tolist(),
                middle2.tolist(),
                has_middle.tolist(),
                has_second.tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    middle = np.array([m.strip() for m in middle.tolist()], dtype=object)

    birth_surname = _draw_surnames(rng, origin)
    # Children take their father's surname (or, a quarter of the time, their mother's).
    from_father = rng.random(plan.children) < 0.75
    birth_surname[child_index] = np.where(from_father, birth_surname[dad], birth_surname[mum])

    before = birth_surname.copy()
    after = birth_surname.copy()
    change = np.full(n, NEVER, dtype=np.int64)
    _surname_changes(rng, plan, sex, origin, birth_surname, before, after, change, n_family)

    offends = np.zeros(n, dtype=bool)
    offends[n_family:] = True
    adult_by = dates.add_years(dob[child_index], 18)
    offends[child_index] = (adult_by <= last - 180) & (
        rng.random(plan.children) < rates.CHILD_LATER_OFFENDS
    )
    alias = offends & (rng.random(n) < rates.ALIAS_PERSON_RATE)
    alias_forename = np.full(n, "", dtype=object)
    alias_surname = np.full(n, "", dtype=object)
    where = np.flatnonzero(alias)
    anglo = np.zeros(len(where), dtype=np.int8)
    alias_forename[where] = _draw_forenames(rng, sex[where], anglo, era[where])
    alias_surname[where] = _draw_surnames(rng, anglo)

    shares = np.cumsum(rates.ADDRESS_COUNT_SHARES)
    count = 1 + np.searchsorted(shares / shares[-1], rng.random(n), side="right")
    count = np.minimum(count, 3)
    move_days = np.sort(rng.integers(first, last + 1, size=(n, 2)), axis=1)
    moves = np.where(np.arange(2)[None, :] < (count - 1)[:, None], move_days, NEVER)
    address_id, book = _address_history(rng, count)
    # Children live with their mother.
    address_id[child_index] = address_id[mum]
    moves[child_index] = moves[mum]

    true_id = rng.permutation(n).astype(np.int64) + 1
    spares = n // 10 + 10
    numbers = prison_numbers(rng, n + spares)
    references = crns(rng, n + spares)
    return Population(
        n=n,
        true_id=true_id,
        offends=offends,
        sex=sex,
        dob=dob,
        ethnicity=ethnicity,
        forename=forename,
        middle=middle,
        surname_before=before,
        surname_after=after,
        surname_change=change,
        alias_forename=alias_forename,
        alias_surname=alias_surname,
        address_id=address_id,
        moves=moves,
        addresses=book,
        prison_number=numbers[:n],
        crn=references[:n],
        spare_prison_numbers=numbers[n:],
        spare_crns=references[n:],
        family=plan,
        free_from=min(first_offender + partners_available, n),
    )


def _address_history(rng: np.random.Generator, count: np.ndarray) -> tuple[np.ndarray, Addresses]:
    """``count[i]`` (1-3) successive homes per person; a move stays in the same town with
    probability MOVE_SAME_TOWN. Slots a person does not use repeat their last home."""
    n = len(count)
    region = np.empty((n, 3), dtype=np.int64)
    town = np.empty((n, 3), dtype=np.int64)
    region[:, 0], town[:, 0] = _draw_towns(rng, n)
    for k in (1, 2):
        fresh_region, fresh_town = _draw_towns(rng, n)
        stay = rng.random(n) < rates.MOVE_SAME_TOWN
        region[:, k] = np.where(stay, region[:, k - 1], fresh_region)
        town[:, k] = np.where(stay, town[:, k - 1], fresh_town)
    used = np.arange(3)[None, :] < count[:, None]
    book = _addresses_in(rng, region[used], town[used])
    first_id = np.cumsum(count) - count
    slot = np.minimum(np.arange(3)[None, :], (count - 1)[:, None])
    return first_id[:, None] + slot, book


def _surname_changes(
    rng: np.random.Generator,
    plan: family.FamilyPlan,
    sex: np.ndarray,
    origin: np.ndarray,
    birth: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    change: np.ndarray,
    n_family: int,
) -> None:
    """Marriage and divorce surname changes (in place)."""
    first, last = dates.day(rates.FIRST_DATE), dates.day(rates.EXTRACT_DATE)
    # Mothers in couples who married took the father's surname; some revert after a divorce.
    married = plan.married_day != dates.NO_DATE
    mothers = plan.mother[married]
    husbands = plan.father[married]
    after[mothers] = birth[husbands]
    change[mothers] = plan.married_day[married]
    divorced = married & (plan.divorce_day != dates.NO_DATE)
    revert = divorced & (rng.random(len(married)) < rates.DIVORCE_REVERT)
    delay = (rng.random(len(married)) * 700 + 100).astype(np.int64)
    who = plan.mother[revert]
    before[who] = birth[plan.father[revert]]
    after[who] = birth[who]
    change[who] = plan.divorce_day[revert] + delay[revert]
    # Anyone else (not a child, not a mother in a couple) may change surname in the window.
    n = len(sex)
    eligible = np.ones(n, dtype=bool)
    eligible[plan.family_adults : n_family] = False
    eligible[plan.mother] = False
    rate = np.where(sex == FEMALE, rates.SURNAME_CHANGE_FEMALE, rates.SURNAME_CHANGE_MALE)
    changes = np.flatnonzero(eligible & (rng.random(n) < rate))
    new = _draw_surnames(rng, origin[changes])
    barrel = rng.random(len(changes)) < rates.DOUBLE_BARREL_SHARE
    old = birth[changes]
    after[changes] = np.where(
        barrel,
        np.array(
            [f"{a}-{b}" for a, b in zip(old.tolist(), new.tolist(), strict=True)], dtype=object
        ),
        new,
    )
    change[changes] = rng.integers(first, last + 1, len(changes))
