"""Safe projects: a project, its team, and the team's access status.

A project is created by its lead (a researcher) or by an administrator naming the lead. Only
eligible people (current accreditation and training, see :mod:`fivesafes.governance.people`)
join the team. A member whose accreditation or training lapses is suspended (access refused)
until an administrator reinstates them after renewal.
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
from fivesafes.accounts import (
    Role,
    acting_account,
    find_account,
    get_account,
    has_role,
    panels_of,
)
from fivesafes.accounts.models import Account
from fivesafes.errors import NotEligible, NotFound, PermissionDenied, Problem, raise_problems
from fivesafes.governance.forms import Field, Form, Kind, from_form_file
from fivesafes.governance.models import Project, ProjectMember, by_reference
from fivesafes.governance.people import eligibility_problems, require_eligible
from fivesafes.home import Deployment

ACTIVE, SUSPENDED, REMOVED = "active", "suspended", "removed"

PROJECT_FORM = Form((
    Field("title", help="the project's title, as the public register shows it"),
    Field("lay_summary", max_length=4000, help="what the project does, in plain English"),
    Field("public_benefit", max_length=4000, help="who benefits and how"),
    Field("research_questions", Kind.TEXTS, help="the questions the data will answer"),
    Field("lead", help="username of the lead researcher"),
    Field("organisation", max_length=200, help="the lead's organisation"),
    Field("funder", required=False, max_length=200,
          help="who funds the project (empty if unfunded)"),
    Field("start", Kind.DATE, help="first day of the project"),
    Field("end", Kind.DATE, help="last day of the project"),
    Field("sensitive_topic", Kind.BOOL, required=False,
          help="true keeps the project off the public register's list (it is only counted)"),
    Field("team", Kind.TEXTS, required=False, help="usernames of further researchers"),
))


@dataclass(frozen=True)
class MemberView:
    username: str
    full_name: str
    role: str
    status: str
    status_reason: str


@dataclass(frozen=True)
class ProjectView:
    reference: str
    title: str
    lead: str
    organisation: str
    funder: str
    start: date
    end: date
    sensitive_topic: bool
    lay_summary: str
    public_benefit: str
    research_questions: tuple[str, ...]
    rap_reference: str | None
    rap_expires_on: date | None
    team: tuple[MemberView, ...]


def get_project(session: Session, reference: str) -> Project:
    return by_reference(session, Project, reference)


def member(project: Project, account: Account) -> ProjectMember | None:
    return next((m for m in project.members if m.account_id == account.id), None)


def active_team(project: Project) -> list[ProjectMember]:
    return [m for m in project.members if m.status == ACTIVE]


def _may_manage(actor: Account, project: Project) -> bool:
    return has_role(actor, Role.ADMINISTRATOR) or (
        actor.id == project.lead_id and has_role(actor, Role.RESEARCHER))


def create_project(deployment: Deployment, *, by: str, form: Mapping[str, Any]) -> str:
    """Create a project from a filled-in :data:`PROJECT_FORM`; returns its reference. Every
    problem with the form is reported at once."""
    values, problems = PROJECT_FORM.validate(form)
    if values["start"] and values["end"] and values["end"] <= values["start"]:
        problems.append(Problem("end", "must be after start"))
    on = deployment.clock().date()
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        if not (has_role(actor, Role.ADMINISTRATOR) or (
                has_role(actor, Role.RESEARCHER) and values["lead"] == by)):
            raise PermissionDenied(f"{by} may not create this project: a researcher creates "
                                   "their own projects (as lead); an administrator any project")
        people: dict[str, Account] = {}
        for path, name in [("lead", values["lead"])] + [
                (f"team[{i}]", n) for i, n in enumerate(values["team"])]:
            account = find_account(session, name) if name else None
            if name and account is None:
                problems.append(Problem(path, f"there is no account '{name}'"))
            elif account is not None:
                people[name] = account
        raise_problems("the project", problems)
        lead = people[values["lead"]]
        team_ids = {a.id for a in people.values()}
        for account in people.values():
            require_eligible(session, account, on, "join a project team", team_ids)
        now = audit.utc_iso(deployment.clock())
        project = Project(
            title=values["title"], lay_summary=values["lay_summary"],
            public_benefit=values["public_benefit"],
            research_questions=values["research_questions"], lead_id=lead.id,
            organisation=values["organisation"], funder=values["funder"],
            start_on=values["start"], end_on=values["end"],
            sensitive_topic=values["sensitive_topic"], created_at=now, created_by=by,
        )
        project.members = [
            ProjectMember(account_id=a.id, role="lead" if a is lead else "researcher",
                          status=ACTIVE, status_at=now, added_by=by)
            for a in [lead] + [a for a in people.values() if a is not lead]
        ]
        session.add(project)
        session.flush()
        audit.record(session, by=by, action="governance.project.create",
                     subject=f"project:{project.reference}",
                     details={"title": project.title, "lead": lead.username,
                              "team": sorted(people), "sensitive_topic": project.sensitive_topic},
                     at=deployment.clock())
        return project.reference


def import_project(deployment: Deployment, *, by: str, path: Path) -> str:
    return from_form_file(path, lambda form: create_project(deployment, by=by, form=form))


def _team_change(session: Session, *, by: str, project: str, username: str
                 ) -> tuple[Project, Account]:
    """The project and the account, once ``by`` is found to be its lead or an administrator."""
    actor = acting_account(session, by)
    proj = get_project(session, project)
    if not _may_manage(actor, proj):
        raise PermissionDenied(f"{by} may not change {project}'s team: only its lead or an "
                               "administrator may")
    return proj, get_account(session, username)


def add_member(deployment: Deployment, *, by: str, project: str, username: str) -> None:
    """The lead or an administrator adds an eligible researcher to the team."""
    with deployment.store.transaction() as session:
        proj, account = _team_change(session, by=by, project=project, username=username)
        existing = member(proj, account)
        if existing is not None and existing.status != REMOVED:
            raise PermissionDenied(f"{username} is already on {project}'s team "
                                   f"({existing.status})")
        team = {m.account_id for m in active_team(proj)}
        require_eligible(session, account, deployment.clock().date(), "join a project team",
                         team | {account.id})
        now = audit.utc_iso(deployment.clock())
        if existing is None:
            proj.members.append(ProjectMember(account_id=account.id, role="researcher",
                                              status=ACTIVE, status_at=now, added_by=by))
        else:
            existing.status, existing.status_reason, existing.status_at = ACTIVE, "", now
        audit.record(session, by=by, action="governance.project.member_add",
                     subject=f"project:{project}", details={"member": username},
                     at=deployment.clock())


def remove_member(deployment: Deployment, *, by: str, project: str, username: str,
                  reason: str) -> None:
    with deployment.store.transaction() as session:
        proj, account = _team_change(session, by=by, project=project, username=username)
        found = member(proj, account)
        if found is None or found.status == REMOVED:
            raise NotFound(f"{username} is not on {project}'s team")
        if found.role == "lead":
            raise PermissionDenied(f"{username} leads {project} and cannot be removed from it")
        found.status, found.status_reason = REMOVED, reason
        found.status_at = audit.utc_iso(deployment.clock())
        audit.record(session, by=by, action="governance.project.member_remove",
                     subject=f"project:{project}", details={"member": username, "reason": reason},
                     at=deployment.clock())


def suspend(session: Session, deployment: Deployment, *, by: str, found: ProjectMember,
            reason: str) -> None:
    """Suspend one member's access, in the caller's transaction, and audit it."""
    found.status, found.status_reason = SUSPENDED, reason
    found.status_at = audit.utc_iso(deployment.clock())
    audit.record(session, by=by, action="governance.access.suspend",
                 subject=f"project:{found.project.reference}",
                 details={"member": found.account.username, "reason": reason},
                 at=deployment.clock())


def reinstate_member(deployment: Deployment, *, by: str, project: str, username: str,
                     reason: str) -> None:
    """An administrator reinstates a suspended member who is eligible again."""
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        if not has_role(actor, Role.ADMINISTRATOR):
            raise PermissionDenied(f"{by} may not reinstate access: that needs the "
                                   "administrator role")
        proj = get_project(session, project)
        account = get_account(session, username)
        found = member(proj, account)
        if found is None or found.status != SUSPENDED:
            raise NotFound(f"{username} is not suspended on {project}")
        team = {m.account_id for m in active_team(proj)} | {account.id}
        require_eligible(session, account, deployment.clock().date(), "be given access", team)
        found.status, found.status_reason = ACTIVE, ""
        found.status_at = audit.utc_iso(deployment.clock())
        audit.record(session, by=by, action="governance.access.reinstate",
                     subject=f"project:{project}", details={"member": username, "reason": reason},
                     at=deployment.clock())


@dataclass(frozen=True)
class ProjectSummary:
    reference: str
    title: str
    lead: str


def projects_of(deployment: Deployment, *, by: str) -> list[ProjectSummary]:
    """The projects ``by`` is an active member of, in the order they were made: the ones they
    may apply for."""
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        found = session.execute(select(Project).join(ProjectMember).where(
            ProjectMember.account_id == actor.id, ProjectMember.status == ACTIVE)
            .order_by(Project.id)).scalars()
        return [ProjectSummary(p.reference, p.title, p.lead.username) for p in found]


def may_view(actor: Account, project: Project) -> bool:
    """Team members (not removed ones), administrators, auditors, linkage officers and panel
    members."""
    found = member(project, actor)
    return ((found is not None and found.status != REMOVED) or bool(panels_of(actor))
            or any(has_role(actor, r) for r in
                   (Role.ADMINISTRATOR, Role.AUDITOR, Role.LINKAGE_OFFICER)))


def project_view(deployment: Deployment, *, by: str, project: str) -> ProjectView:
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        proj = get_project(session, project)
        if not may_view(actor, proj):
            raise PermissionDenied(f"{by} may not see project {project}")
        return ProjectView(
            proj.reference, proj.title, proj.lead.username, proj.organisation, proj.funder,
            proj.start_on, proj.end_on, proj.sensitive_topic, proj.lay_summary,
            proj.public_benefit, tuple(proj.research_questions), proj.rap_reference,
            proj.rap_expires_on,
            tuple(MemberView(m.account.username, m.account.full_name, m.role, m.status,
                             m.status_reason) for m in proj.members),
        )


def team_problems(session: Session, project: Project, on: date) -> list[str]:
    """Why the active team may not be approved or given access on ``on`` (empty if it may)."""
    team = {m.account_id for m in active_team(project)}
    return [p for m in active_team(project)
            for p in eligibility_problems(session, m.account, on, team)]


def require_team_eligible(session: Session, project: Project, on: date, doing: str) -> None:
    problems = team_problems(session, project, on)
    if problems:
        raise NotEligible(f"{project.reference} cannot {doing}: every active team member needs "
                          "current accreditation and training: " + "; ".join(problems))
