"""Risk assessments kept with applications: what a panel must have in front of it to decide.

An application's *request* (its datasets, fields at their levels and coverage dates) is
assessed by :func:`fivesafes.risk.assess` together with the fields its project already holds
(those of the project's other approved, accredited or provisioned applications) on the home's
published data. Each assessment is stored (:class:`RiskAssessmentRecord`) with the digest of
what was assessed. It is **current** while the application asks for exactly that, under the
home's present threshold and key classes; editing the request makes it stale, and a panel cannot
approve or reject without a current one (:func:`require_current`). Submission and resubmission
assess the application; ``fivesafes risk assess`` does it at any time before a decision.

This module has the parts that sit inside a service function's transaction; the service
functions themselves are in :mod:`fivesafes.governance.applications` and
:mod:`fivesafes.governance.reviews`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.errors import InvalidTransition
from fivesafes.governance.catalogue import Published, catalogue_for, data_for
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application, RiskAssessmentRecord
from fivesafes.home import Deployment
from fivesafes.risk import Request, RiskAssessment, assess
from fivesafes.risk.request import DatasetChoice, FieldChoice
from fivesafes.sources.contract import Sensitivity

HOLDING = (State.APPROVED, State.ACCREDITED, State.PROVISIONED)


def requested(application: Application) -> Request:
    """What the application asks for, as a risk request: its fields, and its coverage (dates,
    jurisdictions and source systems)."""
    return Request(tuple(DatasetChoice(d.name, d.version, tuple(FieldChoice(f.name, f.level)
                                                                 for f in d.fields))
                         for d in application.datasets),
                   application.coverage_from.isoformat(), application.coverage_to.isoformat(),
                   tuple(sorted(application.jurisdictions)), tuple(sorted(application.sources)))


def held_by_project(session: Session, application: Application) -> Request | None:
    """The fields the application's project already holds or has been granted: those of its
    other applications that are approved, accredited or provisioned (None if there are none)."""
    others = session.execute(select(Application).where(
        Application.project_id == application.project_id, Application.id != application.id,
        Application.state.in_([str(s) for s in HOLDING])).order_by(Application.id)).scalars()
    datasets: dict[tuple[str, str], dict[str, str]] = {}
    dates: list[tuple[str, str]] = []
    for other in others:
        dates.append((other.coverage_from.isoformat(), other.coverage_to.isoformat()))
        for d in other.datasets:
            fields = datasets.setdefault((d.name, d.version), {})
            for f in d.fields:
                fields.setdefault(f.name, f.level)
    if not datasets:
        return None
    return Request.of(datasets, date_from=min(a for a, _ in dates),
                      date_to=max(b for _, b in dates))


def _digest(content: Mapping[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_digest(deployment: Deployment, request: Request, held: Request | None) -> str:
    """The digest of what an assessment of ``request`` measures, under the home's settings."""
    settings = deployment.settings
    return _digest({"request": request.to_dict(), "held": held.to_dict() if held else None,
                    "k": settings.risk_k, "key_classes": sorted(settings.risk_key_classes)})


def record_assessment(session: Session, deployment: Deployment, application: Application, *,
                      by: str, published: Published | None = None) -> RiskAssessmentRecord:
    """Assess the application now (on the home's catalogue and published data, or those of
    ``published``), store the assessment and audit it (in the caller's transaction). Raises
    :class:`~fivesafes.errors.InvalidForm` if the request cannot be assessed (a dataset with no
    published data, no record in coverage)."""
    request, held = requested(application), held_by_project(session, application)
    settings = deployment.settings
    result = assess(catalogue_for(deployment, published), data_for(deployment, published), request,
                    k=settings.risk_k, held=held,
                    key_classes=frozenset(Sensitivity(c) for c in settings.risk_key_classes))
    figures = result.to_dict()
    p = result.persons
    at = deployment.clock()
    record = RiskAssessmentRecord(
        application_id=application.id, assessed_at=audit.utc_iso(at), assessed_by=by,
        request_sha256=request_digest(deployment, request, held), threshold=result.threshold,
        k=p.k, persons=p.units, below_k=p.below_k, uniques=p.uniques, max_risk=p.max_risk,
        meets_threshold=result.meets_threshold, figures=figures, figures_sha256=_digest(figures))
    session.add(record)
    session.flush()
    audit.record(session, by=by, action="governance.application.risk_assessed",
                 subject=f"application:{application.reference}",
                 details={**headline(record), "suggestions": [s.text
                                                              for s in result.suggestions]},
                 at=at)
    return record


def latest(session: Session, application: Application) -> RiskAssessmentRecord | None:
    """The application's most recent assessment, current or not."""
    return session.execute(select(RiskAssessmentRecord).where(
        RiskAssessmentRecord.application_id == application.id).order_by(
        RiskAssessmentRecord.id.desc()).limit(1)).scalar_one_or_none()


def is_current(session: Session, deployment: Deployment, application: Application,
               record: RiskAssessmentRecord) -> bool:
    """True while the application asks for exactly what ``record`` assessed."""
    digest = request_digest(deployment, requested(application),
                            held_by_project(session, application))
    return record.request_sha256 == digest


def current(session: Session, deployment: Deployment, application: Application
            ) -> RiskAssessmentRecord | None:
    """The application's current assessment, if it has one."""
    record = latest(session, application)
    if record is None or not is_current(session, deployment, application, record):
        return None
    return record


def require_current(session: Session, deployment: Deployment, application: Application,
                    step: str) -> RiskAssessmentRecord:
    """The current assessment a panel decision rests on; refuses the step without one."""
    record = latest(session, application)
    if record is None:
        why = "it has never been assessed"
    elif not is_current(session, deployment, application, record):
        why = (f"its assessment of {record.assessed_at[:19]} no longer matches what it asks "
               "for (the request, the fields its project holds or the risk settings changed)")
    else:
        return record
    raise InvalidTransition(
        f"{application.reference} cannot be {step} without a current risk assessment: {why}; "
        f"run 'fivesafes risk assess {application.reference}' and read it first")


def headline(record: RiskAssessmentRecord) -> dict[str, Any]:
    """The figures a decision records as seen: enough to tell what the panel was shown, and
    the digest that ties them to the whole stored assessment."""
    return {"risk_assessment": record.id, "k": record.k, "threshold": record.threshold,
            "meets_threshold": record.meets_threshold, "persons": record.persons,
            "below_k": record.below_k, "uniques": record.uniques,
            "max_risk": round(record.max_risk, 6), "figures_sha256": record.figures_sha256}


def assessment_of(record: RiskAssessmentRecord) -> RiskAssessment:
    """The whole stored assessment."""
    return RiskAssessment.from_dict(record.figures)
