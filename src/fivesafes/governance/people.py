"""Safe people: researcher accreditation and training, and who is eligible today.

A researcher is eligible on a date when their account is active, they hold the researcher role,
an accreditation and a training record are both current that day (granted/passed on or before
it, expiring on or after it), and, if their accreditation is provisional, their named supervisor
is eligible with full accreditation. Only eligible people may join a team, be approved or be
given access; :func:`fivesafes.governance.access.enforce_expiries` suspends anyone who stops
being eligible mid-project.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import (
    Role,
    acting_account,
    get_account,
    has_role,
    require_role,
)
from fivesafes.accounts.models import Account
from fivesafes.errors import NotEligible, NotFound, PermissionDenied, Problem, raise_problems
from fivesafes.governance.models import Accreditation, TrainingRecord
from fivesafes.home import Deployment


class Level(StrEnum):
    FULL = "full"
    PROVISIONAL = "provisional"  # works under a named, fully accredited supervisor


def _accreditations(session: Session, account: Account) -> list[Accreditation]:
    stmt = (select(Accreditation).where(Accreditation.account_id == account.id)
            .order_by(Accreditation.expires_on))
    return list(session.execute(stmt).scalars())


def _training(session: Session, account: Account) -> list[TrainingRecord]:
    stmt = (select(TrainingRecord).where(TrainingRecord.account_id == account.id)
            .order_by(TrainingRecord.expires_on))
    return list(session.execute(stmt).scalars())


def current_accreditation(session: Session, account: Account, on: date) -> Accreditation | None:
    """The current accreditation on ``on``, full preferred over provisional."""
    current = [a for a in _accreditations(session, account)
               if a.revoked_at is None and a.granted_on <= on <= a.expires_on]
    current.sort(key=lambda a: (a.level != Level.FULL, -a.expires_on.toordinal()))
    return current[0] if current else None


def _lapsed(kind: str, records: list, on: date) -> str:
    past = [r for r in records if r.expires_on < on]
    if past:
        return f"{kind} expired on {past[-1].expires_on.isoformat()}"
    if records:
        return f"{kind} is not current on {on.isoformat()}"
    return f"no {kind} is recorded"


def eligibility_problems(session: Session, account: Account, on: date,
                         team: Collection[int] | None = None) -> list[str]:
    """Why ``account`` may not join a team, be approved or be given access on ``on`` (empty
    when they may). With ``team`` (account ids), a provisional researcher's supervisor must be
    on it."""
    name = account.username
    if not account.active:
        return [f"{name}'s account is disabled"]
    problems = []
    if not has_role(account, Role.RESEARCHER):
        problems.append(f"{name} does not hold the researcher role")
    accreditation = current_accreditation(session, account, on)
    if accreditation is None:
        live = [a for a in _accreditations(session, account) if a.revoked_at is None]
        problems.append(f"{name}: {_lapsed('accreditation', live, on)}")
    elif accreditation.level == Level.PROVISIONAL:
        supervisor = accreditation.supervisor
        assert supervisor is not None, "provisional accreditation always names a supervisor"
        sup = current_accreditation(session, supervisor, on)
        if not supervisor.active or sup is None or sup.level != Level.FULL:
            problems.append(f"{name} is provisionally accredited and their supervisor "
                            f"{supervisor.username} is not currently fully accredited")
        elif team is not None and supervisor.id not in team:
            problems.append(f"{name} is provisionally accredited and their supervisor "
                            f"{supervisor.username} is not on the team")
    training = _training(session, account)
    if not any(t.passed_on <= on <= t.expires_on for t in training):
        problems.append(f"{name}: {_lapsed('training', training, on)}")
    return problems


def require_eligible(session: Session, account: Account, on: date, doing: str,
                     team: Collection[int] | None = None) -> None:
    problems = eligibility_problems(session, account, on, team)
    if problems:
        raise NotEligible(f"{account.username} cannot {doing}: " + "; ".join(problems))


def record_accreditation(deployment: Deployment, *, by: str, username: str, number: str,
                         body: str, granted_on: date, expires_on: date, level: str = Level.FULL,
                         supervisor: str | None = None) -> None:
    """An administrator records a researcher's accreditation."""
    problems = []
    if not number.strip() or len(number) > 60:
        problems.append(Problem("number", "is required, at most 60 characters"))
    if not body.strip() or len(body) > 200:
        problems.append(Problem("body", "is required (the accrediting body), at most 200 "
                                        "characters"))
    if expires_on <= granted_on:
        problems.append(Problem("expires_on", "must be after the date it was granted"))
    if level not in tuple(Level):
        problems.append(Problem("level", f"must be {' or '.join(Level)}"))
    if level == Level.PROVISIONAL and not supervisor:
        problems.append(Problem("supervisor", "provisional accreditation names a supervisor"))
    if level == Level.FULL and supervisor:
        problems.append(Problem("supervisor", "only provisional accreditation has a supervisor"))
    raise_problems(f"accreditation of {username}", problems)
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "record accreditation")
        account = get_account(session, username)
        supervising = None
        if supervisor:
            supervising = get_account(session, supervisor)
            held = current_accreditation(session, supervising, deployment.clock().date())
            if supervising is account or held is None or held.level != Level.FULL:
                raise NotEligible(f"{supervisor} cannot supervise {username}: a supervisor is "
                                  "another researcher with current full accreditation")
        session.add(Accreditation(
            account_id=account.id, number=number.strip(), body=body.strip(), level=level,
            supervisor_id=supervising.id if supervising else None, granted_on=granted_on,
            expires_on=expires_on, recorded_at=audit.utc_iso(deployment.clock()), recorded_by=by,
        ))
        audit.record(session, by=by, action="governance.accreditation.record",
                     subject=f"account:{username}",
                     details={"number": number, "body": body, "level": str(level),
                              "supervisor": supervisor, "granted_on": granted_on.isoformat(),
                              "expires_on": expires_on.isoformat()},
                     at=deployment.clock())


