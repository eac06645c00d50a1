"""Applications: writing one (from a form or a TOML/JSON file), and the steps of its lifecycle
that are not panel decisions (those are in :mod:`fivesafes.governance.reviews`; provisioning is
in :mod:`fivesafes.governance.access`).

Every step is one service function. It opens one transaction, checks that the acting account
may take the step from the application's current state (:func:`begin`, by the table in
:mod:`fivesafes.governance.lifecycle`), makes the change, and records it in the application's
history and the audit log (:func:`finish`), all in that transaction.

The steps that read the catalogue (writing an application checks it against the catalogue;
submitting and assessing it assess its risk on the published data) read the home's own, unless
they are given ``published`` (:class:`fivesafes.governance.catalogue.Published`) to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, acting_account, has_role, panels_of
from fivesafes.accounts.panels import routing_for
from fivesafes.errors import (
    InvalidForm,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    Problem,
    raise_problems,
)
from fivesafes.governance import lifecycle, risk_assessments
from fivesafes.governance.application_form import (
    APPLICATION_FORM,
    ResolvedDataset,
    check_against_catalogue,
)
from fivesafes.governance.catalogue import Published, catalogue_for
from fivesafes.governance.forms import from_form_file
from fivesafes.governance.lifecycle import Party, State, Transition
from fivesafes.governance.models import (
    Account,
    Application,
    ApplicationEvent,
    ConflictOfInterest,
    PanelReview,
    Project,
    RequestedDataset,
    RequestedField,
    by_reference,
)
from fivesafes.governance.projects import (
    ACTIVE,
    get_project,
    member,
    require_team_eligible,
)
from fivesafes.home import Deployment
from fivesafes.risk import RiskAssessment

EDITABLE = (State.DRAFT, State.MORE_INFORMATION)


def get_application(session: Session, reference: str) -> Application:
    return by_reference(session, Application, reference)


def is_applicant(account: Account, project: Project) -> bool:
    found = member(project, account)
    return found is not None and found.status == ACTIVE and has_role(account, Role.RESEARCHER)


def current_review(application: Application) -> PanelReview | None:
    """The first review on the route still waiting for a decision."""
    pending = [r for r in application.reviews if r.status == "pending"]
    return min(pending, key=lambda r: (r.position, r.id or 0), default=None)


def declared_conflict(session: Session, account: Account, application: Application, panel: str
                      ) -> ConflictOfInterest | None:
    return session.execute(select(ConflictOfInterest).where(
        ConflictOfInterest.application_id == application.id,
        ConflictOfInterest.account_id == account.id, ConflictOfInterest.panel == panel,
    )).scalar_one_or_none()


def conflict(session: Session, account: Account, application: Application, panel: str
             ) -> str | None:
    """Why ``account`` may not decide for ``panel`` on this application, if they may not."""
    if member(application.project, account) is not None:
        return f"{account.username} is on the project's team (a conflict of interest)"
    declared = declared_conflict(session, account, application, panel)
    if declared is not None:
        return f"{account.username} declared a conflict of interest: {declared.reason}"
    return None


def parties(session: Session, account: Account, application: Application
            ) -> tuple[frozenset[Party], dict[Party, str]]:
    """The parties ``account`` is to ``application``, and why any panel party is withheld."""
    held: set[Party] = set()
    refusals: dict[Party, str] = {}
    if is_applicant(account, application.project):
        held.add(Party.APPLICANT)
    if has_role(account, Role.ADMINISTRATOR):
        held.add(Party.ADMINISTRATOR)
    if has_role(account, Role.LINKAGE_OFFICER):
        held.add(Party.LINKAGE_OFFICER)
    review = current_review(application)
    if review is not None and review.panel in panels_of(account):
        party = Party.REVIEWING_PANEL if review.kind == "approval" else Party.ACCREDITATION_PANEL
        why = conflict(session, account, application, review.panel)
        if why is None:
            held.add(party)
        else:
            refusals[party] = why
    return frozenset(held), refusals


def begin(session: Session, *, by: str, reference: str, action: str
          ) -> tuple[Application, list[Transition]]:
    """Resolve the actor and the application, and check the step (deny by default); the
    application and the table rows that allow the step."""
    actor = acting_account(session, by)
    application = get_application(session, reference)
    held, refusals = parties(session, actor, application)
    rows = lifecycle.check(action, State(application.state), held, who=by,
                           reference=application.reference, refusals=refusals)
    return application, rows


def finish(session: Session, deployment: Deployment, *, by: str, application: Application,
           action: str, target: State, reasons: str = "",
           details: Mapping[str, Any] | None = None) -> None:
    """Move to ``target`` and record the step in the history and the audit log."""
    source = application.state
    application.state = target
    if target in lifecycle.FINAL:
        for review in application.reviews:
            if review.status == "pending":
                review.status = "cancelled"
    at = deployment.clock()
    session.add(ApplicationEvent(
        application_id=application.id, at=audit.utc_iso(at), actor=by, action=action,
        from_state=source, to_state=target, reasons=reasons, details=dict(details or {}),
    ))
    audit.record(session, by=by, action=f"governance.application.{action}",
                 subject=f"application:{application.reference}",
                 details={"from": source, "to": str(target), "reasons": reasons,
                          **(details or {})}, at=at)


def need_reasons(reasons: str, action: str) -> str:
    if not reasons.strip():
        raise InvalidForm(f"'{action.replace('_', ' ')}'", [Problem("reasons", "give reasons")])
    return reasons.strip()


def _checked_form(session: Session, deployment: Deployment, form: Mapping[str, Any],
                  published: Published | None
                  ) -> tuple[dict[str, Any], list[ResolvedDataset], Project | None, list[Problem]]:
    values, problems = APPLICATION_FORM.validate(form)
    resolved, more = check_against_catalogue(values, catalogue_for(deployment, published))
    problems += more
    project = None
    if values["project"]:
        try:
            project = get_project(session, values["project"])
        except NotFound as exc:
            problems.append(Problem("project", str(exc)))
    access = values["access"]
    if project is not None and access["start"] and access["end"]:
        if access["start"] < project.start_on or access["end"] > project.end_on:
            problems.append(Problem("access", f"the access window must fall within the "
                                              f"project ({project.start_on} to "
                                              f"{project.end_on})"))
    return values, resolved, project, problems


def _fill(application: Application, values: Mapping[str, Any],
          resolved: list[ResolvedDataset]) -> None:
    basis, coverage, access = values["legal_basis"], values["coverage"], values["access"]
    application.gateway, application.art6_basis = basis["gateway"], basis["art6"]
    application.art9_condition, application.art10_condition = basis["art9"], basis["art10"]
    application.ethics_reference = values["ethics_reference"]
    application.dpia_reference = values["dpia_reference"]
    application.coverage_from, application.coverage_to = coverage["from"], coverage["to"]
    application.jurisdictions, application.sources = coverage["jurisdictions"], coverage["sources"]
    application.access_start, application.access_end = access["start"], access["end"]
    application.datasets = [
        RequestedDataset(name=ds.ref.name, version=ds.ref.version, owner=ds.ref.owner, fields=[
            RequestedField(name=f.ref.name, level=f.level, sensitivity=f.ref.sensitivity,
                           justification=f.justification, why_not_coarser=f.why_not_coarser)
            for f in ds.fields])
        for ds in resolved
    ]


def create_application(deployment: Deployment, *, by: str, form: Mapping[str, Any],
                       published: Published | None = None) -> str:
    """A draft application from a filled-in application form; returns its reference. Refuses
    with every problem of the form at once."""
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        values, resolved, project, problems = _checked_form(session, deployment, form, published)
        if project is not None and not is_applicant(actor, project):
            raise PermissionDenied(f"{by} may not apply for {project.reference}: only "
                                   "researchers on its team may")
        raise_problems("the application", problems)
        assert project is not None
        application = Application(project_id=project.id, state=State.DRAFT, conditions=[],
                                  created_at=audit.utc_iso(deployment.clock()), created_by=by)
        _fill(application, values, resolved)
        session.add(application)
        session.flush()
        finish(session, deployment, by=by, application=application, action="create",
               target=State.DRAFT, details={"project": project.reference, "datasets": [
                   f"{ds.ref.name} {ds.ref.version}" for ds in resolved]})
        return application.reference


def import_application(deployment: Deployment, *, by: str, path: Path,
                       published: Published | None = None) -> str:
    """A draft application from a TOML or JSON file of the application form."""
    return from_form_file(path, lambda form: create_application(deployment, by=by, form=form,
                                                                published=published))


def update_application(deployment: Deployment, *, by: str, reference: str,
                       form: Mapping[str, Any], published: Published | None = None) -> None:
    """Replace a draft's content, or answer a request for more information. The data owners
    (hence the route) cannot change once the application is under review."""
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        application = get_application(session, reference)
        if not is_applicant(actor, application.project):
            raise PermissionDenied(f"{by} may not edit {reference}: only researchers on its "
                                   "project's team may")
        if application.state not in EDITABLE:
            raise InvalidTransition(
                f"{reference} is {application.state}; it can be edited only when "
                f"{' or '.join(EDITABLE)}")
        values, resolved, project, problems = _checked_form(session, deployment, form, published)
        if project is not None and project.id != application.project_id:
            problems.append(Problem("project", f"{reference} belongs to "
                                               f"{application.project.reference}"))
        owners = {ds.owner for ds in application.datasets}
        if application.state != State.DRAFT and {ds.ref.owner for ds in resolved} != owners:
            problems.append(Problem("datasets", "the data owners cannot change during review; "
                                                "withdraw and apply again"))
        raise_problems("the application", problems)
        application.datasets.clear()
        session.flush()
        _fill(application, values, resolved)
        finish(session, deployment, by=by, application=application, action="update",
               target=State(application.state))


def submit(deployment: Deployment, *, by: str, reference: str,
           published: Published | None = None) -> None:
    """The applicant submits a draft (the team must be eligible)."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="submit")
        require_team_eligible(session, application.project, deployment.clock().date(),
                              "be submitted")
        record = risk_assessments.record_assessment(session, deployment, application, by=by,
                                                    published=published)
        finish(session, deployment, by=by, application=application, action="submit",
               target=State.SUBMITTED, details=risk_assessments.headline(record))


