"""The application form: declared as data, checked against the catalogue, every problem at once
(field path + message); importing from TOML and JSON files."""

from __future__ import annotations

import json
from datetime import date

import pytest
import tomli_w

from fivesafes.catalogue.refs import (
    DatasetRef,
    FieldRef,
    Sensitivity,
    StaticCatalogue,
    example_catalogue,
)
from fivesafes.errors import InvalidForm, PermissionDenied
from fivesafes.governance import applications, views
from fivesafes.governance.application_form import (
    APPLICATION_FORM,
    MIN_STRONG_JUSTIFICATION,
    check_against_catalogue,
    needs_strong_justification,
)
from fivesafes.governance.catalogue import Published
from fivesafes.governance.forms import read_form_file
from tests.conftest import without_demo_notice

from .conftest import LONG, WHY, application_form

CAT = example_catalogue()


def problems(form: dict, cat=CAT) -> list[str]:
    values, found = APPLICATION_FORM.validate(form)
    found += check_against_catalogue(values, cat)[1]
    return [str(p) for p in found]


def test_a_complete_form_has_no_problems():
    assert problems(application_form("P-0001", {"magistrates": ["offence_code", "sex"],
                                                "prison": [("ethnicity", "ethnicity_group")]})
                    ) == []


@pytest.mark.parametrize("name, level, strong", [
    ("sex", "sex", False),  # quasi-identifier, one level
    ("date_of_birth", "year_of_birth", False),  # not the most detailed level
    ("date_of_birth", "date_of_birth", True),  # the most detailed level
    ("ethnicity", "ethnicity_group", True),  # special category
    ("offence_code", "offence_category", True),  # criminal offence
])
def test_which_fields_need_a_stronger_justification(name, level, strong):
    ref = CAT.dataset("magistrates", "2024-06").fields[name]
    assert needs_strong_justification(ref, level) is strong


def test_every_problem_is_reported_at_once_with_its_path():
    form = application_form("P-0001", {"magistrates": ["sex"]})
    form["datasets"] = [
        {"name": "magistrates", "version": "2024-06", "fields": [
            {"name": "sex", "level": "sex", "justification": "short"},
            {"name": "date_of_birth", "level": "date_of_birth", "justification": LONG},
            {"name": "offence_code", "level": "offence_group", "justification": "too short "
                                                                                "for this"},
            {"name": "ethnicity", "level": "ethnicity_5", "justification": LONG},
            {"name": "shoe_size", "level": "x", "justification": LONG},
            {"name": "sex", "level": "sex", "justification": LONG},
        ]},
        {"name": "magistrates", "version": "2024-06", "fields": []},
        {"name": "prison", "version": "1999-01", "fields": [{"name": "sex", "level": "sex"}]},
        {"name": "weather", "version": "1", "fields": [{"name": "rain", "level": "mm",
                                                        "justification": LONG}]},
    ]
    form["coverage"]["to"] = date(2010, 1, 1)
    form["coverage"]["jurisdictions"] = ["England", "Narnia"]
    form["access"] = {"start": "2026-03-01", "end": "2026-02-01"}
    form["legal_basis"] = {"gateway": "because", "art6": "public_task"}
    del form["ethics_reference"]
    form["colour"] = "blue"
    assert problems(form) == [
        "colour: unknown field; expected one of access, coverage, datasets, dpia_reference, "
        "ethics_reference, legal_basis, project",
        "datasets[1].fields: must be a non-empty list of tables",
        "datasets[2].fields[0].justification: is required: why the project needs this field",
        "legal_basis.gateway: 'because' is not one of: dea2017_research",
        "ethics_reference: is required: the ethics approval's reference",
        "datasets[0].fields[0].justification: needs at least 30 characters (has 5)",
        "datasets[0].fields[1].why_not_coarser: date_of_birth is the most detailed level of "
        "date_of_birth: explain in at least 60 characters why the coarser year_of_birth or "
        "age_band will not do",
        f"datasets[0].fields[2].justification: offence_group is criminal offence data: its "
        f"justification needs at least {MIN_STRONG_JUSTIFICATION} characters (has 18)",
        "datasets[0].fields[2].why_not_coarser: offence_group is criminal offence data: explain "
        "in at least 60 characters why the coarser offence_category will not do",
        "datasets[0].fields[3].level: 'ethnicity_5' is not a level of ethnicity; choose one of "
        "ethnicity_detailed, ethnicity_group",
        "datasets[0].fields[4].name: magistrates 2024-06 has no field 'shoe_size' (fields: "
        "person_id, case_id, date_of_birth, sex, ethnicity, offence_code, hearing_date, court, "
        "outcome)",
        "datasets[0].fields[5].name: sex is asked for twice",
        "datasets[1].name: magistrates is asked for twice",
        "datasets[2].version: prison has no version '1999-01' (versions: 2024-03, 2024-09)",
        "datasets[3].name: there is no dataset 'weather' in the catalogue",
        "legal_basis.art10: criminal offence data is asked for, so an Article 10 / DPA 2018 "
        "Schedule 1 condition is required",
        "coverage.to: is before coverage.from",
        "access.end: must be after access.start",
        "coverage.jurisdictions[1]: 'Narnia' is not covered by the datasets asked for (England, "
        "Wales)",
    ]


