"""Confusers: different people whose records look alike, and the truth of how they are related.

Real administrative data is full of them, and they are what links two people by mistake:
households (partners, siblings) sharing a surname and an address; twins (same surname, date of
birth and address); a junior and a senior (same forename, surname and address, born 20-40 years
apart); unrelated people with a very common forename and surname, some in the same postcode
district; and partners who take the other's surname on marriage part way through the window.

:func:`apply` changes a built population in place, taking its anchors and members from the people
with a criminal career who have no family-court role (so the family plan stays as it is), and
returns every group as :class:`Relations`. :func:`relations` adds the households of the family
plan and the coincidences the draws made on their own (people with the same true forename and
surname, or the same surname and date of birth), so the truth names every such pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import dates, places, rates
from .population import ASIAN, FEMALE, MALE, NEVER, Addresses, Population

KINDS = ("twin", "junior_senior", "household", "common_name", "same_surname_dob")

# Very common forename + surname pairs (relative weights), by sex and by broad name origin.
COMMON_NAMES = {
    (MALE, False): (("John", "Smith", 8), ("David", "Smith", 7), ("Michael", "Smith", 5),
                    ("David", "Jones", 6), ("John", "Jones", 5), ("James", "Williams", 4),
                    ("Paul", "Taylor", 3), ("Mark", "Brown", 3), ("Daniel", "Wilson", 2),
                    ("Christopher", "Evans", 2)),
    (FEMALE, False): (("Sarah", "Smith", 5), ("Emma", "Jones", 4), ("Claire", "Williams", 3),
                      ("Laura", "Brown", 3), ("Amy", "Taylor", 2), ("Lisa", "Davies", 2)),
    (MALE, True): (("Mohammed", "Khan", 5), ("Muhammad", "Ali", 4), ("Mohammed", "Hussain", 3),
                   ("Imran", "Khan", 2)),
    (FEMALE, True): (("Fatima", "Begum", 4), ("Shazia", "Begum", 2), ("Ayesha", "Khan", 2)),
}


@dataclass
class Relations:
    """Groups of related or look-alike people: row k says person ``person[k]`` is in group
    ``group[k]`` of kind ``kind[k]`` (one of :data:`KINDS`)."""

    kind: np.ndarray  # object
    group: np.ndarray  # int64, unique across kinds
    person: np.ndarray  # int64, internal person number

    @classmethod
    def empty(cls) -> Relations:
        return cls(np.array([], dtype=object), np.array([], dtype=np.int64),
                   np.array([], dtype=np.int64))

    def __len__(self) -> int:
        return len(self.person)


class _Builder:
    def __init__(self) -> None:
        self.kind: list[str] = []
        self.group: list[int] = []
        self.person: list[int] = []
        self.next_group = 1

    def add(self, kind: str, members: list[int]) -> None:
        members = sorted(set(members))
        if len(members) < 2:
            return
        self.kind.extend([kind] * len(members))
        self.group.extend([self.next_group] * len(members))
        self.person.extend(members)
        self.next_group += 1

    def add_groups(self, kind: str, key: np.ndarray, who: np.ndarray) -> None:
        """One group per value of ``key`` (over people ``who``) that two or more people share."""
        if not len(who):
            return
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        shared = counts[inverse] >= 2
        if not shared.any():
            return
        order = np.argsort(inverse[shared], kind="stable")
        labels = inverse[shared][order]
        people = who[shared][order]
        _, first = np.unique(labels, return_index=True)
        groups = np.cumsum(np.isin(np.arange(len(labels)), first)) - 1 + self.next_group
        self.kind.extend([kind] * len(people))
        self.group.extend(groups.tolist())
        self.person.extend(people.tolist())
        self.next_group = int(groups[-1]) + 1

    def build(self) -> Relations:
        return Relations(np.array(self.kind, dtype=object), np.array(self.group, dtype=np.int64),
                         np.array(self.person, dtype=np.int64))


def _years(rng: np.random.Generator, low: float, high: float, count: int) -> np.ndarray:
    return (rng.uniform(low, high, count) * 365.25).astype(np.int64)


class _Forenames:
    """Forenames people of each sex have (as often as they have them), to draw others from."""

    def __init__(self, pop: Population) -> None:
        self.by_sex = {sex: pop.forename[pop.sex == sex] for sex in (MALE, FEMALE)}
        self.by_initial: dict[tuple[int, str], list[str]] = {}
        for sex, names in self.by_sex.items():
            for name in sorted(set(names.tolist())):
                self.by_initial.setdefault((sex, name[:1]), []).append(name)

    def other(self, rng: np.random.Generator, sex: int, avoid: str,
              initial: str | None = None) -> str:
        """A forename someone of ``sex`` has, not ``avoid`` (starting with ``initial`` if one
        does)."""
        sex = sex if sex in self.by_sex else MALE
        if initial is not None:
            choices = [n for n in self.by_initial.get((sex, initial), []) if n != avoid]
            if choices:
                return choices[int(rng.integers(0, len(choices)))]
        pool = self.by_sex[sex]
        for _ in range(40):
            name = str(pool[int(rng.integers(0, len(pool)))])
            if name != avoid:
                return name
        return avoid + "a"  # pragma: no cover - a population with one forename


def _share_home(pop: Population, member: int, anchor: int) -> None:
    pop.address_id[member] = pop.address_id[anchor]
    pop.moves[member] = pop.moves[anchor]


def _same_surname(pop: Population, member: int, anchor: int) -> None:
    pop.surname_before[member] = pop.surname_before[anchor]
    pop.surname_after[member] = pop.surname_after[anchor]
    pop.surname_change[member] = pop.surname_change[anchor]


def apply(rng: np.random.Generator, pop: Population, settings: rates.Confusers) -> Relations:
    """Make the confusers of ``settings`` out of ``pop`` (in place) and return their groups."""
    out = _Builder()
    pool = pop.free_from + rng.permutation(max(pop.n - pop.free_from, 0))
    taken = 0

    def take(count: int) -> np.ndarray:
        nonlocal taken
        count = max(0, min(count, len(pool) - taken))
        chosen = pool[taken : taken + count]
        taken += count
        return chosen

    size = len(pool)
    first, last = dates.day(rates.FIRST_DATE), dates.day(rates.EXTRACT_DATE)
    latest_dob = last - int(19 * 365.25)  # everyone made here is an adult in the window
    names = _Forenames(pop)

    # Households: an anchor with one or two partners or siblings at the same address.
    anchors = take(int(round(size * settings.household)))
    extra = (rng.random(len(anchors)) < 0.3).astype(np.int64)
    members = take(int(len(anchors) + extra.sum()))
    anchors = anchors[: len(members)]
    owner = np.repeat(anchors, 1 + extra[: len(anchors)])[: len(members)]
    partner = rng.random(len(members)) < settings.household_partner
    takes_name = rng.random(len(members)) < settings.partner_takes_surname
    gap = _years(rng, -6, 8, len(members))
    sibling_gap = _years(rng, 1, 12, len(members)) * np.where(rng.random(len(members)) < 0.5,
                                                              -1, 1)
    married = rng.integers(first, last + 1, len(members))
    seen_partner: set[int] = set()
    for k, (m, a) in enumerate(zip(members.tolist(), owner.tolist(), strict=True)):
        _share_home(pop, m, a)
        if partner[k] and a not in seen_partner:
            seen_partner.add(a)
            sex = FEMALE if pop.sex[a] == MALE else MALE
            pop.sex[m] = sex
            pop.forename[m] = names.other(rng, sex, str(pop.forename[a]))
            pop.dob[m] = min(pop.dob[a] + gap[k], latest_dob)
            if takes_name[k]:  # marriage: the new surname appears in later records
                pop.surname_after[m] = pop.surname_before[a]
                pop.surname_change[m] = married[k]
            else:
                pop.surname_after[m] = pop.surname_before[m]
                pop.surname_change[m] = NEVER
        else:
            _same_surname(pop, m, a)
            pop.dob[m] = min(pop.dob[a] + sibling_gap[k], latest_dob)
            if pop.forename[m] == pop.forename[a]:
                pop.forename[m] = names.other(rng, int(pop.sex[m]), str(pop.forename[a]))
    for a in anchors.tolist():
        out.add("household", [a, *members[owner == a].tolist()])

    # Twins: same surname, date of birth and home; another forename, sometimes the same initial.
    anchors = take(int(round(size * settings.twin)))
    members = take(len(anchors))
    anchors = anchors[: len(members)]
    same_initial = rng.random(len(members)) < settings.twin_same_initial
    for k, (m, a) in enumerate(zip(members.tolist(), anchors.tolist(), strict=True)):
        _share_home(pop, m, a)
        _same_surname(pop, m, a)
        pop.dob[m] = pop.dob[a]
        initial = str(pop.forename[a])[:1] if same_initial[k] else None
        pop.forename[m] = names.other(rng, int(pop.sex[m]), str(pop.forename[a]), initial)
        out.add("twin", [a, m])
        out.add("household", [a, m])

    # Junior and senior: same forename, surname and home, born 20-40 years apart (men).
    men = pool[taken:][pop.sex[pool[taken:]] == MALE]
    count = min(int(round(size * settings.junior_senior)), len(men) // 2)
    anchors, members = men[:count], men[count : 2 * count]
    taken_now = set(anchors.tolist()) | set(members.tolist())
    rest = [p for p in pool[taken:].tolist() if p not in taken_now]
    pool = np.concatenate([pool[:taken], anchors, members, np.array(rest, dtype=pool.dtype)])
    taken += 2 * count
    older = _years(rng, 20, 40, count)
    for k, (m, a) in enumerate(zip(members.tolist(), anchors.tolist(), strict=True)):
        _share_home(pop, m, a)
        _same_surname(pop, m, a)
        pop.forename[m] = pop.forename[a]
        pop.dob[m] = max(pop.dob[a] - older[k], dates.day("1910-01-01"))
        out.add("junior_senior", [a, m])
        out.add("household", [a, m])

    _common_names(rng, pop, take(int(round(size * settings.common_name))), settings)
    return out.build()


def _common_names(rng: np.random.Generator, pop: Population, who: np.ndarray,
                  settings: rates.Confusers) -> None:
    """Give ``who`` very common names; some move to the postcode district of an earlier person
    with the same name."""
    if not len(who):
        return
    first_home: dict[tuple[str, str], int] = {}
    near = rng.random(len(who)) < settings.common_name_same_district
    u = rng.random(len(who))
    new_addresses: list[tuple[int, int]] = []  # (person, address it copies the district of)
    for k, p in enumerate(who.tolist()):
        table = COMMON_NAMES[(int(pop.sex[p]), bool(pop.ethnicity[p] == ASIAN))]
        weights = np.array([w for _, _, w in table], dtype=float)
        pick = int(np.searchsorted(np.cumsum(weights) / weights.sum(), u[k], side="right"))
        forename, surname, _ = table[min(pick, len(table) - 1)]
        pop.forename[p] = forename
        pop.surname_before[p] = surname
        pop.surname_after[p] = surname
        pop.surname_change[p] = NEVER
        home = int(pop.address_id[p, 0])
        if (forename, surname) in first_home and near[k]:
            new_addresses.append((p, first_home[(forename, surname)]))
        else:
            first_home.setdefault((forename, surname), home)
    if new_addresses:
        _move_near(rng, pop, new_addresses)


def _move_near(rng: np.random.Generator, pop: Population, moves: list[tuple[int, int]]) -> None:
    """Give each person a new first home in the postcode district of the given address."""
    book = pop.addresses
    count = len(moves)
    like = np.array([a for _, a in moves], dtype=np.int64)
    streets = rng.integers(0, len(book.line1), count)
    number = rng.integers(1, 200, count)
    line1 = np.array([f"{n} {str(book.line1[s]).split(', ')[-1].split(' ', 1)[-1]}"
                      for n, s in zip(number.tolist(), streets.tolist(), strict=True)],
                     dtype=object)
    letters = places.UNIT_LETTERS
    digit = rng.integers(0, 10, count).tolist()
    unit = rng.integers(0, len(letters), (count, 2)).tolist()
    inward = [f"{d}{letters[a]}{letters[b]}" for d, (a, b) in zip(digit, unit, strict=True)]
    postcode = np.array([str(book.postcode[a]).split(" ")[0] + " " + i
                         for a, i in zip(like.tolist(), inward, strict=True)], dtype=object)
    start = len(book.line1)
    pop.addresses = Addresses(
        line1=np.concatenate([book.line1, line1]),
        town=np.concatenate([book.town, book.town[like]]),
        postcode=np.concatenate([book.postcode, postcode]),
        region=np.concatenate([book.region, book.region[like]]),
        town_index=np.concatenate([book.town_index, book.town_index[like]]),
    )
    for k, (p, _) in enumerate(moves):
        old = pop.address_id[p, 0]
        pop.address_id[p] = np.where(pop.address_id[p] == old, start + k, pop.address_id[p])


def relations(pop: Population, made: Relations) -> Relations:
    """Every group the truth should name: ``made`` (from :func:`apply`), the family plan's
    households, and people who share a true forename and surname, or a surname and a date of
    birth, whoever they are."""
    out = _Builder()
    for kind, group, person in zip(made.kind.tolist(), made.group.tolist(),
                                   made.person.tolist(), strict=True):
        out.kind.append(kind)
        out.group.append(group)
        out.person.append(person)
    out.next_group = int(made.group.max()) + 1 if len(made) else 1
    plan = pop.family
    kids: dict[int, list[int]] = {}
    for k, c in enumerate(plan.child_couple.tolist()):
        kids.setdefault(c, []).append(plan.family_adults + k)
    for c, (mum, dad) in enumerate(zip(plan.mother.tolist(), plan.father.tolist(), strict=True)):
        out.add("household", [mum, dad, *kids.get(c, [])])
    everyone = np.arange(pop.n, dtype=np.int64)
    surname = [s.upper() for s in pop.surname_before.tolist()]
    name = np.array([f"{f.upper()}|{s}" for f, s in zip(pop.forename.tolist(), surname,
                                                         strict=True)], dtype=object)
    born = np.array([f"{s}|{d}" for s, d in zip(surname, pop.dob.tolist(), strict=True)],
                    dtype=object)
    out.add_groups("common_name", name, everyone)
    out.add_groups("same_surname_dob", born, everyone)
    return out.build()
