"""Agreements: Data Sharing Agreements (DSA) and Data Protection Impact Assessments (DPIA) as
records, linked to the applications (shares) they cover.

A share is allowed only while a current DSA covers it: linked to the application, not
terminated, in force that day, and naming every dataset the application asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, acting_account, has_role, require_role
from fivesafes.errors import InvalidForm, NotFound, PermissionDenied, Problem, raise_problems
from fivesafes.governance.applications import get_application
from fivesafes.governance.catalogue import Published, catalogue_for
from fivesafes.governance.forms import Field, Form, Kind, from_form_file
from fivesafes.governance.models import Agreement, AgreementShare, Application
from fivesafes.home import Deployment

KINDS = {"dsa": "Data Sharing Agreement", "dpia": "Data Protection Impact Assessment"}

AGREEMENT_FORM = Form((
    Field("reference", max_length=60, help="the agreement's own reference, e.g. DSA-2026-014"),
    Field("kind", Kind.CHOICE, choices=KINDS, help="dsa or dpia"),
    Field("title"),
    Field("parties", Kind.TEXTS, help="the organisations bound by it"),
    Field("datasets", Kind.TEXTS, help="the datasets it covers (catalogue names)"),
    Field("permitted_uses", Kind.TEXTS, help="what the data may be used for"),
    Field("legal_basis", max_length=2000, help="the legal basis for the sharing"),
    Field("protections", Kind.TEXTS, help="the safeguards it requires"),
    Field("starts", Kind.DATE, help="first day in force"),
    Field("ends", Kind.DATE, help="last day in force"),
    Field("review", Kind.DATE, help="when it is next reviewed"),
))


@dataclass(frozen=True)
class AgreementView:
    reference: str
    kind: str
    title: str
    parties: tuple[str, ...]
    datasets: tuple[str, ...]
    starts: date
    ends: date
    review: date
    status: str
    applications: tuple[str, ...]
    review_overdue: bool


def get_agreement(session: Session, reference: str) -> Agreement:
    found = session.execute(select(Agreement).where(Agreement.reference == reference)
                            ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"there is no agreement '{reference}'")
    return found


def record_agreement(deployment: Deployment, *, by: str, form: Mapping[str, Any],
                     published: Published | None = None) -> str:
    """An administrator records a DSA or DPIA; every problem with the form at once. Its
    datasets must be in the home's catalogue (or that of ``published``)."""
    values, problems = AGREEMENT_FORM.validate(form)
    starts, ends, review = values["starts"], values["ends"], values["review"]
    if starts and ends and ends <= starts:
        problems.append(Problem("ends", "must be after starts"))
    if starts and review and review < starts:
        problems.append(Problem("review", "must not be before starts"))
    catalogue = catalogue_for(deployment, published)
    for i, name in enumerate(values["datasets"]):
        if not catalogue.versions(name):
            problems.append(Problem(f"datasets[{i}]", f"there is no dataset '{name}' in the "
                                                      "catalogue"))
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "record agreements")
        if values["reference"] and session.execute(select(Agreement.id).where(
                Agreement.reference == values["reference"])).first():
            problems.append(Problem("reference", f"'{values['reference']}' is already recorded"))
        raise_problems("the agreement", problems)
        session.add(Agreement(
            reference=values["reference"], kind=values["kind"], title=values["title"],
            parties=values["parties"], datasets=values["datasets"],
            permitted_uses=values["permitted_uses"], legal_basis=values["legal_basis"],
            protections=values["protections"], starts_on=starts, ends_on=ends, review_on=review,
            status="active", recorded_at=audit.utc_iso(deployment.clock()), recorded_by=by,
        ))
        audit.record(session, by=by, action="governance.agreement.record",
                     subject=f"agreement:{values['reference']}",
                     details={"kind": values["kind"], "datasets": values["datasets"],
                              "parties": values["parties"], "starts": starts.isoformat(),
                              "ends": ends.isoformat()}, at=deployment.clock())
        return values["reference"]


def import_agreement(deployment: Deployment, *, by: str, path: Path,
                     published: Published | None = None) -> str:
    return from_form_file(path, lambda form: record_agreement(deployment, by=by, form=form,
                                                              published=published))


