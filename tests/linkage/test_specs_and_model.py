"""Contract -> standardisation spec, and the model built from the evidence available."""

from __future__ import annotations

from pathlib import Path

import pytest

from fivesafes.errors import ContractError
from fivesafes.linkage.model import plan_model
from fivesafes.sources.contract import load_contracts
from fivesafes.standardise.specs import spec_for

CONTRACT = """
[[source]]
name = "court"
owner = "HMCTS"
record_id = "case_id"
[source.file]
path = "court.csv"
format = "csv"
[[source.identifier]]
column = "name"
role = "full_name"
order = "forename_first"
[[source.identifier]]
column = "born"
role = "date_of_birth"
format = "%d.%m.%Y"
[[source.identifier]]
column = "g"
role = "sex"
codes = { 1 = "male", 2 = "female" }
[[source.identifier]]
column = "line1"
role = "address"
[[source.identifier]]
column = "town"
role = "address"
[[source.identifier]]
column = "case_id"
role = "operational_id"
"""


def _contract(tmp_path: Path, text: str = CONTRACT):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_contracts(path)[0]


def test_spec_follows_the_contract_roles(tmp_path: Path) -> None:
    spec = spec_for(_contract(tmp_path))
    assert spec.source == "court" and spec.record_key == "record_key"
    assert spec.full_name == "name" and spec.full_name_order == "forename_first"
    assert spec.date_of_birth == "born" and spec.date_of_birth_format == "%d.%m.%Y"
    assert spec.codes == {"1": "male", "2": "female"}
    assert spec.address == ("line1", "town")
    assert spec.operational_ids == ("record_id",)  # the record id is stored as record_id
    assert spec.forename is None and spec.postcode is None


def test_two_columns_for_one_single_role_are_refused(tmp_path: Path) -> None:
    text = CONTRACT + '[[source.identifier]]\ncolumn = "alias"\nrole = "full_name"\n' \
                      'order = "surname_first"\n'
    with pytest.raises(ContractError, match="columns 'name', 'alias' all have role 'full_name'"):
        spec_for(_contract(tmp_path, text))


def test_full_model() -> None:
    plan = plan_model(["forename", "surname", "dob", "postcode", "sex"])
    settings = plan.settings.create_settings_dict("duckdb")
    assert [c["output_column_name"] for c in settings["comparisons"]] == [
        "name", "dob", "postcode", "sex"]
    assert settings["link_type"] == "link_and_dedupe"
    assert len(plan.prediction_rules) >= 5
    assert [name for name, _ in plan.training_rules] == ["dob", "forename+surname"]
    tf = {level.get("tf_adjustment_column") for c in settings["comparisons"]
          for level in c["comparison_levels"]} - {None}
    assert tf == {"full_name", "forename", "surname", "dob", "postcode"}


def test_model_uses_only_available_evidence() -> None:
    plan = plan_model(["surname", "dob"])
    settings = plan.settings.create_settings_dict("spark")
    assert [c["output_column_name"] for c in settings["comparisons"]] == ["surname", "dob"]
    needed = {column for _, rule in plan.prediction_rules
              for column in rule.create_blocking_rule_dict("duckdb")["blocking_rule"].split()}
    assert not any("postcode" in word or "forename" in word for word in needed)
    assert plan.prediction_rules  # a fallback rule is always there


def test_model_settings_bind_to_spark_sql() -> None:
    plan = plan_model(["forename", "surname", "dob", "postcode", "sex"])
    settings = plan.settings.create_settings_dict("spark")
    sql = " ".join(level["sql_condition"] for c in settings["comparisons"]
                   for level in c["comparison_levels"])
    assert "jaro_winkler" in sql and "jaro_winkler_similarity" not in sql


def test_a_record_without_dob_is_compared_with_every_record_of_its_full_name() -> None:
    from fivesafes.linkage.model import rule_condition

    plan = plan_model(["forename", "surname", "dob", "postcode", "sex"])
    rules = dict(plan.prediction_rules)
    left = rules["full_name+no_dob_left"].create_blocking_rule_dict("duckdb")["blocking_rule"]
    right = rules["full_name+no_dob_right"].create_blocking_rule_dict("spark")["blocking_rule"]
    assert left == 'l."full_name" = r."full_name" AND l."dob" IS NULL'
    # bound to Spark's quoting, so one side can be narrowed before the join on both engines
    assert "`full_name`" in right and "r.`dob` IS NULL" in right and '"' not in right
    assert rule_condition("dob", ("dob",), "a", "b") == 'a."dob" = b."dob"'
    # without dates of birth there is nothing to narrow to: the rules are left out
    assert not [name for name, _ in plan_model(["forename", "surname", "postcode"])
                .prediction_rules if "no_dob" in name]


def test_the_report_counts_the_comparisons_of_the_rules_for_records_without_dob() -> None:
    import duckdb

    from fivesafes.linkage.pipeline import rule_comparisons

    con = duckdb.connect()
    con.execute("""CREATE TABLE features AS SELECT * FROM (VALUES
        ('s', '1', 'ANN LEE', '1980-01-01'), ('s', '2', 'ANN LEE', NULL),
        ('s', '3', 'ANN LEE', '1970-01-01'), ('s', '4', 'BO KIM', NULL))
        AS t(source_dataset, unique_id, full_name, dob)""")
    # ANN LEE: 2 lacks a date; 1-2 has it on the right, 2-3 on the left; 1-3 is no one's
    assert rule_comparisons(con, "full_name+no_dob_left", ("full_name",)) == 1
    assert rule_comparisons(con, "full_name+no_dob_right", ("full_name",)) == 1
    assert rule_comparisons(con, "full_name", ("full_name",)) == 3
