"""Family court cases: couples, their cases over time, and the children who are parties.

Planning comes before the rest of the population because it fixes the children's dates of birth and
surnames and the parents' ages. Adults in family cases are numbered ``0 .. family_adults - 1``
(women first), children follow from ``family_adults`` on; a father who is also an offender is given
as ``-(j + 1)`` (the j-th offender partner) and mapped to a real person later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import dates, rates

PRIVATE, PUBLIC, DIVORCE, VIOLENCE = range(4)
CASE_TYPES = ("private law", "public law", "divorce", "domestic violence")
CASE_LETTERS = ("P", "C", "D", "F")
FIRST_CASE_SHARES = (0.50, 0.13, 0.20, 0.17)
LATER_CASE_SHARES = (0.55, 0.15, 0.15, 0.15)
CHILDREN_COUNT_SHARES = (0.45, 0.33, 0.15, 0.07)  # 1, 2, 3 or 4 children

APPLICANT, RESPONDENT, CHILD = range(3)
ROLES = ("applicant", "respondent", "child")

OUTCOMES = {
    PRIVATE: (
        ("child arrangements order", 0.55),
        ("prohibited steps order", 0.1),
        ("specific issue order", 0.05),
        ("no order", 0.1),
        ("withdrawn", 0.2),
    ),
    PUBLIC: (
        ("care order", 0.45),
        ("supervision order", 0.15),
        ("placement order", 0.1),
        ("special guardianship order", 0.12),
        ("no order", 0.08),
        ("withdrawn", 0.1),
    ),
    DIVORCE: (("final order", 0.8), ("dismissed", 0.05), ("withdrawn", 0.15)),
    VIOLENCE: (
        ("non-molestation order", 0.6),
        ("occupation order", 0.1),
        ("no order", 0.1),
        ("withdrawn", 0.2),
    ),
}


def outcome_values() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for kind in (PRIVATE, PUBLIC, DIVORCE, VIOLENCE):
        for name, _ in OUTCOMES[kind]:
            seen.setdefault(name, None)
    return tuple(seen)


@dataclass
class FamilyPlan:
    family_adults: int
    women: int  # family adults 0 .. women-1 are women, the rest men
    children: int
    offender_partners: int  # fathers to be drawn from the offenders
    mother: np.ndarray  # per couple
    father: np.ndarray  # per couple; negative = offender partner placeholder
    married_day: np.ndarray  # per couple; NO_DATE if not married
    divorce_day: np.ndarray  # per couple; NO_DATE if no divorce case
    case_couple: np.ndarray  # per case
    case_type: np.ndarray
    case_issue: np.ndarray
    case_outcome: np.ndarray  # object array of str
    party_case: np.ndarray  # per party (record)
    party_person: np.ndarray
    party_role: np.ndarray
    dob: np.ndarray  # per family adult then per child, indexed by their number
    partner_dob: np.ndarray  # per offender partner
    child_couple: np.ndarray  # per child


def _years(n: float) -> int:
    return int(round(n * 365.25))


def _pick_all(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category of each uniform draw in ``u`` given cumulative shares."""
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)