def link_agreement(deployment: Deployment, *, by: str, agreement: str, application: str) -> None:
    """Record that an agreement covers an application's share; it must name every dataset."""
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "link agreements")
        found, app = get_agreement(session, agreement), get_application(session, application)
        missing = sorted({ds.name for ds in app.datasets} - set(found.datasets))
        if missing:
            raise InvalidForm(f"linking {agreement} to {application}", [Problem(
                "datasets", f"{agreement} does not cover {', '.join(missing)} (it covers "
                            f"{', '.join(found.datasets)})")])
        if any(s.application_id == app.id for s in found.shares):
            return
        found.shares.append(AgreementShare(application_id=app.id, linked_by=by,
                                           linked_at=audit.utc_iso(deployment.clock())))
        audit.record(session, by=by, action="governance.agreement.link",
                     subject=f"agreement:{agreement}", details={"application": application},
                     at=deployment.clock())


def terminate_agreement(deployment: Deployment, *, by: str, agreement: str, reason: str) -> None:
    """End an agreement early: shares it covered are refused from now on."""
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "terminate agreements")
        found = get_agreement(session, agreement)
        found.status, found.status_reason = "terminated", reason
        audit.record(session, by=by, action="governance.agreement.terminate",
                     subject=f"agreement:{agreement}", details={"reason": reason},
                     at=deployment.clock())


def _linked(session: Session, application: Application) -> list[Agreement]:
    stmt = (select(Agreement).join(AgreementShare)
            .where(AgreementShare.application_id == application.id).order_by(Agreement.id))
    return list(session.execute(stmt).scalars())


def why_not_covered(agreement: Agreement, application: Application, on: date) -> str:
    """Why ``agreement`` is not a current data sharing agreement covering every dataset of
    ``application`` on ``on`` (empty when it is); the one rule every share and export follows."""
    wanted = {ds.name for ds in application.datasets}
    if agreement.kind != "dsa":
        return f"{agreement.reference} is a {agreement.kind}, not a data sharing agreement"
    if agreement.status != "active":
        return f"{agreement.reference} was terminated"
    if on < agreement.starts_on:
        return f"{agreement.reference} starts on {agreement.starts_on}"
    if on > agreement.ends_on:
        return f"{agreement.reference} ended on {agreement.ends_on}"
    if not wanted <= set(agreement.datasets):
        return (f"{agreement.reference} does not cover "
                f"{', '.join(sorted(wanted - set(agreement.datasets)))}")
    return ""


def is_linked(session: Session, agreement: Agreement, application: Application) -> bool:
    """Whether ``agreement`` was linked to ``application`` (``fivesafes agreement link``)."""
    return session.execute(select(AgreementShare.id).where(
        AgreementShare.agreement_id == agreement.id,
        AgreementShare.application_id == application.id)).first() is not None


def agreement_problems(session: Session, application: Application, on: date) -> list[str]:
    """Why no current DSA covers the application's share on ``on`` (empty if one does)."""
    why = []
    for agreement in _linked(session, application):
        if agreement.kind != "dsa":
            continue
        problem = why_not_covered(agreement, application, on)
        if not problem:
            return []
        why.append(problem)
    return [f"no current data sharing agreement covers {application.reference}"
            + (f" ({'; '.join(why)})" if why else " (none is linked)")]


def require_current_agreement(session: Session, application: Application, on: date) -> None:
    problems = agreement_problems(session, application, on)
    if problems:
        raise PermissionDenied(problems[0] + "; record one with 'fivesafes agreement add' and "
                                             "link it with 'fivesafes agreement link'")


def list_agreements(deployment: Deployment, *, by: str) -> list[AgreementView]:
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        if not any(has_role(actor, r) for r in (Role.ADMINISTRATOR, Role.AUDITOR,
                                                 Role.LINKAGE_OFFICER)):
            raise PermissionDenied(f"{by} may not list agreements")
        today = deployment.clock().date()
        rows = session.execute(select(Agreement).order_by(Agreement.reference)).scalars()
        return [AgreementView(
            a.reference, a.kind, a.title, tuple(a.parties), tuple(a.datasets), a.starts_on,
            a.ends_on, a.review_on, a.status,
            tuple(s.application.reference for s in a.shares),
            a.status == "active" and a.review_on < today,
        ) for a in rows]
