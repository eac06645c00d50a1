"""Access to an approved project's data: provisioning, the access check, and the expiry job.

Access is denied by default. :func:`may_access` allows a person only when every one of these
holds on the day: the application is provisioned and inside its access window; the person is an
active (not suspended) member of its team and eligible (current accreditation and training); the
project's accreditation is current; and a current data sharing agreement covers the share. It
checks all of this itself, so a lapsed accreditation is refused whether or not
:func:`enforce_expiries` has run yet; that job records the suspension and audits it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import find_account
from fivesafes.errors import PermissionDenied
from fivesafes.governance.agreements import agreement_problems, require_current_agreement
from fivesafes.governance.applications import begin, finish, get_application
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application, ProjectMember
from fivesafes.governance.people import eligibility_problems
from fivesafes.governance.projects import (
    ACTIVE,
    REMOVED,
    SUSPENDED,
    active_team,
    member,
    require_team_eligible,
    suspend,
)
from fivesafes.home import Deployment

EXPIRY_ACTOR = "system:expiry"


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suspension:
    project: str
    username: str
    reason: str


def _project_accreditation(application: Application, on: date) -> list[str]:
    project = application.project
    if project.rap_expires_on is None:
        return [f"{project.reference} is not accredited"]
    if project.rap_expires_on < on:
        return [f"{project.reference}'s accreditation ({project.rap_reference}) expired on "
                f"{project.rap_expires_on}"]
    return []


def access_problems(session: Session, username: str, application: Application, on: date
                    ) -> list[str]:
    """Every reason ``username`` may not use the application's data on ``on``."""
    problems = []
    if application.state != State.PROVISIONED:
        problems.append(f"{application.reference} is {application.state}, not provisioned")
    if not application.access_start <= on <= application.access_end:
        problems.append(f"{on} is outside the access window {application.access_start} to "
                        f"{application.access_end}")
    account = find_account(session, username)
    found = member(application.project, account) if account is not None else None
    if account is None or found is None or found.status == REMOVED:
        problems.append(f"{username} is not on {application.project.reference}'s team")
    else:
        if found.status == SUSPENDED:
            problems.append(f"{username}'s access is suspended: {found.status_reason}")
        team = {m.account_id for m in active_team(application.project)} | {account.id}
        problems += eligibility_problems(session, account, on, team)
    problems += _project_accreditation(application, on)
    problems += agreement_problems(session, application, on)
    return problems


def may_access(session: Session, *, username: str, reference: str, at: datetime
               ) -> AccessDecision:
    """Whether ``username`` may use application ``reference``'s data at ``at``."""
    problems = access_problems(session, username, get_application(session, reference), at.date())
    return AccessDecision(not problems, tuple(problems))


def check_access(deployment: Deployment, *, username: str, reference: str) -> None:
    """Refuse (and audit the refusal) unless :func:`may_access` allows it now."""
    with deployment.store.transaction() as session:
        decision = may_access(session, username=username, reference=reference,
                              at=deployment.clock())
        if not decision.allowed:
            audit.record(session, by=username[:200], action="governance.access.refused",
                         subject=f"application:{reference}",
                         details={"reasons": list(decision.reasons)}, at=deployment.clock())
    if not decision.allowed:
        raise PermissionDenied(f"{username} may not access {reference}: "
                               + "; ".join(decision.reasons))


def provision(deployment: Deployment, *, by: str, reference: str) -> tuple[str, ...]:
    """A linkage officer gives an accredited application's team access; refused without a
    current data sharing agreement, a current project accreditation, or an eligible team.
    Returns the usernames given access."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="provision")
        today = deployment.clock().date()
        require_team_eligible(session, application.project, today, "be given access")
        require_current_agreement(session, application, today)
        problems = _project_accreditation(application, today)
        if today > application.access_end:
            problems.append(f"its access window ended on {application.access_end}")
        if problems:
            raise PermissionDenied(f"{reference} cannot be provisioned: " + "; ".join(problems))
        team = tuple(m.account.username for m in active_team(application.project))
        finish(session, deployment, by=by, application=application, action="provision",
               target=State.PROVISIONED, details={"team": list(team)})
        return team


def enforce_expiries(deployment: Deployment, *, by: str = EXPIRY_ACTOR) -> list[Suspension]:
    """Suspend every active team member who is no longer eligible (accreditation or training
    lapsed, or a provisional researcher's supervisor did), auditing each suspension. Safe to run
    at any time: it only ever withdraws access."""
    today = deployment.clock().date()
    done: list[Suspension] = []
    with deployment.store.transaction() as session:
        changed = True
        while changed:  # a suspended supervisor can make a supervisee ineligible in turn
            changed = False
            members = session.execute(select(ProjectMember).where(ProjectMember.status == ACTIVE)
                                      .order_by(ProjectMember.id)).scalars()
            for found in list(members):
                team = {m.account_id for m in active_team(found.project)}
                problems = eligibility_problems(session, found.account, today, team)
                if problems:
                    reason = "; ".join(problems)
                    suspend(session, deployment, by=by, found=found, reason=reason)
                    done.append(Suspension(found.project.reference, found.account.username,
                                           reason))
                    changed = True
    return done
