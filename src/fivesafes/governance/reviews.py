"""Panel decisions: approve (with conditions), reject, ask for more information (in
:mod:`~fivesafes.governance.applications`), escalate, and the accreditation panel's project
accreditation; and declarations of conflicts of interest.

Panels decide one at a time, in route order. Only a member of the panel whose review is open may
decide, and not if they declared a conflict of interest or are on the project's team. One
panel's rejection ends the application.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fivesafes import audit
from fivesafes.accounts import acting_account, panels_of
from fivesafes.accounts.panels import routing_for
from fivesafes.errors import InvalidTransition, PermissionDenied, Problem, raise_problems
from fivesafes.governance import risk_assessments
from fivesafes.governance.applications import (
    begin,
    current_review,
    declared_conflict,
    finish,
    get_application,
    need_reasons,
)
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application, ConflictOfInterest, PanelReview
from fivesafes.governance.projects import require_team_eligible
from fivesafes.home import Deployment


def _decide(review: PanelReview, status: str, *, by: str, at: str, reasons: str,
            conditions: Sequence[str]) -> None:
    review.status, review.decided_by, review.decided_at = status, by, at
    review.reasons, review.conditions = reasons, [c.strip() for c in conditions if c.strip()]


def _open_review(application: Application) -> PanelReview:
    review = current_review(application)
    assert review is not None, "the lifecycle check guarantees an open review"
    return review


def approve(deployment: Deployment, *, by: str, reference: str, reasons: str = "",
            conditions: Sequence[str] = ()) -> State:
    """The reviewing panel approves, with any conditions. The application stays in review until
    the last panel on its route approves; returns the state it is in afterwards."""
    with deployment.store.transaction() as session:
        application, rows = begin(session, by=by, reference=reference, action="approve")
        today = deployment.clock().date()
        require_team_eligible(session, application.project, today, "be approved")
        seen = risk_assessments.require_current(session, deployment, application, "approved")
        review = _open_review(application)
        _decide(review, "approved", by=by, at=audit.utc_iso(deployment.clock()),
                reasons=reasons.strip(), conditions=conditions)
        review.risk_assessment_id = seen.id
        following = current_review(application)
        target = State.IN_REVIEW if following and following.kind == "approval" else State.APPROVED
        row = next(t for t in rows if t.target == target)
        application.conditions = [*application.conditions, *review.conditions]
        if target is State.APPROVED:
            application.approved_on = today
        finish(session, deployment, by=by, application=application, action="approve",
               target=row.target, reasons=reasons.strip(),
               details={"panel": review.panel, "conditions": review.conditions,
                        "next_panel": following.panel if following else None,
                        "risk_seen": risk_assessments.headline(seen)})
        return row.target


def reject(deployment: Deployment, *, by: str, reference: str, reasons: str) -> None:
    """The reviewing panel (or the accreditation panel) rejects: the application ends."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="reject")
        review = _open_review(application)
        why = need_reasons(reasons, "reject")
        seen = (risk_assessments.require_current(session, deployment, application, "rejected")
                if review.kind == "approval" else risk_assessments.latest(session, application))
        _decide(review, "rejected", by=by, at=audit.utc_iso(deployment.clock()), reasons=why,
                conditions=())
        review.risk_assessment_id = seen.id if seen else None
        finish(session, deployment, by=by, application=application, action="reject",
               target=State.REJECTED, reasons=why,
               details={"panel": review.panel,
                        "risk_seen": risk_assessments.headline(seen) if seen else None})


def escalate(deployment: Deployment, *, by: str, reference: str, reasons: str) -> str:
    """The reviewing panel refers the application to the higher body its configuration names,
    which reviews it next; returns that panel's key."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="escalate")
        review = _open_review(application)
        panel = routing_for(deployment).panel(review.panel)
        if not panel.escalates_to:
            raise InvalidTransition(f"{panel.name} has no higher body to escalate to (no "
                                    f"escalates_to in the routing for '{panel.key}')")
        why = need_reasons(reasons, "escalate")
        _decide(review, "escalated", by=by, at=audit.utc_iso(deployment.clock()), reasons=why,
                conditions=())
        application.reviews.append(PanelReview(
            position=review.position, panel=panel.escalates_to, kind="approval",
            escalated_from=panel.key, conditions=[],
        ))
        finish(session, deployment, by=by, application=application, action="escalate",
               target=State.IN_REVIEW, reasons=why,
               details={"panel": panel.key, "escalated_to": panel.escalates_to})
        return panel.escalates_to


def accredit(deployment: Deployment, *, by: str, reference: str, rap_reference: str,
             expires_on: date, reasons: str = "", conditions: Sequence[str] = ()) -> None:
    """The accreditation panel accredits the approved application's project, recording its
    accreditation reference and expiry."""
    with deployment.store.transaction() as session:
        application, _ = begin(session, by=by, reference=reference, action="accredit")
        today = deployment.clock().date()
        problems = []
        if not rap_reference.strip() or len(rap_reference) > 60:
            problems.append(Problem("rap_reference", "is required, at most 60 characters"))
        if expires_on <= today:
            problems.append(Problem("expires_on", f"must be after today ({today})"))
        raise_problems(f"accreditation of {reference}", problems)
        require_team_eligible(session, application.project, today, "be accredited")
        review = _open_review(application)
        _decide(review, "approved", by=by, at=audit.utc_iso(deployment.clock()),
                reasons=reasons.strip(), conditions=conditions)
        project = application.project
        project.rap_reference, project.rap_expires_on = rap_reference.strip(), expires_on
        project.rap_accredited_on = today
        application.conditions = [*application.conditions, *review.conditions]
        finish(session, deployment, by=by, application=application, action="accredit",
               target=State.ACCREDITED, reasons=reasons.strip(),
               details={"panel": review.panel, "rap_reference": project.rap_reference,
                        "expires_on": expires_on.isoformat(), "conditions": review.conditions})


def declare_conflict(deployment: Deployment, *, by: str, reference: str, panel: str,
                     reason: str) -> None:
    """A panel member declares a conflict of interest: they may then not decide on it."""
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        application = get_application(session, reference)
        if panel not in panels_of(actor):
            raise PermissionDenied(f"{by} is not a member of panel '{panel}'")
        why = need_reasons(reason, "declare a conflict")
        if declared_conflict(session, actor, application, panel) is not None:
            return
        session.add(ConflictOfInterest(application_id=application.id, account_id=actor.id,
                                       panel=panel, reason=why,
                                       declared_at=audit.utc_iso(deployment.clock())))
        audit.record(session, by=by, action="governance.application.conflict_declared",
                     subject=f"application:{reference}", details={"panel": panel, "reason": why},
                     at=deployment.clock())