def test_special_category_data_needs_an_article_9_condition():
    form = application_form("P-0001", {"prison": [("ethnicity", "ethnicity_group")]})
    form["legal_basis"]["art9"] = None
    assert problems(form) == ["legal_basis.art9: special category data is asked for, so an "
                              "Article 9 condition is required"]


def test_a_replacement_catalogue_is_used_through_the_protocol():
    other = StaticCatalogue.of(DatasetRef(
        name="magistrates", version="2030-01", owner="HMCTS",
        fields={"sex": FieldRef("sex", Sensitivity.QUASI_IDENTIFIER, ("sex",))},
        jurisdictions=("England", "Wales"), sources=("Libra",)))
    form = application_form("P-0001", {"magistrates": ["sex"]})
    assert problems(form, other) == ["datasets[0].version: magistrates has no version "
                                     "'2024-06' (versions: 2030-01)"]
    form["datasets"][0]["version"] = "2030-01"
    assert problems(form, other) == []


def test_form_files_that_cannot_be_read_are_refused_clearly(tmp_path):
    bad = tmp_path / "a.toml"
    bad.write_text("project = ")
    with pytest.raises(InvalidForm, match="is not valid TOML"):
        read_form_file(bad)
    (tmp_path / "a.json").write_text("[1]")
    with pytest.raises(InvalidForm, match="must hold a table"):
        read_form_file(tmp_path / "a.json")
    (tmp_path / "a.yaml").write_text("x: 1")
    with pytest.raises(InvalidForm, match="must be a .toml or .json file"):
        read_form_file(tmp_path / "a.yaml")


