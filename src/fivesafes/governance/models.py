"""Tables of the governance part of the metadata store: accreditation and
training (safe people), projects and teams (safe projects), applications with their requested
datasets and fields, panel reviews, conflicts of interest, and agreements (DSA, DPIA).

Times of events are ISO 8601 UTC strings, as in the audit log; calendar dates (expiry, access
windows) are ``Date`` columns. Passwords are stored only as argon2 hashes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from fivesafes.accounts.models import Account
from fivesafes.errors import NotFound
from fivesafes.store.base import Base


class Accreditation(Base):
    """A researcher's accreditation (e.g. under the Digital Economy Act 2017). Provisional
    accreditation names the fully accredited researcher who supervises."""

    __tablename__ = "accreditation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))  # full | provisional
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), nullable=True)
    granted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    supervisor: Mapped[Account | None] = relationship(foreign_keys=[supervisor_id])


class TrainingRecord(Base):
    """A passed training course (e.g. safe researcher training) and when it lapses."""

    __tablename__ = "training_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    passed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(200))


class Project(Base):
    """A research project. Its reference (``P-0001``) is derived from its id."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    lay_summary: Mapped[str] = mapped_column(Text)
    public_benefit: Mapped[str] = mapped_column(Text)
    research_questions: Mapped[list[str]] = mapped_column(JSON)
    lead_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    sensitive_topic: Mapped[bool] = mapped_column(Boolean, default=False)
    rap_reference: Mapped[str | None] = mapped_column(String(60), nullable=True)
    rap_accredited_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    rap_expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    lead: Mapped[Account] = relationship(foreign_keys=[lead_id])
    members: Mapped[list[ProjectMember]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectMember.id"
    )

    PREFIX: ClassVar[str] = "P"

    @property
    def reference(self) -> str:
        return f"{self.PREFIX}-{self.id:04d}"


