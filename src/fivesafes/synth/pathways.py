"""Criminal careers: magistrates' court cases and what follows from them.

Every person with a criminal career has one or more magistrates' court cases (skewed: most 1-3, a
few prolific people 10+). Cases committed to the Crown Court get a Crown Court case a few weeks
later; custodial sentences lead to a prison reception within days; community and suspended
sentences and releases from prison lead to probation supervision. Nothing dated after the
extract date is recorded, so the later steps of recent cases are missing, as in real extracts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import dates, offences, rates
from .population import Population

PLEAS = ("guilty", "not guilty", "no plea")
GUILTY, NOT_GUILTY, NO_PLEA = range(3)

MAG_OUTCOMES = (
    "absolute discharge",
    "conditional discharge",
    "fine",
    "community order",
    "suspended sentence",
    "custody",
    "committed to Crown Court",
    "dismissed",
    "withdrawn",
)
ABS, COND, FINE, COMMUNITY, SUSPENDED, CUSTODY, COMMITTED, DISMISSED, WITHDRAWN = range(9)
# Outcome weights by seriousness (rows: summary, either way, serious either way, indictable).
MAG_OUTCOME_WEIGHTS = np.array(
    [
        [2, 10, 60, 8, 2, 3, 0, 5, 10],
        [1, 8, 28, 16, 8, 9, 15, 5, 10],
        [0.5, 4, 10, 12, 8, 8, 45, 4, 8.5],
        [0, 0, 0, 0, 0, 0, 97, 0, 3],
    ],
    dtype=float,
)
# Plea given the outcome (columns: guilty, not guilty, no plea).
MAG_PLEA_GIVEN_OUTCOME = np.array(
    [[0.88, 0.12, 0.0]] * 6 + [[0.2, 0.3, 0.5], [0.0, 0.9, 0.1], [0.0, 0.2, 0.8]]
)

VERDICTS = ("guilty", "not guilty", "discontinued")
SENTENCE_TYPES = (
    "custody",
    "suspended sentence",
    "community order",
    "fine",
    "conditional discharge",
    "hospital order",
)
CC_CUSTODY, CC_SUSPENDED, CC_COMMUNITY = 0, 1, 2
CROWN_SENTENCE_WEIGHTS = np.array(
    [
        [0.40, 0.30, 0.22, 0.05, 0.03, 0.00],  # summary / either way (committed for sentence)
        [0.40, 0.30, 0.22, 0.05, 0.03, 0.00],
        [0.55, 0.22, 0.15, 0.04, 0.03, 0.01],
        [0.90, 0.04, 0.04, 0.00, 0.00, 0.02],
    ]
)
MAG_CUSTODY_DAYS = np.array([14, 28, 42, 56, 70, 84, 112, 126, 140, 168, 182])
MAG_CUSTODY_WEIGHTS = np.array([6, 10, 8, 9, 5, 7, 6, 3, 3, 3, 4], dtype=float)

ORDER_TYPES = (
    "community order",
    "suspended sentence order",
    "licence",
    "post-sentence supervision",
)
COMMUNITY_ORDER, SSO, LICENCE, PSS = range(4)
REQUIREMENTS = (
    "unpaid work",
    "accredited programme",
    "rehabilitation activity",
    "drug rehabilitation",
)
REQUIREMENT_SHARES = (0.45, 0.12, 0.35, 0.08)
TIERS = tuple(f"{band}{level}" for band in "ABCD" for level in "0123")
PSS_START = "2015-02-01"  # post-sentence supervision began with the Offender Rehabilitation Act


@dataclass
class MagistratesCases:
    person: np.ndarray
    hearing: np.ndarray
    offence: np.ndarray
    plea: np.ndarray
    outcome: np.ndarray


@dataclass
class CrownCases:
    person: np.ndarray
    offence: np.ndarray
    first_hearing: np.ndarray
    final_day: np.ndarray  # sentence (or final hearing) date; NO_DATE while pending
    plea: np.ndarray
    verdict: np.ndarray  # -1 while pending
    sentence_type: np.ndarray  # -1 when none
    months: np.ndarray  # -1 when none


@dataclass
class PrisonSpells:
    person: np.ndarray
    offence: np.ndarray
    reception: np.ndarray
    release: np.ndarray  # NO_DATE if still in custody on the extract date
    days: np.ndarray


@dataclass
class ProbationEvents:
    person: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NO_DATE if still under supervision on the extract date
    order_type: np.ndarray
    requirement: np.ndarray  # -1 when none
    tier: np.ndarray


@dataclass
class Careers:
    magistrates: MagistratesCases
    crown: CrownCases
    prison: PrisonSpells
    probation: ProbationEvents


def _choose_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row of a (rows x categories) weight matrix."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative <= u[:, None]).sum(axis=1), weights.shape[1] - 1)


def _choose(rng: np.random.Generator, shares, size: int) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size, p=p / p.sum())


def build(rng: np.random.Generator, pop: Population) -> Careers:
    mags = _magistrates(rng, pop)
    crown = _crown(rng, mags)
    prison = _prison(rng, mags, crown)
    probation = _probation(rng, mags, crown, prison)
    return Careers(mags, crown, prison, probation)


def _magistrates(rng: np.random.Generator, pop: Population) -> MagistratesCases:
    first, last = dates.day(rates.FIRST_DATE), dates.day(rates.EXTRACT_DATE)
    who = np.flatnonzero(pop.offends)
    shape = rates.EXTRA_CASES_SHAPE
    extra = rng.negative_binomial(shape, shape / (shape + rates.EXTRA_CASES_MEAN), len(who))
    count = np.minimum(1 + extra, rates.MAX_CASES)
    person = np.repeat(who, count)
    low = np.maximum(first, dates.add_years(pop.dob[who], 18))
    low = np.repeat(np.minimum(low, last), count)
    hearing = low + (rng.random(len(person)) * (last + 1 - low)).astype(np.int64)
    order = np.lexsort((hearing, person))
    person, hearing = person[order], hearing[order]
    starts = np.repeat(np.cumsum(count) - count, count)
    previous = np.arange(len(person)) - starts  # cases this person had before this one

    habitual = _choose(rng, offences.probabilities(), pop.n)
    offence = _choose(rng, offences.probabilities(), len(person))
    repeat = rng.random(len(person)) < rates.FAVOURITE_OFFENCE
    offence = np.where(repeat, habitual[person], offence)
    seriousness = offences.seriousness()[offence]

    weights = MAG_OUTCOME_WEIGHTS[seriousness - 1].copy()
    prior = np.minimum(previous, 8)[:, None]
    weights[:, [CUSTODY]] *= 1 + 0.3 * prior
    weights[:, [SUSPENDED]] *= 1 + 0.1 * prior
    weights[:, [COMMUNITY]] *= 1 + 0.05 * prior
    weights[:, [ABS, COND]] /= 1 + 0.3 * prior
    outcome = _choose_rows(rng, weights)
    plea = _choose_rows(rng, MAG_PLEA_GIVEN_OUTCOME[outcome])
    return MagistratesCases(person, hearing, offence, plea, outcome)


def _crown(rng: np.random.Generator, mags: MagistratesCases) -> CrownCases:
    last = dates.day(rates.EXTRACT_DATE)
    sent = np.flatnonzero(mags.outcome == COMMITTED)
    first_hearing = mags.hearing[sent] + 14 + rng.gamma(2.0, 12.0, len(sent)).astype(np.int64)
    keep = first_hearing <= last
    sent, first_hearing = sent[keep], first_hearing[keep]
    n = len(sent)
    offence = mags.offence[sent]
    plea = _choose(rng, (0.62, 0.33, 0.05), n)
    plea = np.where(mags.plea[sent] == GUILTY, GUILTY, plea)
    verdict = np.where(
        plea == GUILTY, 0, np.where(plea == NO_PLEA, 2, _choose(rng, (0.55, 0.33, 0.12), n))
    )
    trial_wait = 60 + rng.gamma(2.0, 80.0, n).astype(np.int64)
    plea_wait = rng.integers(0, 43, n)
    final_day = first_hearing + np.where(plea == GUILTY, plea_wait, trial_wait)
    pending = final_day > last
    seriousness = offences.seriousness()[offence]
    sentence_type = _choose_rows(rng, CROWN_SENTENCE_WEIGHTS[seriousness - 1])
    median = np.where(seriousness == offences.INDICTABLE, 60.0, 18.0)
    custody_months = np.clip(np.round(median * rng.lognormal(0.0, 0.8, n)), 1, 360)
    suspended_months = np.array([6, 8, 9, 12, 12, 18, 18, 24])[rng.integers(0, 8, n)]
    months = np.where(
        sentence_type == CC_CUSTODY,
        custody_months,
        np.where(sentence_type == CC_SUSPENDED, suspended_months, -1),
    ).astype(np.int64)
    convicted = (verdict == 0) & ~pending
    sentence_type = np.where(convicted, sentence_type, -1)
    months = np.where(convicted, months, -1)
    verdict = np.where(pending, -1, verdict)
    final_day = np.where(pending, dates.NO_DATE, final_day)
    return CrownCases(
        person=mags.person[sent],
        offence=offence,
        first_hearing=first_hearing,
        final_day=final_day,
        plea=plea,
        verdict=verdict,
        sentence_type=sentence_type,
        months=months,
    )


def _prison(rng: np.random.Generator, mags: MagistratesCases, crown: CrownCases) -> PrisonSpells:
    last = dates.day(rates.EXTRACT_DATE)
    from_mags = np.flatnonzero(mags.outcome == CUSTODY)
    from_crown = np.flatnonzero(crown.sentence_type == CC_CUSTODY)
    mag_days = MAG_CUSTODY_DAYS[_choose(rng, MAG_CUSTODY_WEIGHTS, len(from_mags))]
    mag_wait = np.where(rng.random(len(from_mags)) < 0.8, 0, rng.integers(1, 21, len(from_mags)))
    crown_wait = np.where(
        rng.random(len(from_crown)) < 0.85, 0, rng.integers(1, 15, len(from_crown))
    )
    person = np.concatenate([mags.person[from_mags], crown.person[from_crown]])
    offence = np.concatenate([mags.offence[from_mags], crown.offence[from_crown]])
    reception = np.concatenate(
        [mags.hearing[from_mags] + mag_wait, crown.final_day[from_crown] + crown_wait]
    )
    days = np.concatenate(
        [mag_days, np.round(crown.months[from_crown] * 30.44).astype(np.int64)]
    ).astype(np.int64)
    keep = reception <= last
    person, offence, reception, days = person[keep], offence[keep], reception[keep], days[keep]
    release = reception + (days + 1) // 2
    release = np.where(release > last, dates.NO_DATE, release)
    return PrisonSpells(person, offence, reception, release, days)


def _probation(
    rng: np.random.Generator, mags: MagistratesCases, crown: CrownCases, prison: PrisonSpells
) -> ProbationEvents:
    last = dates.day(rates.EXTRACT_DATE)
    parts: list[tuple[np.ndarray, ...]] = []

    def orders(person: np.ndarray, day: np.ndarray, kind: np.ndarray) -> None:
        n = len(person)
        start = day + rng.integers(0, 11, n)
        community_months = np.array([6, 12, 12, 18, 24, 36])[rng.integers(0, 6, n)]
        sso_months = np.array([6, 12, 12, 18, 24])[rng.integers(0, 5, n)]
        months = np.where(kind == COMMUNITY_ORDER, community_months, sso_months)
        length = np.round(months * 30.44).astype(np.int64)
        early = rng.random(n) < 0.12
        length = np.where(early, (length * rng.random(n)).astype(np.int64) + 1, length)
        requirement = _choose(rng, REQUIREMENT_SHARES, n)
        parts.append((person, start, start + length, kind, requirement))

    mag_sel = np.flatnonzero(np.isin(mags.outcome, (COMMUNITY, SUSPENDED)))
    mag_kind = np.where(mags.outcome[mag_sel] == COMMUNITY, COMMUNITY_ORDER, SSO)
    orders(mags.person[mag_sel], mags.hearing[mag_sel], mag_kind)
    cc_sel = np.flatnonzero(np.isin(crown.sentence_type, (CC_SUSPENDED, CC_COMMUNITY)))
    cc_kind = np.where(crown.sentence_type[cc_sel] == CC_COMMUNITY, COMMUNITY_ORDER, SSO)
    orders(crown.person[cc_sel], crown.final_day[cc_sel], cc_kind)

    released = np.flatnonzero(prison.release != dates.NO_DATE)
    release = prison.release[released]
    expiry = prison.reception[released] + prison.days[released]
    none = np.full(len(released), -1)
    parts.append(
        (
            prison.person[released],
            release,
            np.maximum(expiry, release + 14),
            np.full(len(released), LICENCE),
            none,
        )
    )
    pss = (prison.days[released] < 730) & (release >= dates.day(PSS_START))
    pss_end = release + 365
    pss &= pss_end > expiry
    parts.append(
        (
            prison.person[released][pss],
            expiry[pss],
            pss_end[pss],
            np.full(int(pss.sum()), PSS),
            none[pss],
        )
    )
    person, start, end, kind, requirement = (
        np.concatenate(cols) for cols in zip(*parts, strict=True)
    )
    keep = start <= last
    person, start, end, kind, requirement = (
        a[keep] for a in (person, start, end, kind, requirement)
    )
    end = np.where(end > last, dates.NO_DATE, end)
    band_shares = np.where(
        np.isin(kind, (LICENCE, PSS))[:, None],
        [[0.10, 0.30, 0.40, 0.20]],
        [[0.03, 0.17, 0.45, 0.35]],
    )
    band = _choose_rows(rng, band_shares)
    level = _choose(rng, (0.15, 0.30, 0.35, 0.20), len(person))
    return ProbationEvents(person, start, end, kind, requirement, band * 4 + level)
