"""The linkage model: comparisons, blocking rules and training plan, as Splink settings.

Pure functions: they build Splink creator objects from the kinds of evidence the data has
(:func:`~.features.usable_groups`) and run nothing, so the settings are tested without a database.
The same settings serve DuckDB and Spark (Splink binds them to a dialect late).

Comparisons (first matching level wins; every level's m and u are estimated, never hand set):

- **forename**: exact (term-frequency adjusted) / names swapped with the surname / same variant
  group (nickname: ``BILL`` ~ ``WILLIAM``) / Jaro-Winkler >= 0.92 / Jaro-Winkler >= 0.8 /
  same metaphone / same initial / other.
- **surname**: exact (term-frequency adjusted) / swapped with the forename / Jaro-Winkler >= 0.92
  / share a part of a double-barrelled name / same metaphone / Jaro-Winkler >= 0.8 / other.
- **date of birth**: exact (term-frequency adjusted, which discounts placeholder dates) / day and
  month transposed / one character different (a single mistyped digit) / same year / other.
- **postcode**: exact (term-frequency adjusted) / same sector / same district / same area / other.
- **address** (when the sources hold addresses): exact (term-frequency adjusted) /
  Jaro-Winkler >= 0.9 (a typing slip) / at least three words in common / at least two / other.
- **sex**: same / other.
- **each shared identifier** (``shared_ni_number``: a National Insurance number, a PNC id, any
  identifier two sources both hold): exact / one character different / two characters
  different (two digits transposed) / other; its u probabilities are measured on pairs of
  different people (:func:`~.training.purify_shared_u`).

Blocking for prediction is the union of several rules, each strict enough to stay small but
failing on different errors, so a true pair is lost only when every rule fails
(:data:`PREDICTION_RULES`): date of birth with the initial, the surname's sound or the postcode
district (names changed or mistyped); the surname's sound and initial with the year or with the
day and month (a mistyped or transposed date); the postcode with the initial, the sector with
the forename (no usable date of birth); and each shared identifier alone. Training: u by random sampling, then m by EM over two blocking rules
that each leave the other's comparisons free (date of birth; forename and surname).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.dialects import SplinkDialect

from fivesafes.linkage.features import SHARED_PREFIX, is_shared
from fivesafes.sql import quote

__all__ = [
    "LOOSE_RULES",
    "NO_DOB_RULES",
    "PREDICTION_RULES",
    "TRAINING_RULES",
    "ModelPlan",
    "comparisons",
    "plan_model",
    "prediction_rules",
    "rule_condition",
]

#: Blocking rules for prediction: (name, columns that must be equal). A rule is used only when
#: every column it needs is available.
PREDICTION_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dob+forename_initial", ("dob", "forename_initial")),
    ("dob+surname_phonetic", ("dob", "surname_phonetic")),
    ("dob+postcode_district", ("dob", "postcode_district")),
    ("postcode+forename_initial", ("postcode", "forename_initial")),
    ("dob_year+surname_phonetic+forename_initial",
     ("dob_year", "surname_phonetic", "forename_initial")),
    ("dob_month_day+surname_phonetic+forename_initial",
     ("dob_month_day", "surname_phonetic", "forename_initial")),
    ("postcode_sector+forename", ("postcode_sector", "forename")),
)

#: Blocking rules for a record without a date of birth: (name, columns that must be equal, the
#: side of Splink's pair whose record has no date of birth; ``l`` is the record with the smaller
#: id). A record with neither date of birth nor postcode (a quick entry) is reached by no rule of
#: :data:`PREDICTION_RULES`, so it is compared with every record of its full name. One rule per
#: side, so DuckDB and Spark narrow one side to the few records without a date before joining: a
#: single rule with an OR compares every pair of namesakes (28 million at a million records, 4 s
#: against 0.1 s).
NO_DOB_RULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("full_name+no_dob_left", ("full_name",), "l"),
    ("full_name+no_dob_right", ("full_name",), "r"),
)
_NO_DOB_SIDE = {name: side for name, _, side in NO_DOB_RULES}

#: Looser blocking rules, each added to :data:`PREDICTION_RULES` when the data is small enough
#: for it to generate few comparisons (the pipeline counts them first): on small or noisy data
#: they recover pairs whose dates of birth and names are both wrong.
LOOSE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dob", ("dob",)),
    ("surname", ("surname",)),
    ("forename", ("forename",)),
    ("surname_phonetic", ("surname_phonetic",)),
    ("forename_phonetic", ("forename_phonetic",)),
    ("postcode", ("postcode",)),
    ("dob_year+forename_initial", ("dob_year", "forename_initial")),
    ("dob_month_day", ("dob_month_day",)),
)

#: Blocking rules for EM training; the first two whose columns are available are used (each
#: leaves the other's comparisons free to be estimated).
TRAINING_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dob", ("dob",)),
    ("forename+surname", ("forename", "surname")),
    ("postcode", ("postcode",)),
    ("surname", ("surname",)),
)

#: Feature columns each kind of evidence brings.
_GROUP_COLUMNS = {
    "forename": ("forename", "forename_initial", "forename_phonetic", "forename_variant_groups"),
    "surname": ("surname", "surname_phonetic", "surname_tokens", "full_name"),
    "dob": ("dob", "dob_transposed", "dob_year", "dob_month_day"),
    "sex": ("sex",),
    "postcode": ("postcode", "postcode_sector", "postcode_district", "postcode_area"),
    "address": ("address", "address_tokens"),
}


def available_columns(groups: Iterable[str]) -> set[str]:
    """Feature columns available given the usable kinds of evidence."""
    return {column for group in groups
            for column in ((group,) if is_shared(group) else _GROUP_COLUMNS[group])}


class ArrayOverlapLevel(ComparisonLevelCreator):
    """The two lists share an element: ``list_has_any`` in DuckDB, ``arrays_overlap`` in Spark
    (cheaper than Splink's intersection size, which builds the intersection)."""

    def __init__(self, column: str) -> None:
        self.column = column

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        left, right = quote(f"{self.column}_l"), quote(f"{self.column}_r")
        if sql_dialect.sql_dialect_str == "duckdb":
            return f"list_has_any({left}, {right})"
        if sql_dialect.sql_dialect_str == "spark":
            return f"arrays_overlap(`{self.column}_l`, `{self.column}_r`)"
        return cll.ArrayIntersectLevel(self.column, 1).create_sql(sql_dialect)

    def create_label_for_charts(self) -> str:
        return f"{self.column} share an element"


def _forename_close() -> ComparisonLevelCreator:
    # cheapest test first: each is only evaluated where the ones before it failed
    return cll.Or(cll.ExactMatchLevel("forename_phonetic"),
                  cll.JaroWinklerLevel("forename", 0.88),
                  ArrayOverlapLevel("forename_variant_groups"))


def _surname_close() -> ComparisonLevelCreator:
    return cll.Or(cll.ExactMatchLevel("surname_phonetic"),
                  cll.JaroWinklerLevel("surname", 0.88),
                  ArrayOverlapLevel("surname_tokens"))


def _name() -> ComparisonCreator:
    """Forename and surname together: agreement on one and not the other is common for the
    same person (a surname change, a nickname) and both disagreeing (an alias) far more common
    than two independent comparisons would assume."""
    levels = [
        cll.And(cll.NullLevel("forename"), cll.NullLevel("surname")).configure(is_null_level=True, label_for_charts="No name to compare"),
        cll.ExactMatchLevel("full_name").configure(
            tf_adjustment_column="full_name", label_for_charts="Forename and surname exact"),
        cll.ColumnsReversedLevel("forename", "surname", symmetrical=True)
        .configure(label_for_charts="Forename and surname swapped"),
        cll.And(cll.ExactMatchLevel("surname"), _forename_close())
        .configure(tf_adjustment_column="surname",
                   label_for_charts="Surname exact, forename a variant or similar"),
        cll.And(cll.ExactMatchLevel("forename"), _surname_close())
        .configure(tf_adjustment_column="forename",
                   label_for_charts="Forename exact, surname similar"),
        cll.And(_forename_close(), _surname_close())
        .configure(label_for_charts="Both similar"),
        cll.And(cll.ExactMatchLevel("surname"), cll.ExactMatchLevel("forename_initial"))
        .configure(tf_adjustment_column="surname",
                   label_for_charts="Surname exact, same initial"),
        cll.ExactMatchLevel("forename").configure(
            tf_adjustment_column="forename", label_for_charts="Forename exact, surname differs"),
        cll.ExactMatchLevel("surname").configure(
            tf_adjustment_column="surname", label_for_charts="Surname exact, forename differs"),
        cll.Or(_forename_close(), _surname_close())
        .configure(label_for_charts="One similar, the other differs"),
        cll.Or(cll.NullLevel("forename"), cll.NullLevel("surname"))
        .configure(label_for_charts="One name missing, the other differs"),
        cll.ElseLevel().configure(label_for_charts="Both differ"),
    ]
    return cl.CustomComparison(levels, output_column_name="name",
                               comparison_description="Forename and surname")


def _one_name(column: str) -> ComparisonCreator:
    """A name comparison when the sources hold only forenames or only surnames."""
    close = _forename_close() if column == "forename" else _surname_close()
    levels = [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
        close.configure(label_for_charts="Similar"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name=column,
                               comparison_description=column.capitalize())


def _dob() -> ComparisonCreator:
    levels = [
        cll.NullLevel("dob"),
        cll.ExactMatchLevel("dob").configure(tf_adjustment_column="dob"),
        cll.CustomLevel('"dob_l" = "dob_transposed_r"', base_dialect_str="duckdb")
        .configure(label_for_charts="Day and month transposed"),
        cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One character different"),
        cll.ExactMatchLevel("dob_year").configure(label_for_charts="Same year"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name="dob",
                               comparison_description="Date of birth")


def _postcode() -> ComparisonCreator:
    levels = [
        cll.NullLevel("postcode"),
        cll.ExactMatchLevel("postcode").configure(tf_adjustment_column="postcode"),
        cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="Same sector"),
        cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Same district"),
        cll.ExactMatchLevel("postcode_area").configure(label_for_charts="Same area"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name="postcode",
                               comparison_description="Postcode")


def _address() -> ComparisonCreator:
    levels = [
        cll.NullLevel("address"),
        cll.ExactMatchLevel("address").configure(tf_adjustment_column="address"),
        cll.JaroWinklerLevel("address", 0.9).configure(label_for_charts="Nearly the same"),
        cll.ArrayIntersectLevel("address_tokens", 3)
        .configure(label_for_charts="Three or more words in common"),
        cll.ArrayIntersectLevel("address_tokens", 2)
        .configure(label_for_charts="Two words in common"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name="address",
                               comparison_description="Address")


def _shared(column: str) -> ComparisonCreator:
    name = column.removeprefix(SHARED_PREFIX)
    levels = [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column),
        cll.LevenshteinLevel(column, 1).configure(label_for_charts="One character different"),
        cll.LevenshteinLevel(column, 2).configure(
            label_for_charts="Two characters different (or two swapped)"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name=column,
                               comparison_description=f"Shared identifier {name}")


def _sex() -> ComparisonCreator:
    levels = [cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()]
    return cl.CustomComparison(levels, output_column_name="sex", comparison_description="Sex")


def comparisons(groups: Iterable[str]) -> list[ComparisonCreator]:
    """One comparison per usable kind of evidence, in a fixed order."""
    usable = set(groups)
    built: list[ComparisonCreator] = []
    if {"forename", "surname"} <= usable:
        built.append(_name())
    elif "forename" in usable or "surname" in usable:
        built.append(_one_name("forename" if "forename" in usable else "surname"))
    if "dob" in usable:
        built.append(_dob())
    if "postcode" in usable:
        built.append(_postcode())
    if "address" in usable:
        built.append(_address())
    built += [_shared(group) for group in sorted(g for g in usable if is_shared(g))]
    if "sex" in usable:
        built.append(_sex())
    return built


def _rules(candidates: Iterable[tuple[str, tuple[str, ...]]], columns: set[str]
           ) -> list[tuple[str, BlockingRuleCreator]]:
    return [(name, block_on(*needed)) for name, needed in candidates if set(needed) <= columns]


def rule_condition(name: str, columns: Iterable[str], l: str = "l", r: str = "r") -> str:  # noqa: E741
    """The SQL condition of the blocking rule ``name`` on ``columns`` between rows aliased ``l``
    (the smaller record id) and ``r``, column names quoted."""
    condition = " AND ".join(f"{l}.{quote(c)} = {r}.{quote(c)}" for c in columns)
    side = _NO_DOB_SIDE.get(name)
    if side is not None:
        condition += f" AND {l if side == 'l' else r}.{quote('dob')} IS NULL"
    return condition


def _no_dob_rules(columns: set[str]) -> list[tuple[str, BlockingRuleCreator]]:
    if "dob" not in columns:
        return []
    return [(name, CustomRule(rule_condition(name, needed), sql_dialect="duckdb"))
            for name, needed, _ in NO_DOB_RULES if set(needed) <= columns]


def prediction_rules(groups: Iterable[str]) -> list[tuple[str, BlockingRuleCreator]]:
    """The prediction blocking rules the available columns allow, by name, then those for
    records without a date of birth, then one rule for each shared identifier."""
    groups = list(groups)
    columns = available_columns(groups)
    shared = [(g, (g,)) for g in sorted(g for g in groups if is_shared(g))]
    return (_rules(PREDICTION_RULES, columns) + _no_dob_rules(columns)
            + _rules(shared, columns))


@dataclass(frozen=True)
class ModelPlan:
    """Settings plus the blocking rules for training and prediction, named for the report."""

    settings: SettingsCreator
    prediction_rules: list[tuple[str, BlockingRuleCreator]]
    training_rules: list[tuple[str, BlockingRuleCreator]]
    groups: tuple[str, ...]


def loose_rules(groups: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The looser rules the available columns allow (candidates to add when affordable)."""
    columns = available_columns(groups)
    return [(name, needed) for name, needed in LOOSE_RULES if set(needed) <= columns]


def rule_columns(name: str) -> tuple[str, ...]:
    """The columns a named blocking rule needs to be equal."""
    for rule_name, columns in PREDICTION_RULES + LOOSE_RULES:
        if rule_name == name:
            return columns
    for rule_name, columns, _ in NO_DOB_RULES:
        if rule_name == name:
            return columns
    return (name,)


def plan_model(groups: Iterable[str], affordable: Iterable[str] = ()) -> ModelPlan:
    """The model for the usable kinds of evidence ``groups`` (see the module docstring), with
    the looser rules named in ``affordable`` added to the prediction rules."""
    groups = list(groups)
    usable = tuple(g for g in ("forename", "surname", "dob", "postcode", "address", "sex")
                   if g in groups) + tuple(sorted(g for g in groups if is_shared(g)))
    columns = available_columns(usable)
    predict = prediction_rules(usable)
    extra = set(affordable)
    predict += _rules((r for r in LOOSE_RULES if r[0] in extra), columns)
    if not predict:  # too little evidence for any rule: fall back to each column alone
        predict = _rules(((c, (c,)) for c in sorted(columns)), columns)
    training = _rules(TRAINING_RULES, columns)[:2]
    settings = SettingsCreator(
        link_type="link_and_dedupe",
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=comparisons(usable),
        blocking_rules_to_generate_predictions=[rule for _, rule in predict],
        # the match weight of each comparison (min_weight, over-merge splitting), but not the
        # compared values: carrying both sides of every feature through prediction made it half
        # as fast again at a million records, and the report reads the few pairs it shows from
        # the features table
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        max_iterations=20,
    )
    return ModelPlan(settings, predict, training, usable)