def plan(rng: np.random.Generator, family_adults: int) -> FamilyPlan:
    first, last = dates.day(rates.FIRST_DATE), dates.day(rates.EXTRACT_DATE)
    women = int(round(family_adults * rates.FAMILY_FEMALE_SHARE)) if family_adults else 0
    men = family_adults - women
    couples = women
    mother = np.arange(couples, dtype=np.int64)
    index = np.arange(couples, dtype=np.int64)
    father = np.where(index < men, women + index, -(index - men + 1))
    offender_partners = max(0, couples - men)

    # Every random number the couple loop needs, drawn up front (as lists: the loop is Python).
    n_cases = (1 + (rng.random(couples) < 0.25) + (rng.random(couples) < 0.05)).tolist()
    first_issue = rng.integers(first, last + 1, size=couples).tolist()
    gaps = rng.integers(60, 1500, size=(couples, 2)).tolist()
    u_kind = rng.random((couples, 3))
    kids_cum = np.cumsum(CHILDREN_COUNT_SHARES)
    n_kids = (1 + _pick_all(kids_cum / kids_cum[-1], rng.random(couples))).tolist()
    age_weight = np.exp(-np.arange(18) / 8.0)
    eldest_age = rng.choice(18, size=couples, p=age_weight / age_weight.sum()).tolist()
    spacing = rng.integers(365, 1461, size=(couples, 3)).tolist()
    jitter = rng.integers(0, 365, size=(couples, 3)).tolist()
    mother_age_kids = (17 + rng.gamma(4.0, 2.5, size=couples)).tolist()
    mother_age_none = (20 + rng.gamma(3.0, 4.0, size=couples)).tolist()
    age_gap = np.maximum(-6.0, rng.normal(2.5, 4.0, size=couples)).tolist()
    u_married = rng.random(couples).tolist()
    marriage_before = (0.5 + rng.random(couples) * 11.5).tolist()
    first_kind = _pick_all(np.cumsum(FIRST_CASE_SHARES), u_kind[:, 0]).tolist()
    later_kind = _pick_all(np.cumsum(LATER_CASE_SHARES), u_kind[:, 1:]).tolist()
    mothers, fathers = mother.tolist(), father.tolist()
    adult_years = _years(18) - 1

    case_couple: list[int] = []
    case_type: list[int] = []
    case_issue: list[int] = []
    child_couple: list[int] = []
    child_birth: list[int] = []
    parent_dob = np.full(max(family_adults, 1), dates.NO_DATE, dtype=np.int64)
    partner_dob = np.full(offender_partners, dates.NO_DATE, dtype=np.int64)
    married_day = np.full(couples, dates.NO_DATE, dtype=np.int64)
    divorce_day = np.full(couples, dates.NO_DATE, dtype=np.int64)

    for c in range(couples):
        issue = first_issue[c]
        kinds = [first_kind[c]]
        issues = [issue]
        for k in range(n_cases[c] - 1):
            issue += gaps[c][k]
            if issue > last:
                break
            kind = later_kind[c][k]
            if kind == DIVORCE and DIVORCE in kinds:
                kind = PRIVATE
            kinds.append(kind)
            issues.append(issue)
        child_cases = [i for i, k in zip(issues, kinds, strict=True) if k in (PRIVATE, PUBLIC)]
        if child_cases:
            birth = child_cases[0] - _years(eldest_age[c]) - jitter[c][0]
            eldest = birth
            for k in range(n_kids[c]):
                if k:
                    birth += spacing[c][k - 1]
                if any(0 <= i - birth < adult_years for i in child_cases):
                    child_couple.append(c)
                    child_birth.append(birth)
            mother_dob = eldest - _years(mother_age_kids[c]) - jitter[c][1]
        else:
            mother_dob = issues[0] - _years(mother_age_none[c]) - jitter[c][1]
        parent_dob[mothers[c]] = mother_dob
        dad_dob = mother_dob - _years(age_gap[c]) - jitter[c][2] + 182
        if fathers[c] >= 0:
            parent_dob[fathers[c]] = dad_dob
        else:
            partner_dob[-fathers[c] - 1] = dad_dob
        if u_married[c] < (0.85 if DIVORCE in kinds else 0.4):
            married_day[c] = issues[0] - _years(marriage_before[c])
        if DIVORCE in kinds:
            divorce_day[c] = issues[kinds.index(DIVORCE)]
        case_couple.extend([c] * len(kinds))
        case_type.extend(kinds)
        case_issue.extend(issues)

    result = FamilyPlan(
        family_adults=family_adults,
        women=women,
        children=len(child_couple),
        offender_partners=offender_partners,
        mother=mother,
        father=father,
        married_day=married_day,
        divorce_day=divorce_day,
        case_couple=np.array(case_couple, dtype=np.int64),
        case_type=np.array(case_type, dtype=np.int64),
        case_issue=np.array(case_issue, dtype=np.int64),
        case_outcome=np.array([], dtype=object),
        party_case=np.array([], dtype=np.int64),
        party_person=np.array([], dtype=np.int64),
        party_role=np.array([], dtype=np.int64),
        dob=np.concatenate([parent_dob[:family_adults], np.array(child_birth, dtype=np.int64)]),
        partner_dob=partner_dob,
        child_couple=np.array(child_couple, dtype=np.int64),
    )
    _parties(rng, result)
    return result


def _parties(rng: np.random.Generator, plan_: FamilyPlan) -> None:
    """Fill in who is a party to each case, in which role, and each case's outcome."""
    first_child = plan_.family_adults
    kids_of: dict[int, list[int]] = {}
    for k, c in enumerate(plan_.child_couple.tolist()):
        kids_of.setdefault(c, []).append(first_child + k)
    births = plan_.dob
    adult_years = _years(18) - 1
    n = len(plan_.case_couple)
    u_father = rng.random(n)
    u_applicant = rng.random(n)
    u_outcome = rng.random(n)
    applicant_mother = {PRIVATE: 0.7, DIVORCE: 0.62, VIOLENCE: 0.85}
    outcome_cum = {
        kind: np.cumsum([w for _, w in table]) / sum(w for _, w in table)
        for kind, table in OUTCOMES.items()
    }
    outcome_pick = {kind: _pick_all(cum, u_outcome).tolist() for kind, cum in outcome_cum.items()}
    party_case: list[int] = []
    party_person: list[int] = []
    party_role: list[int] = []
    outcomes: list[str] = []
    seen_couple: set[int] = set()
    u_father = u_father.tolist()
    u_applicant = u_applicant.tolist()
    mothers, fathers = plan_.mother.tolist(), plan_.father.tolist()
    birth_list = births.tolist()
    for case, (c, kind, issue) in enumerate(
        zip(
            plan_.case_couple.tolist(),
            plan_.case_type.tolist(),
            plan_.case_issue.tolist(),
            strict=True,
        )
    ):
        mum, dad = mothers[c], fathers[c]
        first_case = c not in seen_couple
        seen_couple.add(c)
        if kind == PUBLIC:
            members = [(mum, RESPONDENT)]
            if first_case or u_father[case] < 0.6:
                members.append((dad, RESPONDENT))
        elif u_applicant[case] < applicant_mother[kind]:
            members = [(mum, APPLICANT), (dad, RESPONDENT)]
        else:
            members = [(dad, APPLICANT), (mum, RESPONDENT)]
        if kind in (PRIVATE, PUBLIC):
            for child in kids_of.get(c, []):
                if 0 <= issue - birth_list[child] < adult_years:
                    members.append((child, CHILD))
        outcomes.append(OUTCOMES[kind][outcome_pick[kind][case]][0])
        for person, role in members:
            party_case.append(case)
            party_person.append(person)
            party_role.append(role)
    plan_.party_case = np.array(party_case, dtype=np.int64)
    plan_.party_person = np.array(party_person, dtype=np.int64)
    plan_.party_role = np.array(party_role, dtype=np.int64)
    plan_.case_outcome = np.array(outcomes, dtype=object)
