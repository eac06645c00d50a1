"""The tables of a project's outputs, its requests to release them and the checkers' reviews.

An output (``O-0001``) is made inside the workspace and kept with its check record, what may be
published of it and its ledger entry. It is ``draft`` until it is part of a request, then
``requested``, and ends ``released``, ``returned`` (the researcher may change it and ask again)
or ``rejected``. A request (``R-0001``) gathers outputs with the researcher's justification and
the project purpose they serve; it waits for two reviews by two different output checkers and is
then ``released`` (both approved), ``rejected`` (either rejected) or ``returned``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fivesafes.store.base import Base

DRAFT, REQUESTED, RELEASED, RETURNED, REJECTED = (
    "draft", "requested", "released", "returned", "rejected")
PENDING = "pending"
APPROVE, RETURN, REJECT = "approve", "return", "reject"
DECISIONS = (APPROVE, RETURN, REJECT)


class ProjectOutput(Base):
    """One output of a project, made in its workspace from one table of its extract."""

    __tablename__ = "project_output"
    PREFIX: ClassVar[str] = "O"
    NOUN: ClassVar[str] = "output"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # frequency | magnitude | histogram | ...
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)  # how it was made: table, fields, filter
    fields: Mapped[list[str]] = mapped_column(JSON)  # every field it uses
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # published cells, margins, check record
    ledger: Mapped[dict[str, Any]] = mapped_column(JSON)  # its differencing ledger entry
    check_status: Mapped[str] = mapped_column(String(10))  # pass | review | fail
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("output_request.id"),
                                                   nullable=True, index=True)

    @property
    def reference(self) -> str:
        return f"{self.PREFIX}-{self.id:04d}"


class OutputRequest(Base):
    """A researcher's request to release some of a project's outputs."""

    __tablename__ = "output_request"
    PREFIX: ClassVar[str] = "R"
    NOUN: ClassVar[str] = "release request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)  # the project purpose the outputs serve
    exception: Mapped[str] = mapped_column(Text, default="")  # why a failing output should go
    #: The checks at request time: differencing against the project's ledger, and scope.
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    decided_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    folder: Mapped[str | None] = mapped_column(String(500), nullable=True)  # released files
    manifest_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outputs: Mapped[list[ProjectOutput]] = relationship(order_by="ProjectOutput.id")
    reviews: Mapped[list[OutputReview]] = relationship(
        back_populates="request", order_by="OutputReview.id", cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        return f"{self.PREFIX}-{self.id:04d}"


class OutputReview(Base):
    """One output checker's decision on a request, with the conflicts checked."""

    __tablename__ = "output_review"
    __table_args__ = (UniqueConstraint("request_id", "checker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("output_request.id"), index=True)
    checker: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))  # approve | return | reject
    comments: Mapped[str] = mapped_column(Text)
    #: What was checked for a conflict of interest and what the checker declared.
    conflicts: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(32))
    request: Mapped[OutputRequest] = relationship(back_populates="reviews")