def revoke_accreditation(deployment: Deployment, *, by: str, username: str, number: str,
                         reason: str) -> None:
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "revoke accreditation")
        account = get_account(session, username)
        found = [a for a in _accreditations(session, account)
                 if a.number == number and a.revoked_at is None]
        if not found:
            raise NotFound(f"{username} holds no unrevoked accreditation numbered '{number}'")
        for accreditation in found:
            accreditation.revoked_at = audit.utc_iso(deployment.clock())
        audit.record(session, by=by, action="governance.accreditation.revoke",
                     subject=f"account:{username}", details={"number": number, "reason": reason},
                     at=deployment.clock())


def record_training(deployment: Deployment, *, by: str, username: str, course: str,
                    passed_on: date, expires_on: date) -> None:
    """An administrator records a passed training course."""
    problems = []
    if not course.strip() or len(course) > 200:
        problems.append(Problem("course", "is required, at most 200 characters"))
    if expires_on <= passed_on:
        problems.append(Problem("expires_on", "must be after the date it was passed"))
    raise_problems(f"training of {username}", problems)
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "record training")
        account = get_account(session, username)
        session.add(TrainingRecord(
            account_id=account.id, course=course.strip(), passed_on=passed_on,
            expires_on=expires_on, recorded_at=audit.utc_iso(deployment.clock()), recorded_by=by,
        ))
        audit.record(session, by=by, action="governance.training.record",
                     subject=f"account:{username}",
                     details={"course": course, "passed_on": passed_on.isoformat(),
                              "expires_on": expires_on.isoformat()},
                     at=deployment.clock())


@dataclass(frozen=True)
class PersonStatus:
    """A person's safe-people record on a day."""

    username: str
    full_name: str
    accreditations: tuple[str, ...]
    training: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def eligible(self) -> bool:
        return not self.problems


def person_status(deployment: Deployment, *, by: str, username: str) -> PersonStatus:
    """Administrators, auditors and the person themselves may see it."""
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        if actor.username != username and not (
                has_role(actor, Role.ADMINISTRATOR) or has_role(actor, Role.AUDITOR)):
            raise PermissionDenied(f"{by} may not see {username}'s accreditation and training")
        account = get_account(session, username)
        on = deployment.clock().date()
        accreditations = tuple(
            f"{a.number} ({a.body}, {a.level}"
            + (f", supervised by {a.supervisor.username}" if a.supervisor else "")
            + f") {a.granted_on} to {a.expires_on}" + (" REVOKED" if a.revoked_at else "")
            for a in _accreditations(session, account))
        training = tuple(f"{t.course}: passed {t.passed_on}, expires {t.expires_on}"
                         for t in _training(session, account))
        return PersonStatus(username, account.full_name, accreditations, training,
                            tuple(eligibility_problems(session, account, on)))