class ProjectMember(Base):
    """A person on a project's team. ``status`` is active, suspended (accreditation or training
    lapsed; access refused until reinstated) or removed."""

    __tablename__ = "project_member"
    __table_args__ = (UniqueConstraint("project_id", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # lead | researcher
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_at: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(200))
    project: Mapped[Project] = relationship(back_populates="members")
    account: Mapped[Account] = relationship()


class Application(Base):
    """An application to use data for a project. Its reference (``A-0001``) is derived from its
    id; ``state`` follows the table in :mod:`fivesafes.governance.lifecycle`."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    gateway: Mapped[str] = mapped_column(String(40))
    art6_basis: Mapped[str] = mapped_column(String(40))
    art9_condition: Mapped[str | None] = mapped_column(String(60), nullable=True)
    art10_condition: Mapped[str | None] = mapped_column(String(60), nullable=True)
    ethics_reference: Mapped[str] = mapped_column(String(100))
    dpia_reference: Mapped[str] = mapped_column(String(100))
    coverage_from: Mapped[date] = mapped_column(Date)
    coverage_to: Mapped[date] = mapped_column(Date)
    jurisdictions: Mapped[list[str]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    access_start: Mapped[date] = mapped_column(Date)
    access_end: Mapped[date] = mapped_column(Date)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    project: Mapped[Project] = relationship()
    datasets: Mapped[list[RequestedDataset]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="RequestedDataset.id"
    )
    reviews: Mapped[list[PanelReview]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="[PanelReview.position, PanelReview.id]",
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )

    PREFIX: ClassVar[str] = "A"

    @property
    def reference(self) -> str:
        return f"{self.PREFIX}-{self.id:04d}"


class RequestedDataset(Base):
    """One dataset version an application asks for, with its data owner as it was when the
    application was written (the owner decides the route)."""

    __tablename__ = "requested_dataset"
    __table_args__ = (UniqueConstraint("application_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(60))
    owner: Mapped[str] = mapped_column(String(100))
    application: Mapped[Application] = relationship(back_populates="datasets")
    fields: Mapped[list[RequestedField]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", order_by="RequestedField.id"
    )


class RequestedField(Base):
    """One field at one granularity level, with the applicant's justification."""

    __tablename__ = "requested_field"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("requested_dataset.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(100))
    sensitivity: Mapped[str] = mapped_column(String(30))
    justification: Mapped[str] = mapped_column(Text)
    why_not_coarser: Mapped[str] = mapped_column(Text, default="")
    dataset: Mapped[RequestedDataset] = relationship(back_populates="fields")


class ApplicationEvent(Base):
    """One step in an application's history, with the reasons given (mirrors the audit log in a
    form the governance screens can show)."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    application: Mapped[Application] = relationship(back_populates="events")


class PanelReview(Base):
    """One panel's place on an application's route, and its decision. ``kind`` is approval
    (the data owners' panels, in order) or accreditation (the Research Accreditation Panel,
    last). Reviews run in (position, id) order: an escalation gets its escalating review's
    position and so comes right after it."""

    __tablename__ = "panel_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    panel: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))  # approval | accreditation
    status: Mapped[str] = mapped_column(String(20), default="pending")
    escalated_from: Mapped[str] = mapped_column(String(60), default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[str] = mapped_column(String(32), default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The risk assessment the deciding panel member saw (see RiskAssessmentRecord).
    risk_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_assessment.id"), nullable=True)
    application: Mapped[Application] = relationship(back_populates="reviews")


class RiskAssessmentRecord(Base):
    """One disclosure risk assessment of an application's requested combination (see
    :mod:`fivesafes.risk`), with its headline figures as columns and all of it as ``figures``.
    ``request_sha256`` is the digest of what was assessed (the request, the fields the project
    already held, the threshold and key classes): the assessment is *current* while the
    application still asks for exactly that."""

    __tablename__ = "risk_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    assessed_at: Mapped[str] = mapped_column(String(32))
    assessed_by: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[int] = mapped_column(Integer)
    k: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    below_k: Mapped[int] = mapped_column(Integer)
    uniques: Mapped[int] = mapped_column(Integer)
    max_risk: Mapped[float] = mapped_column(Float)
    meets_threshold: Mapped[bool] = mapped_column(Boolean)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    figures_sha256: Mapped[str] = mapped_column(String(64))


class ConflictOfInterest(Base):
    """A panel member's declared conflict: they may not decide on that application."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (UniqueConstraint("application_id", "account_id", "panel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    panel: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[str] = mapped_column(String(32))


class Agreement(Base):
    """A Data Sharing Agreement (``dsa``) or Data Protection Impact Assessment (``dpia``)."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    parties: Mapped[list[str]] = mapped_column(JSON)
    datasets: Mapped[list[str]] = mapped_column(JSON)
    permitted_uses: Mapped[list[str]] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(Text)
    protections: Mapped[list[str]] = mapped_column(JSON)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | terminated
    status_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(200))
    shares: Mapped[list[AgreementShare]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementShare.id"
    )


class AgreementShare(Base):
    """Links an agreement to an application (a share) it covers."""

    __tablename__ = "agreement_share"
    __table_args__ = (UniqueConstraint("agreement_id", "application_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    linked_at: Mapped[str] = mapped_column(String(32))
    linked_by: Mapped[str] = mapped_column(String(200))
    agreement: Mapped[Agreement] = relationship(back_populates="shares")
    application: Mapped[Application] = relationship()


_Referenced = TypeVar("_Referenced")


def by_reference(session: Session, model: type[_Referenced], reference: str) -> _Referenced:
    """The row a reference names: a project (``P-0007``), an application (``A-0007``), or
    any model with a ``PREFIX`` and an id (its ``NOUN``, else its table, names it in the
    error)."""
    head, _, number = reference.strip().upper().partition("-")
    valid = head == model.PREFIX and number.isdigit() and len(number) <= 9  # fits an INTEGER
    found = session.get(model, int(number)) if valid else None
    if found is None:
        noun = getattr(model, "NOUN", model.__tablename__)
        raise NotFound(f"there is no {noun} '{reference}' (references look like "
                       f"{model.PREFIX}-0001)")
    return found