def start_review(deployment: Deployment, *, by: str, reference: str) -> tuple[str, ...]:
    """An administrator routes a submitted application to the panels its datasets' owners
    require, then to the accreditation panel; returns the route."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="start_review")
        routing = routing_for(deployment)
        route = routing.route(ds.owner for ds in application.datasets)
        application.reviews = [
            PanelReview(position=i, panel=panel, kind="approval", conditions=[])
            for i, panel in enumerate(route)
        ] + [PanelReview(position=len(route), panel=routing.accreditation_panel,
                         kind="accreditation", conditions=[])]
        everything = (*route, routing.accreditation_panel)
        finish(session, deployment, by=by, application=application, action="start_review",
               target=State.IN_REVIEW, details={"route": list(everything)})
        return everything


def request_information(deployment: Deployment, *, by: str, reference: str, reasons: str
                        ) -> None:
    """The reviewing panel asks the applicant for more information."""
    with deployment.store.transaction() as session:
        application, rows = begin(session, by=by, reference=reference,
                                     action="request_information")
        review = current_review(application)
        assert review is not None
        finish(session, deployment, by=by, application=application,
               action="request_information", target=rows[0].target,
               reasons=need_reasons(reasons, "request_information"),
               details={"panel": review.panel})


def resubmit(deployment: Deployment, *, by: str, reference: str, reasons: str = "",
             published: Published | None = None) -> None:
    """The applicant answers a request for more information (edit first, then resubmit)."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="resubmit")
        record = risk_assessments.record_assessment(session, deployment, application, by=by,
                                                    published=published)
        finish(session, deployment, by=by, application=application, action="resubmit",
               target=State.RESUBMITTED, reasons=reasons.strip(),
               details=risk_assessments.headline(record))


