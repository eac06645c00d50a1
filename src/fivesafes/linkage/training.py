"""Training the model and scoring extra pairs with it.

u probabilities come from random sampling; m probabilities from expectation maximisation over
the plan's training blocking rules (each rule leaves the comparisons it does not use free). The
prior probability that two random records match starts from how many pairs agree exactly on
names and date of birth (assuming that catches :data:`DETERMINISTIC_RECALL` of true pairs), then
is taken from the first EM session (its share of matches among the pairs blocked on date of
birth, scaled to all pairs). On noisy data exact agreement is rare, and the deterministic figure
alone was 15 times too low on Splink's ``fake_1000``; the EM figure gave F1 0.67 there against
0.20, 0.93 against 0.89 on FEBRL 4, and the same on the synthetic justice data. The EM figure is
capped at what the deterministic count implies if exact agreement caught only
:data:`MIN_EXACT_RECALL` of true pairs.
Steps the data cannot support (too few pairs, a level never seen) are skipped with a note rather
than failing the run: the model then keeps Splink's defaults for what could not be estimated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
from splink import Linker, block_on
from splink.internals.exceptions import SplinkException

from fivesafes.linkage.engines import Engine
from fivesafes.linkage.features import is_shared
from fivesafes.linkage.model import ModelPlan, available_columns
from fivesafes.linkage.pairs import pairs_table
from fivesafes.linkage.split import Scorer

if TYPE_CHECKING:
    from fivesafes.linkage.options import LinkOptions

__all__ = ["DETERMINISTIC_RECALL", "scorer", "settle", "train"]

#: Share of true pairs assumed to agree exactly on the deterministic rules below.
DETERMINISTIC_RECALL = 0.8
#: The EM figure is capped as if exact agreement caught only this share of true pairs (an EM
#: block made of exact duplicates alone extrapolates to nearly every pair matching).
MIN_EXACT_RECALL = 0.04
_DETERMINISTIC = (("forename", "surname", "dob"), ("surname", "dob"), ("forename", "dob"),
                  ("forename", "surname", "postcode"))


def train(linker: Linker, plan: ModelPlan, options: LinkOptions, records: int) -> list[str]:
    """Estimate the model's parameters in place; returns notes on anything skipped."""
    notes: list[str] = []
    columns = available_columns(plan.groups)
    rule = next((r for r in _DETERMINISTIC if set(r) <= columns), None)
    deterministic = None
    if rule is not None:
        try:
            linker.training.estimate_probability_two_random_records_match(
                [block_on(*rule)], recall=DETERMINISTIC_RECALL)
            deterministic = _prior(linker)
        except (SplinkException, ValueError, ZeroDivisionError) as error:
            notes.append(f"prior match probability left at its default: {error}")
    pairs = records * (records - 1) / 2
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(options.u_max_pairs, max(pairs, 1)), seed=options.seed)
    for index, (name, blocking) in enumerate(plan.training_rules):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                blocking, estimate_without_term_frequencies=True,
                max_pairs=options.em_max_pairs,
                populate_probability_two_random_records_match_from_trained_values=index == 0)
        except (SplinkException, ValueError, ZeroDivisionError) as error:
            notes.append(f"EM blocked on {name} skipped: {str(error).splitlines()[0]}")
    if deterministic:
        cap = min(deterministic * DETERMINISTIC_RECALL / MIN_EXACT_RECALL, 0.5)
        if _prior(linker) > cap:
            notes.append(f"prior match probability from EM ({_prior(linker):.3g}) capped at "
                         f"{cap:.3g}")
            linker._settings_obj._probability_two_random_records_match = cap
    notes += purify_shared_u(linker, min(options.u_max_pairs, max(pairs, 1)))
    settle(linker)
    return notes


def purify_shared_u(linker: Linker, sampled: float) -> list[str]:
    """Take the true matches out of a shared identifier's u probabilities.

    u is measured on random pairs, and a random pair is a match with the prior probability
    lambda, so what was measured is ``lambda * m + (1 - lambda) * u``. For names or dates of
    birth the matches' share is small next to how often different people agree by chance, but
    two different people almost never share an identifier: nearly every random pair that does is
    a match, and the measured u says more about how many records each person has than about
    chance agreement. So each agreement level's u becomes ``(measured - lambda * m) / (1 -
    lambda)``, and never less than one pair in the random sample (the smallest rate the sample
    could have seen). Term frequencies are not applied to shared identifiers for the same reason
    (a value's frequency counts one person's records); values so common they are placeholders are
    dropped before linking (:data:`~fivesafes.linkage.features.MAX_SHARED_RECORDS`)."""
    settings = linker._settings_obj
    prior = _prior(linker)
    floor = 1.0 / max(sampled, 1.0)
    notes = []
    for comparison in settings.comparisons:
        if not is_shared(comparison.output_column_name):
            continue
        for level in comparison.comparison_levels:
            if level.is_null_level or level._is_else_level:
                continue
            m, u = level._m_probability, level._u_probability
            if not isinstance(m, float) or not isinstance(u, float):
                continue
            purified = max((u - prior * m) / (1.0 - prior), floor)
            if purified < u:
                level._u_probability = purified
        notes.append(f"{comparison.output_column_name}: u probabilities of agreement measured "
                     "on pairs of different people (true matches taken out of the random sample)")
    return notes


#: Trained parameters are kept to this many significant digits. EM sums its pairs in whatever
#: order the engine's threads finish, so the last bits of a parameter can differ between runs on
#: the same input; rounding makes the model, and so every score and link, the same each time.
SIGNIFICANT_DIGITS = 10


def _settled(value: object) -> object:
    if isinstance(value, float) and value != 0.0:
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value


def settle(linker: Linker) -> None:
    """Round every trained m and u probability, and the prior, to :data:`SIGNIFICANT_DIGITS`
    (see there: the same input then gives byte-identical models at any thread count)."""
    settings = linker._settings_obj
    for comparison in settings.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            for name in ("_m_probability", "_u_probability"):
                setattr(level, name, _settled(getattr(level, name)))
    settings._probability_two_random_records_match = _settled(
        settings._probability_two_random_records_match)


def _prior(linker: Linker) -> float:
    return float(linker._settings_obj._probability_two_random_records_match)


def scorer(linker: Linker, engine: Engine, con: duckdb.DuckDBPyConnection) -> Scorer:
    """A function scoring a DuckDB table of pairs (``match_key``, ``join_key_l``,
    ``join_key_r``) with the trained model, into a DuckDB table of the same pairs."""

    count = 0

    def score(table: str) -> str:
        nonlocal count
        count += 1
        frame = engine.register(table, f"extra_pairs_{count}")
        linker.table_management.register_blocked_pairs_for_predict(frame)
        scored = linker.inference.predict(warning_mode="never")
        name = f"extra_scored_{count}"
        engine.to_duckdb(scored, f"{name}_raw")
        pairs_table(con, f"{name}_raw", name)
        engine.release(f"{name}_raw")
        return name

    return score
