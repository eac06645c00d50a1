"""The risk assessment kept with an application: computed on submission, shown to the panel,
required (and recorded) for a decision, stale once the request changes; refusals audited.
Runs on SQLite and PostgreSQL (the ``home`` fixture)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fivesafes import audit
from fivesafes.errors import InvalidTransition, PermissionDenied
from fivesafes.governance import applications, reviews, risk_assessments, views
from fivesafes.governance.cli import register_commands
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import PanelReview, RiskAssessmentRecord
from fivesafes.store.db import REFUSED_ACTION

from .conftest import application_form, drive, staff


def _draft(world, wanted=None) -> str:
    staff(world)
    world.researcher("lead")
    project = world.project("lead")
    return world.apply("lead", project, wanted)


def _records(home, reference: str) -> list[RiskAssessmentRecord]:
    with home.store.reading() as session:
        application = applications.get_application(session, reference)
        return list(session.execute(select(RiskAssessmentRecord).where(
            RiskAssessmentRecord.application_id == application.id).order_by(
            RiskAssessmentRecord.id)).scalars())


def _entries(home, action: str) -> list[dict]:
    with home.store.reading() as session:
        return [e for e in audit.as_dicts(audit.query(session)) if e["action"] == action]


def test_submission_assesses_and_keeps_the_assessment(world) -> None:
    ref = _draft(world, {"magistrates": ["offence_code", "sex", ("date_of_birth", "age_band")]})
    assert _records(world.home, ref) == []
    applications.submit(world.home, by="lead", reference=ref, published=world.published)
    [record] = _records(world.home, ref)
    assert record.assessed_by == "lead" and record.threshold == 10
    assert record.persons > 0 and record.k >= 1
    assert record.figures["persons"]["k"] == record.k
    [logged] = _entries(world.home, "governance.application.risk_assessed")
    assert logged["subject"] == f"application:{ref}"
    assert logged["details"]["k"] == record.k
    assert logged["details"]["figures_sha256"] == record.figures_sha256
    shown = views.application_view(world.home, by="admin", reference=ref).risk
    assert shown is not None and shown.current
    assert shown.assessment.persons.k == record.k
    assert [k.label for k in shown.assessment.keys] == ["magistrates.sex",
                                                        "magistrates.date_of_birth"]


def test_a_panel_decision_records_the_assessment_it_saw(world) -> None:
    ref = _draft(world)
    drive(world, ref, State.APPROVED, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    [record] = _records(world.home, ref)
    with world.home.store.reading() as session:
        [review] = session.execute(select(PanelReview).where(
            PanelReview.panel == "hmcts_dap")).scalars()
        assert review.risk_assessment_id == record.id
    [approval] = _entries(world.home, "governance.application.approve")
    seen = approval["details"]["risk_seen"]
    assert seen["risk_assessment"] == record.id
    assert (seen["k"], seen["below_k"], seen["uniques"]) == (
        record.k, record.below_k, record.uniques)


def test_an_edited_request_needs_a_new_assessment_before_a_decision(world) -> None:
    ref = _draft(world)
    drive(world, ref, State.MORE_INFORMATION, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    applications.update_application(world.home, by="lead", reference=ref, form=application_form(
        _project_of(world, ref), {"magistrates": ["offence_code", "sex", "court"]}),
        published=world.published)
    with world.home.store.reading() as session:
        application = applications.get_application(session, ref)
        # the stored assessment is for the request before the edit
        assert risk_assessments.current(session, world.home, application) is None
    # resubmission assesses the edited request, so the panel can decide again
    applications.resubmit(world.home, by="lead", reference=ref, reasons="Added the court.",
                          published=world.published)
    applications.resume_review(world.home, by="reviewer", reference=ref)
    assert len(_records(world.home, ref)) == 2
    assert reviews.approve(world.home, by="reviewer", reference=ref) == State.APPROVED


def _project_of(world, ref: str) -> str:
    with world.home.store.reading() as session:
        return applications.get_application(session, ref).project.reference


def test_a_decision_is_refused_without_a_current_assessment(world, monkeypatch) -> None:
    ref = _draft(world)
    drive(world, ref, State.IN_REVIEW, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    # the home's threshold changes after the assessment: it is no longer current
    home = world.home
    stricter = type(home.settings)(**{**home.settings.__dict__, "risk_k": 20})
    monkeypatch.setattr(home, "settings", stricter)
    with pytest.raises(InvalidTransition, match="without a current risk assessment.*"
                                                f"fivesafes risk assess {ref}"):
        reviews.approve(home, by="reviewer", reference=ref)
    with pytest.raises(InvalidTransition, match="without a current risk assessment"):
        reviews.reject(home, by="reviewer", reference=ref, reasons="Too risky.")
    assert world.state(ref) == State.IN_REVIEW
    # the panel assesses it again, reads it, and decides
    again = applications.assess_risk(home, by="reviewer", reference=ref, published=world.published)
    assert again.threshold == 20
    reviews.reject(home, by="reviewer", reference=ref, reasons="Too risky at k = 20.")
    [rejection] = _entries(home, "governance.application.reject")
    assert rejection["details"]["risk_seen"]["threshold"] == 20


def test_who_may_assess_and_when(world) -> None:
    ref = _draft(world)
    world.researcher("stranger")
    with pytest.raises(PermissionDenied, match="may not assess the risk"):
        applications.assess_risk(world.home, by="stranger", reference=ref,
                                 published=world.published)
    refused = _entries(world.home, REFUSED_ACTION)
    assert refused and refused[-1]["actor"] == "stranger"
    # the applicant and an administrator may, before the decision
    for who in ("lead", "admin"):
        assert applications.assess_risk(world.home, by=who, reference=ref,
                                        published=world.published).threshold == 10
    drive(world, ref, State.APPROVED, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    with pytest.raises(InvalidTransition, match="only before the panels decide"):
        applications.assess_risk(world.home, by="admin", reference=ref, published=world.published)


def test_fields_the_project_already_holds_are_part_of_the_combination(world) -> None:
    staff(world)
    world.researcher("lead")
    world.agreement()
    project = world.project("lead")
    first = world.apply("lead", project, {"magistrates": ["offence_code", "sex"]})
    drive(world, first, State.PROVISIONED, lead="lead", panel="reviewer", rap="rap",
          linkage="linkage")
    second = world.apply("lead", project, {"magistrates": [("date_of_birth", "age_band")]})
    assessed = applications.assess_risk(world.home, by="lead", reference=second,
                                        published=world.published)
    assert assessed.held is not None
    held = {k.label for k in assessed.keys if k.held}
    assert held == {"magistrates.sex"}
    assert assessed.without_held is not None
    assert assessed.without_held.k >= assessed.persons.k


def test_risk_commands_print_the_figures_and_write_the_page(world, tmp_path,
                                                            example_commands) -> None:
    ref = _draft(world, {"magistrates": ["offence_code", "sex", ("date_of_birth",
                                                                 "date_of_birth")]})
    group = click.Group()
    register_commands(group)
    page = tmp_path / "risk.html"
    home = str(world.home.root)
    result = CliRunner().invoke(group, ["risk", "assess", ref, "--html", str(page), "--as",
                                        "lead", "--home", home], env={"FIVESAFES_HOME": None})
    assert result.exit_code == 0, result.output
    assert "k-anonymity (persons): " in result.output
    assert "suggestion" in result.output or "no suggestions" in result.output \
        or "no combination" in result.output
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "Class sizes" in html and "<script" not in html
    shown = CliRunner().invoke(group, ["application", "show", ref, "--as", "admin", "--home",
                                       home], env={"FIVESAFES_HOME": None})
    assert shown.exit_code == 0, shown.output
    assert "risk: assessed" in shown.output and "; current" in shown.output
    refused = CliRunner().invoke(group, ["risk", "show", ref, "--as", "nobody", "--home", home],
                                 env={"FIVESAFES_HOME": None})
    assert refused.exit_code != 0