def resume_review(deployment: Deployment, *, by: str, reference: str) -> None:
    """The reviewing panel (or an administrator) takes a resubmitted application back."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="resume_review")
        finish(session, deployment, by=by, application=application, action="resume_review",
               target=State.IN_REVIEW)


def withdraw(deployment: Deployment, *, by: str, reference: str, reasons: str) -> None:
    """The applicant (or an administrator) withdraws the application before provisioning."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="withdraw")
        finish(session, deployment, by=by, application=application, action="withdraw",
               target=State.WITHDRAWN, reasons=need_reasons(reasons, "withdraw"))


def close(deployment: Deployment, *, by: str, reference: str, reasons: str = "") -> None:
    """End a provisioned application's access (its extract is then due for deletion)."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="close")
        finish(session, deployment, by=by, application=application, action="close",
               target=State.CLOSED, reasons=reasons.strip())



ASSESSABLE = (State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.MORE_INFORMATION,
              State.RESUBMITTED)
ASSESSORS = frozenset({Party.APPLICANT, Party.ADMINISTRATOR, Party.REVIEWING_PANEL,
                       Party.ACCREDITATION_PANEL})


def assess_risk(deployment: Deployment, *, by: str, reference: str,
                published: Published | None = None) -> RiskAssessment:
    """Assess the disclosure risk of what the application asks for, now, and keep the
    assessment with it (audited). Its applicants, administrators and the panel reviewing it may
    do so at any time before the panels have decided."""
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        application = get_application(session, reference)
        held, refusals = parties(session, actor, application)
        if not held & ASSESSORS:
            why = "; ".join(refusals.values()) or (
                "only its applicants, administrators and the panel reviewing it may")
            raise PermissionDenied(f"{by} may not assess the risk of {reference}: {why}")
        if application.state not in ASSESSABLE:
            raise InvalidTransition(
                f"{reference} is {application.state}; its risk is assessed only before the "
                f"panels decide ({', '.join(ASSESSABLE)})")
        record = risk_assessments.record_assessment(session, deployment, application, by=by,
                                                    published=published)
        return risk_assessments.assessment_of(record)
