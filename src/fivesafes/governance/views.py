"""Read-only views of applications for the command line and (later) the web pages.

Who may see an application: its project's team, administrators, auditors, linkage officers and
panel members. Researchers list only their own projects' applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes.accounts import Role, acting_account, has_role, panels_of
from fivesafes.catalogue.refs import Sensitivity
from fivesafes.errors import PermissionDenied
from fivesafes.governance import risk_assessments
from fivesafes.governance.application_form import describe_legal_basis
from fivesafes.governance.applications import current_review, get_application
from fivesafes.governance.models import Application, Project, ProjectMember
from fivesafes.governance.projects import REMOVED, may_view
from fivesafes.home import Deployment
from fivesafes.risk import RiskAssessment


@dataclass(frozen=True)
class FieldView:
    dataset: str
    name: str
    level: str
    sensitivity: Sensitivity
    justification: str
    why_not_coarser: str


@dataclass(frozen=True)
class ReviewView:
    panel: str
    kind: str
    status: str
    decided_by: str
    reasons: str
    conditions: tuple[str, ...]
    escalated_from: str


@dataclass(frozen=True)
class EventView:
    at: str
    actor: str
    action: str
    from_state: str
    to_state: str
    reasons: str


@dataclass(frozen=True)
class RiskView:
    """An application's latest risk assessment, and whether it is still current."""

    assessment: RiskAssessment
    assessed_at: str
    assessed_by: str
    current: bool

    @property
    def status(self) -> str:
        return (f"assessed {self.assessed_at[:19]} by {self.assessed_by}; "
                + ("current" if self.current else
                   "NOT current: the request changed since; assess it again"))


@dataclass(frozen=True)
class ApplicationView:
    reference: str
    project: str
    title: str
    state: str
    datasets: tuple[str, ...]  # "magistrates 2024-06 (HMCTS)"
    fields: tuple[FieldView, ...]
    coverage: str
    access_start: date
    access_end: date
    legal_basis: tuple[str, ...]
    ethics_reference: str
    dpia_reference: str
    conditions: tuple[str, ...]
    current_panel: str
    route: tuple[ReviewView, ...]
    history: tuple[EventView, ...]
    risk: RiskView | None = None


@dataclass(frozen=True)
class ApplicationSummary:
    reference: str
    project: str
    title: str
    state: str
    current_panel: str


def _risk(session: Session, deployment: Deployment, application: Application
          ) -> RiskView | None:
    record = risk_assessments.latest(session, application)
    if record is None:
        return None
    return RiskView(risk_assessments.assessment_of(record), record.assessed_at,
                    record.assessed_by,
                    risk_assessments.is_current(session, deployment, application, record))


def _view(application: Application, risk: RiskView | None = None) -> ApplicationView:
    review = current_review(application)
    basis = describe_legal_basis(application.gateway, application.art6_basis,
                                 application.art9_condition, application.art10_condition)
    return ApplicationView(
        reference=application.reference, project=application.project.reference,
        title=application.project.title, state=application.state,
        datasets=tuple(f"{d.name} {d.version} ({d.owner})" for d in application.datasets),
        fields=tuple(FieldView(d.name, f.name, f.level, Sensitivity(f.sensitivity),
                               f.justification, f.why_not_coarser)
                     for d in application.datasets for f in d.fields),
        coverage=(f"{application.coverage_from} to {application.coverage_to}; "
                  f"{', '.join(application.jurisdictions)}; {', '.join(application.sources)}"),
        access_start=application.access_start, access_end=application.access_end,
        legal_basis=tuple(basis), ethics_reference=application.ethics_reference,
        dpia_reference=application.dpia_reference, conditions=tuple(application.conditions),
        current_panel=review.panel if review else "",
        route=tuple(ReviewView(r.panel, r.kind, r.status, r.decided_by, r.reasons,
                               tuple(r.conditions), r.escalated_from)
                    for r in sorted(application.reviews, key=lambda r: (r.position, r.id))),
        history=tuple(EventView(e.at, e.actor, e.action, e.from_state, e.to_state, e.reasons)
                      for e in application.events),
        risk=risk,
    )


def application_view(deployment: Deployment, *, by: str, reference: str) -> ApplicationView:
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        application = get_application(session, reference)
        if not may_view(actor, application.project):
            raise PermissionDenied(f"{by} may not see {reference}")
        return _view(application, _risk(session, deployment, application))


def list_applications(deployment: Deployment, *, by: str, state: str | None = None
                      ) -> list[ApplicationSummary]:
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        stmt = select(Application).order_by(Application.id)
        if state:
            stmt = stmt.where(Application.state == state)
        sees_all = bool(panels_of(actor)) or any(
            has_role(actor, r) for r in (Role.ADMINISTRATOR, Role.AUDITOR, Role.LINKAGE_OFFICER))
        if not sees_all:
            stmt = stmt.join(Project).join(ProjectMember).where(
                ProjectMember.account_id == actor.id, ProjectMember.status != REMOVED)
        result = []
        for application in session.execute(stmt).scalars():
            review = current_review(application)
            result.append(ApplicationSummary(application.reference, application.project.reference,
                                             application.project.title, application.state,
                                             review.panel if review else ""))
        return result