def test_importing_from_toml_and_json_and_editing_a_draft(world, tmp_path):
    world.researcher("lead")
    world.researcher("other")
    project = world.project("lead")
    form = application_form(project, {"magistrates": ["offence_code"]})
    toml_file = tmp_path / "application.toml"
    toml_file.write_text(tomli_w.dumps(form))
    given = world.published
    assert applications.import_application(world.home, by="lead", path=toml_file,
                                           published=given) == "A-0001"
    json_form = application_form(project, {"dwp_benefits": ["benefit"]})
    json_file = tmp_path / "application.json"
    json_file.write_text(json.dumps(json_form, default=str))
    assert applications.import_application(world.home, by="lead", path=json_file,
                                           published=given) == "A-0002"
    view = views.application_view(world.home, by="lead", reference="A-0002")
    assert (view.state, view.datasets) == ("draft", ("dwp_benefits 2024-04 (DWP)",))
    with pytest.raises(PermissionDenied, match="other may not apply for P-0001"):
        applications.import_application(world.home, by="other", path=toml_file, published=given)
    form["access"]["end"] = date(2029, 1, 1)
    form["datasets"][0]["fields"][0]["justification"] = "x"
    with pytest.raises(InvalidForm) as bad:
        applications.update_application(world.home, by="lead", reference="A-0001", form=form,
                                        published=given)
    assert [p.path for p in bad.value.problems] == ["datasets[0].fields[0].justification",
                                                     "access"]
    form = application_form(project, {"magistrates": ["sex", "offence_code"]})
    applications.update_application(world.home, by="lead", reference="A-0001", form=form,
                                    published=given)
    fields = views.application_view(world.home, by="lead", reference="A-0001").fields
    assert [(f.name, f.level, f.justification) for f in fields] == [
        ("sex", "sex", LONG), ("offence_code", "offence_category", LONG)]
    assert WHY in fields[1].why_not_coarser
    applications.submit(world.home, by="lead", reference="A-0001", published=given)
    with pytest.raises(Exception, match="can be edited only when draft or "
                                        "more_information_requested"):
        applications.update_application(world.home, by="lead", reference="A-0001", form=form,
                                        published=given)


def test_the_catalogue_an_application_is_checked_against_is_passed_in(world):
    world.researcher("lead")
    project = world.project("lead")
    real = StaticCatalogue.of(DatasetRef(
        name="courts", version="v1", owner="HMCTS",
        fields={"sex": FieldRef("sex", Sensitivity.QUASI_IDENTIFIER, ("sex",))},
        jurisdictions=("England",), sources=("Common Platform",)))
    form = application_form(project, {"magistrates": ["sex"]})
    form["datasets"] = [{"name": "courts", "version": "v1", "fields": [
        {"name": "sex", "level": "sex", "justification": LONG}]}]
    form["coverage"].update(jurisdictions=["England"], sources=["Common Platform"])
    with pytest.raises(InvalidForm, match="there is no dataset 'courts'"):
        applications.create_application(world.home, by="lead", form=form,
                                        published=world.published)
    ref = applications.create_application(world.home, by="lead", form=form,
                                          published=Published(real, world.published.data))
    assert views.application_view(world.home, by="lead", reference=ref).datasets == (
        "courts v1 (HMCTS)",)
    # given nothing, the home's own catalogue is read: nothing is published in this one
    with pytest.raises(InvalidForm, match="there is no dataset 'courts'"):
        applications.create_application(world.home, by="lead", form=form)


def test_application_import_lists_every_problem_of_the_file_at_once(world, tmp_path,
                                                                     monkeypatch,
                                                                     example_commands):
    from click.testing import CliRunner

    from fivesafes import cli

    monkeypatch.setattr(cli.err_console, "width", 250)
    world.researcher("lead")
    form = application_form(world.project("lead"), {"magistrates": ["offence_code"]})
    form["datasets"][0]["fields"][0].update(level="offence_kind", justification="short")
    form["access"] = {"start": "2026-03-01", "end": "2026-02-01"}
    del form["ethics_reference"]
    form["colour"] = "blue"
    path = tmp_path / "application.toml"
    path.write_text(tomli_w.dumps(form))
    result = CliRunner().invoke(cli.main, ["application", "import", str(path), "--home",
                                           str(world.home.root), "--as", "lead"])
    assert result.exit_code == 1, result.output
    lines = without_demo_notice(result.output).splitlines()
    assert lines[0] == f"error: {path}: the application has 5 problems:"
    assert lines[1:] == [
        "  - colour: unknown field; expected one of access, coverage, datasets, dpia_reference, "
        "ethics_reference, legal_basis, project",
        "  - ethics_reference: is required: the ethics approval's reference",
        "  - datasets[0].fields[0].level: 'offence_kind' is not a level of offence_code; choose "
        "one of offence_code, offence_group, offence_category",
        "  - datasets[0].fields[0].justification: needs at least 30 characters (has 5)",
        "  - access.end: must be after access.start",
    ]
