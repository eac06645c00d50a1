"""The service functions of safe outputs: making an output in the workspace, asking for its
release, the two output checkers' reviews, the release into the released zone, and reading.

* :func:`make_output` - inside a workspace session (access checked first), computes a table,
  histogram, regression or time-to-event count over one of the extract's tables (or a scratch
  table), checks it, suppresses and verifies, checks it against the project's earlier outputs
  of the same table (differencing), and keeps it as a ``draft`` output (``output.made``).
* :func:`request_release` - a team member with access asks for chosen outputs to be released,
  with a justification and the project purpose they serve; the differencing and scope checks
  run again across the project's ledger (``output.requested``).
* :func:`review_request` - an output checker who is neither the requester nor on the project's
  team approves, returns (with comments) or rejects; the checks for a conflict are recorded
  with the review. When two checkers have reviewed, the request is released (both approved),
  rejected (either rejected) or returned (``output.reviewed``, then ``output.released``,
  ``output.returned`` or ``output.rejected``).
* The release writes each output's published cells as CSV, with a manifest of their SHA-256,
  into ``released/<project>/<request>/``, after the release gate: no pseudonym, no grouping by
  a person, no published count below the threshold. These files are the only outputs anyone
  outside the workspace can read (:func:`released`).
* :func:`export_results` writes a request as an ACRO/SACRO ``results.json`` for a checker;
  :func:`check_results` reads one (ours or ACRO's) and says what our checks make of it.

A refusal raised inside a unit of work is audited as a security event by the store.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, acting_account, authorise, get_account, has_role
from fivesafes.errors import FivesafesError, InvalidTransition, NotFound, PermissionDenied
from fivesafes.governance.access import may_access
from fivesafes.governance.applications import get_application
from fivesafes.governance.models import Application, by_reference
from fivesafes.governance.projects import member
from fivesafes.home import Busy, Deployment, moved, staging_beside
from fivesafes.outputs import acro
from fivesafes.outputs import rules as r
from fivesafes.outputs.data import Filter, Microdata, OutputError
from fivesafes.outputs.differencing import Ledger, LedgerEntry, check_against
from fivesafes.outputs.models import regression, survival
from fivesafes.outputs.records import (
    APPROVE,
    DECISIONS,
    DRAFT,
    PENDING,
    REJECT,
    REJECTED,
    RELEASED,
    REQUESTED,
    RETURN,
    RETURNED,
    OutputRequest,
    OutputReview,
    ProjectOutput,
)
from fivesafes.outputs.rules import CheckRecord, Severity, Thresholds
from fivesafes.outputs.safe import Output, checked
from fivesafes.outputs.tables import frequency, histogram, magnitude
from fivesafes.sql import compose
from fivesafes.workspace.service import Workspace, application_for

KINDS = ("frequency", "magnitude", "histogram", "regression", "survival")
MIN_JUSTIFICATION = 20
MANIFEST = "manifest.json"


def thresholds_of(deployment: Deployment) -> Thresholds:
    """The disclosure thresholds of this deployment (``[outputs]``, else the defaults)."""
    return Thresholds.from_dict({**Thresholds().to_dict(),
                                 **deployment.settings.output_thresholds})


@dataclass(frozen=True)
class OutputView:
    """One output as its project's team and the output checkers see it."""

    reference: str
    project: str
    application: str
    name: str
    kind: str
    status: str
    check_status: str
    spec: dict[str, Any]
    fields: tuple[str, ...]
    cells: list[dict[str, Any]]
    margins: list[dict[str, Any]]
    check: dict[str, Any]
    csv: str
    created_by: str
    created_at: str
    request: str | None

    @property
    def record(self) -> CheckRecord:
        return CheckRecord.from_dict(self.check)


@dataclass(frozen=True)
class ReviewView:
    checker: str
    decision: str
    comments: str
    conflicts: dict[str, Any]
    at: str


@dataclass(frozen=True)
class RequestView:
    """A request to release outputs, with its reviews."""

    reference: str
    project: str
    application: str
    requested_by: str
    requested_at: str
    justification: str
    purpose: str
    exception: str
    status: str
    findings: list[dict[str, Any]]
    outputs: tuple[OutputView, ...]
    reviews: tuple[ReviewView, ...]
    folder: str | None
    decided_at: str | None


# -- views ------------------------------------------------------------------------------------
def _output_view(row: ProjectOutput, project: str, application: str) -> OutputView:
    request = f"{OutputRequest.PREFIX}-{row.request_id:04d}" if row.request_id else None
    return OutputView(row.reference, project, application, row.name, row.kind, row.status,
                      row.check_status, row.spec, tuple(row.fields), row.body["cells"],
                      row.body.get("margins", []), row.body["check"], row.body["csv"],
                      row.created_by, row.created_at, request)


def _request_view(session: Session, row: OutputRequest) -> RequestView:
    application = session.get(Application, row.application_id)
    assert application is not None
    project, reference = application.project.reference, application.reference
    return RequestView(
        row.reference, project, reference, row.requested_by, row.requested_at,
        row.justification, row.purpose, row.exception, row.status, list(row.findings),
        tuple(_output_view(o, project, reference) for o in row.outputs),
        tuple(ReviewView(v.checker, v.decision, v.comments, v.conflicts, v.at)
              for v in row.reviews), row.folder, row.decided_at)


# -- making an output -------------------------------------------------------------------------
def _microdata(workspace: Workspace, table: str) -> Microdata:
    con = workspace.sandbox.connection
    if table in workspace.datasets:
        return Microdata.of(table, con=con)
    name = table.removeprefix("scratch.")
    if f"scratch.{name}" not in workspace.tables():
        raise NotFound(f"there is no table {table} (tables: {', '.join(workspace.tables())})")
    # a relation, not a statement run: Microdata reads it lazily, as a view
    relation = con.sql(compose("SELECT * FROM {table}", table=("scratch", name)))
    return Microdata.of(relation, con=con)


def _approved_columns(workspace: Workspace) -> dict[str, set[str]]:
    return {d["name"]: {c["name"] for c in d["columns"]} for d in workspace.manifest["datasets"]}


def _scope_findings(fields: Sequence[str], table: str, approved: Mapping[str, set[str]],
                    name: str) -> list[r.Finding]:
    """A field that is not one of the approved fields of the extract (a field derived in a
    scratch table) is for the checkers to judge against the approved purpose."""
    every = set().union(*approved.values()) if approved else set()
    allowed = approved.get(table, every)
    return [r.finding(r.SCOPE, Severity.REVIEW, {}, {"field": f, "table": table},
                      f"{name}: field {f!r} is not an approved field of the extract (derived "
                      f"in {table}); the checkers judge whether it serves the approved "
                      "purpose", (name,))
            for f in fields if f not in allowed]


def _compute(data: Microdata, kind: str, spec: Mapping[str, Any], name: str,
             population: Filter | None, th: Thresholds) -> Output:
    if kind == "frequency":
        return checked(frequency(data, spec["groups"], name=name, population=population,
                                 structural_zeros=spec.get("structural_zeros", ())), th)
    if kind == "magnitude":
        return checked(magnitude(data, spec["groups"], spec["value"],
                                 spec.get("statistic", "mean"), name=name,
                                 population=population), th)
    if kind == "histogram":
        return checked(histogram(data, spec["value"], spec["bins"], name=name,
                                 population=population), th)
    if kind == "regression":
        return regression(data, spec["outcome"], spec["predictors"],
                          kind=spec.get("model", "linear"), name=name, population=population,
                          th=th)
    if kind == "survival":
        return survival(data, spec["time"], spec["event"], spec["periods"], name=name,
                        population=population, th=th)
    raise OutputError(f"unknown kind of output {kind!r}; one of {', '.join(KINDS)}")


def _fields(kind: str, spec: Mapping[str, Any], population: Filter | None) -> list[str]:
    names = list(spec.get("groups", ()))
    for key in ("value", "outcome", "time", "event"):
        if spec.get(key):
            names.append(spec[key])
    names += list(spec.get("predictors", ()))
    names += list(population or {})
    return list(dict.fromkeys(names))


def _ledger(session: Session, application_id: int, table: str, project: str,
            exclude: set[int] = frozenset()) -> Ledger:  # type: ignore[assignment]
    """The project's requested and released outputs of ``table``, oldest first."""
    rows = session.execute(select(ProjectOutput).where(
        ProjectOutput.application_id == application_id,
        ProjectOutput.status.in_((REQUESTED, RELEASED))).order_by(ProjectOutput.id)).scalars()
    ledger = Ledger(project)
    for row in rows:
        if row.spec.get("table") == table and row.id not in exclude:
            ledger.add(LedgerEntry.from_dict(row.ledger))
    return ledger


def make_output(workspace: Workspace, kind: str, *, table: str, name: str,
                spec: Mapping[str, Any], population: Filter | None = None) -> OutputView:
    """Compute, check and keep one output of ``workspace``'s project.

    ``spec`` by kind: frequency ``groups``; magnitude ``groups``, ``value``, ``statistic``;
    histogram ``value``, ``bins``; regression ``outcome``, ``predictors``, ``model`` (linear or
    logistic); survival ``time``, ``event``, ``periods``."""
    workspace.require_access()
    if kind not in KINDS:
        raise OutputError(f"unknown kind of output {kind!r}; one of {', '.join(KINDS)}")
    if not name.strip():
        raise OutputError("an output needs a name that says what it shows (--name)")
    deployment, th = workspace.deployment, thresholds_of(workspace.deployment)
    fields = _fields(kind, spec, population)
    singling = [f for f in fields if f in workspace.pseudonyms]
    if singling:
        raise OutputError(f"{', '.join(singling)} is a pseudonym: an output may not group, "
                          "filter or measure by person; count persons instead")
    data = _microdata(workspace, table)
    data.need(fields)
    output = _compute(data, kind, spec, name.strip(), population, th)
    output.record.findings += _scope_findings(fields, table, _approved_columns(workspace),
                                              output.table.name)
    entry = LedgerEntry.of(output, data)
    moment = deployment.clock()
    with deployment.store.transaction() as session:
        application = get_application(session, workspace.application)
        row = ProjectOutput(
            application_id=application.id, project_id=application.project_id,
            name=output.table.name, kind=kind,
            spec={"table": table, **dict(spec), "population": dict(population or {})},
            fields=fields, body={}, ledger={}, check_status="", status=DRAFT,
            created_by=workspace.by, created_at=audit.utc_iso(moment))
        session.add(row)
        session.flush()
        entry = dataclasses.replace(entry, output=row.reference)
        earlier = _ledger(session, application.id, table, workspace.project)
        output.record.findings += check_against(earlier, entry, data, th)
        row.check_status = output.record.status
        body = output.to_dict()
        body["csv"] = acro.csv_text(output)
        body["acro"] = acro.entry_of(output, row.reference, _file_name(row.reference, row.name))
        row.body = json.loads(json.dumps(body, default=str))
        row.ledger = json.loads(json.dumps(entry.to_dict(), default=str))
        audit.record(session, by=workspace.by, action="output.made",
                     subject=f"output:{row.reference}", at=moment, details={
                         "project": workspace.project, "application": workspace.application,
                         "name": row.name, "kind": kind, "table": table, "fields": fields,
                         "status": row.check_status, "summary": output.record.summary()})
        return _output_view(row, workspace.project, workspace.application)


# -- reading ----------------------------------------------------------------------------------
def _team_access(session: Session, deployment: Deployment, by: str,
                 application: Application) -> None:
    decision = may_access(session, username=by, reference=application.reference,
                          at=deployment.clock())
    if not decision.allowed:
        raise PermissionDenied(f"{by} may not use the outputs of {application.reference}: "
                               + "; ".join(decision.reasons))


def _application_of(session: Session, project_or_application: str) -> Application:
    return application_for(session, project_or_application)


def list_outputs(deployment: Deployment, *, by: str, project: str) -> list[OutputView]:
    """A project's outputs, for its team while access is allowed."""
    with deployment.store.reading() as session:
        acting_account(session, by)
        application = _application_of(session, project)
        _team_access(session, deployment, by, application)
        rows = session.execute(select(ProjectOutput).where(
            ProjectOutput.application_id == application.id).order_by(ProjectOutput.id)).scalars()
        return [_output_view(o, application.project.reference, application.reference)
                for o in rows]


def _may_see_request(session: Session, deployment: Deployment, by: str,
                     application: Application) -> None:
    if has_role(acting_account(session, by), Role.OUTPUT_CHECKER):
        return
    _team_access(session, deployment, by, application)


def show_output(deployment: Deployment, *, by: str, reference: str) -> OutputView:
    """One output with its check record: for its team, and for output checkers once it is
    part of a request."""
    with deployment.store.reading() as session:
        row: ProjectOutput = by_reference(session, ProjectOutput, reference)
        application = session.get(Application, row.application_id)
        assert application is not None
        account = acting_account(session, by)
        checker = has_role(account, Role.OUTPUT_CHECKER)
        if not (checker and row.request_id):
            _team_access(session, deployment, by, application)
        return _output_view(row, application.project.reference, application.reference)


def list_requests(deployment: Deployment, *, by: str, status: str | None = None,
                  project: str | None = None) -> list[RequestView]:
    """Requests to release outputs: every one for output checkers (and administrators and
    auditors), a project's own for its team."""
    with deployment.store.reading() as session:
        account = acting_account(session, by)
        query = select(OutputRequest).order_by(OutputRequest.id)
        staff = any(has_role(account, role)
                    for role in (Role.OUTPUT_CHECKER, Role.ADMINISTRATOR, Role.AUDITOR))
        if project is not None:
            application = _application_of(session, project)
            if not staff:
                _team_access(session, deployment, by, application)
            query = query.where(OutputRequest.application_id == application.id)
        elif not staff:
            raise PermissionDenied(f"{by} may not list every release request: name a project "
                                   "of yours (--project), or ask an output checker")
        if status is not None:
            query = query.where(OutputRequest.status == status)
        return [_request_view(session, q) for q in session.execute(query).scalars()]


def show_request(deployment: Deployment, *, by: str, reference: str) -> RequestView:
    with deployment.store.reading() as session:
        row: OutputRequest = by_reference(session, OutputRequest, reference)
        application = session.get(Application, row.application_id)
        assert application is not None
        _may_see_request(session, deployment, by, application)
        return _request_view(session, row)


# -- requesting a release ---------------------------------------------------------------------
def request_release(deployment: Deployment, *, by: str, project: str, outputs: Sequence[str],
                    justification: str, purpose: str, exception: str = "") -> str:
    """Ask for ``outputs`` of ``project`` to be released; returns the request's reference."""
    moment = deployment.clock()
    with deployment.store.transaction() as session:
        acting_account(session, by)
        application = _application_of(session, project)
        _team_access(session, deployment, by, application)
        if len(justification.strip()) < MIN_JUSTIFICATION:
            raise FivesafesError(f"say why these outputs should be released, in at least "
                                 f"{MIN_JUSTIFICATION} characters (--justification)")
        if not purpose.strip():
            raise FivesafesError("name the approved purpose the outputs serve (--purpose), "
                                 "e.g. one of the project's research questions")
        if not outputs:
            raise FivesafesError("name at least one output to release (O-0001 ...)")
        rows: list[ProjectOutput] = []
        for reference in dict.fromkeys(o.upper() for o in outputs):
            row = by_reference(session, ProjectOutput, reference)
            if row.application_id != application.id:
                raise PermissionDenied(f"{reference} is not an output of {project}")
            if row.status not in (DRAFT, RETURNED):
                raise InvalidTransition(f"{reference} is {row.status}; only a draft or returned "
                                        "output can be asked for")
            rows.append(row)
        failing = [o.reference for o in rows if o.check_status == "fail"]
        if failing and not exception.strip():
            raise FivesafesError(f"{', '.join(failing)} fail(s) the disclosure checks: change "
                                 "it, or ask for an exception and say why (--exception)")
        findings = _request_findings(session, application, rows, deployment)
        request = OutputRequest(
            application_id=application.id, project_id=application.project_id,
            requested_by=by, requested_at=audit.utc_iso(moment),
            justification=justification.strip(), purpose=purpose.strip(),
            exception=exception.strip(), findings=findings, status=PENDING)
        session.add(request)
        session.flush()
        for row in rows:
            row.status, row.request_id = REQUESTED, request.id
        audit.record(session, by=by, action="output.requested",
                     subject=f"output-request:{request.reference}", at=moment, details={
                         "project": application.project.reference,
                         "application": application.reference,
                         "outputs": [o.reference for o in rows], "purpose": request.purpose,
                         "exception": bool(request.exception),
                         "findings": len(findings)})
        return request.reference


def _request_findings(session: Session, application: Application, rows: list[ProjectOutput],
                      deployment: Deployment) -> list[dict[str, Any]]:
    """Differencing of each requested output against the project's other requested and
    released outputs of the same table, and against the others in this request."""
    th = thresholds_of(deployment)
    project = application.project.reference
    found: list[dict[str, Any]] = []
    asked = {o.id for o in rows}
    for k, row in enumerate(rows):
        ledger = _ledger(session, application.id, row.spec.get("table", ""), project,
                         exclude=asked)
        for other in rows[:k]:
            if other.spec.get("table") == row.spec.get("table"):
                ledger.add(LedgerEntry.from_dict(other.ledger))
        entry = LedgerEntry.from_dict(row.ledger)
        found += [f.to_dict() for f in check_against(ledger, entry, None, th)]
        found += [f for f in row.body["check"]["findings"] if f["rule"] == r.SCOPE]
    return found


# -- reviewing and releasing ------------------------------------------------------------------
def review_request(deployment: Deployment, *, by: str, reference: str, decision: str,
                   comments: str = "", conflict: str = "") -> str:
    """Record ``by``'s review of request ``reference``; returns the request's status after it.

    ``conflict``: a conflict of interest the checker declares; a declared conflict refuses
    the review (another checker must take it)."""
    if decision not in DECISIONS:
        raise FivesafesError(f"a review decides one of {', '.join(DECISIONS)}")
    with Busy(deployment, "releases"):
        remove_unrecorded_releases(deployment)
        try:
            return _review(deployment, by, reference, decision, comments, conflict)
        finally:
            remove_unrecorded_releases(deployment)  # a release whose commit failed


def remove_unrecorded_releases(deployment: Deployment) -> list[str]:
    """Remove the folders of the released zone that no released request records: a release
    whose transaction failed after its files were moved into place, or a killed one's staging
    folder. Returns what was removed (paths relative to the home). Call it holding the
    ``releases`` lock."""
    with deployment.store.reading() as session:
        recorded = set(session.execute(select(OutputRequest.folder).where(
            OutputRequest.status == RELEASED)).scalars())
    removed = []
    for folder in sorted(deployment.released.glob("*/*")):
        if folder.is_dir() and deployment.relative(folder) not in recorded:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(deployment.relative(folder))
    return removed


def _review(deployment: Deployment, by: str, reference: str, decision: str, comments: str,
            conflict: str) -> str:
    moment = deployment.clock()
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.OUTPUT_CHECKER,), "review outputs for release")
        request: OutputRequest = by_reference(session, OutputRequest, reference)
        application = session.get(Application, request.application_id)
        assert application is not None
        checker = get_account(session, by)
        on_team = member(application.project, checker) is not None \
            or application.project.lead_id == checker.id
        conflicts = {"requester": request.requested_by == by, "project_team": on_team,
                     "declared": conflict.strip()}
        if conflicts["requester"]:
            raise PermissionDenied(f"{by} asked for {request.reference}'s release and may not "
                                   "check it: two other output checkers review it")
        if on_team:
            raise PermissionDenied(f"{by} is on the team of {application.project.reference} "
                                   f"and may not check its outputs")
        if conflicts["declared"]:
            raise PermissionDenied(f"{by} declared a conflict of interest with "
                                   f"{request.reference} ({conflicts['declared']}); another "
                                   "output checker must review it")
        if request.status != PENDING:
            raise InvalidTransition(f"{request.reference} is {request.status}, not waiting for "
                                    "review")
        if any(v.checker == by for v in request.reviews):
            raise InvalidTransition(f"{by} has already reviewed {request.reference}; the "
                                    "second review must be another output checker's")
        if decision in (RETURN, REJECT) and not comments.strip():
            raise FivesafesError("say what the researcher should change or why it is refused "
                                 "(--comments)")
        request.reviews.append(OutputReview(checker=by, decision=decision,
                                            comments=comments.strip(), conflicts=conflicts,
                                            at=audit.utc_iso(moment)))
        audit.record(session, by=by, action="output.reviewed",
                     subject=f"output-request:{request.reference}", at=moment, details={
                         "project": application.project.reference, "decision": decision,
                         "comments": comments.strip()[:2000], "conflicts": conflicts})
        if len(request.reviews) < 2:
            return request.status
        decisions = [v.decision for v in request.reviews]
        if all(d == APPROVE for d in decisions):
            _release(session, deployment, request, application, moment)
        else:
            outcome = REJECTED if REJECT in decisions else RETURNED
            request.status, request.decided_at = outcome, audit.utc_iso(moment)
            for row in request.outputs:
                row.status = outcome
            audit.record(session, by=by, action=f"output.{outcome}",
                         subject=f"output-request:{request.reference}", at=moment, details={
                             "project": application.project.reference,
                             "outputs": [o.reference for o in request.outputs],
                             "decisions": decisions})
        return request.status


def _file_name(reference: str, name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "output"
    return f"{reference}-{slug}.csv"


def release_gate(row: ProjectOutput, pseudonyms: set[str], th: Thresholds) -> list[str]:
    """Why ``row`` may not be released (nothing when it may): a pseudonym among its fields or
    its published columns, or a published count of persons below the threshold."""
    problems = [f"{row.reference}: {f} is a pseudonym" for f in row.fields if f in pseudonyms]
    header = row.body["csv"].splitlines()[0] if row.body["csv"] else ""
    problems += [f"{row.reference}: column {c} is a pseudonym" for c in header.split(",")
                 if c in pseudonyms]
    if row.kind in ("frequency", "magnitude", "histogram"):
        for cell in [*row.body["cells"], *row.body.get("margins", [])]:
            n = cell.get("n")
            if isinstance(n, int | float) and 0 < n < th.min_cell:
                shown = ", ".join(f"{g}={cell[g]}" for g in row.spec.get("groups", ())
                                  if g in cell and cell[g] is not None) or "total"
                problems.append(f"{row.reference}: the cell {shown} has {n:g} persons, below "
                                f"{th.min_cell}")
    return problems


def _release(session: Session, deployment: Deployment, request: OutputRequest,
             application: Application, moment: Any) -> None:
    th = thresholds_of(deployment)
    pseudonyms = _extract_pseudonyms(session, application)
    problems = [p for row in request.outputs for p in release_gate(row, pseudonyms, th)]
    if problems:
        raise FivesafesError("the release gate stopped the release: " + "; ".join(problems))
    project = application.project.reference
    final = deployment.released / project / request.reference
    staging = staging_beside(final, ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files = []
    try:
        for row in request.outputs:
            name = _file_name(row.reference, row.name)
            data = row.body["csv"].encode("utf-8")
            (staging / name).write_bytes(data)
            files.append({"output": row.reference, "name": row.name, "kind": row.kind,
                          "file": name, "sha256": hashlib.sha256(data).hexdigest(),
                          "bytes": len(data), "check": row.check_status})
        manifest = {"request": request.reference, "project": project,
                    "application": application.reference, "purpose": request.purpose,
                    "requested_by": request.requested_by,
                    "checkers": [v.checker for v in request.reviews],
                    "released_at": audit.utc_iso(moment), "files": files}
        text = json.dumps(manifest, indent=2, sort_keys=True)
        (staging / MANIFEST).write_text(text, encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        with moved([(staging, final)]):
            request.status, request.decided_at = RELEASED, audit.utc_iso(moment)
            request.folder = deployment.relative(final)
            request.manifest_sha256 = hashlib.sha256(text.encode()).hexdigest()
            for row in request.outputs:
                row.status = RELEASED
            audit.record(session, by=request.reviews[-1].checker, action="output.released",
                         subject=f"output-request:{request.reference}", at=moment, details={
                             "project": project, "folder": request.folder,
                             "manifest_sha256": request.manifest_sha256,
                             "files": [{"file": f["file"], "sha256": f["sha256"]} for f in files],
                             "checkers": manifest["checkers"]})
            session.flush()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        raise


def _extract_pseudonyms(session: Session, application: Application) -> set[str]:
    from fivesafes.extracts.models import CURRENT, ProjectExtract

    record = session.execute(select(ProjectExtract).where(
        ProjectExtract.application_id == application.id,
        ProjectExtract.status == CURRENT)).scalar_one_or_none()
    names = {"person_id"}
    if record is not None:
        names |= {c["name"] for d in record.manifest["datasets"] for c in d["columns"]
                  if c["pseudonym"]}
    return names


@dataclass(frozen=True)
class ReleasedView:
    request: str
    project: str
    released_at: str | None
    folder: Path
    files: list[dict[str, Any]]


def released(deployment: Deployment, *, by: str, project: str | None = None
             ) -> list[ReleasedView]:
    """The released outputs (any account may read them: they passed two checkers)."""
    with deployment.store.reading() as session:
        acting_account(session, by)
        query = select(OutputRequest).where(OutputRequest.status == RELEASED).order_by(
            OutputRequest.id)
        found = []
        for row in session.execute(query).scalars():
            application = session.get(Application, row.application_id)
            assert application is not None
            if project is not None and project.upper() not in (
                    application.project.reference, application.reference):
                continue
            folder = deployment.root / (row.folder or "")
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            found.append(ReleasedView(row.reference, application.project.reference,
                                      row.decided_at, folder, manifest["files"]))
        return found


# -- ACRO / SACRO -----------------------------------------------------------------------------
def export_results(deployment: Deployment, *, by: str, reference: str, out: Path) -> Path:
    """Write request ``reference`` as an ACRO/SACRO ``results.json`` (with the CSVs, the
    checkers' comments and the researcher's exception) into ``out``, for the SACRO viewer."""
    view = show_request(deployment, by=by, reference=reference)
    with deployment.store.transaction() as session:
        request: OutputRequest = by_reference(session, OutputRequest, view.reference)
        entries, csvs = {}, {}
        for row in request.outputs:
            entry = dict(row.body["acro"])
            entry["comments"] = [f"{v.checker} ({v.decision}): {v.comments}"
                                 for v in view.reviews if v.comments]
            entry["exception"] = view.exception
            entries[row.reference] = entry
            csvs[entry["files"][0]["name"]] = row.body["csv"]
        path = acro.write_document(entries, csvs, out)
        audit.record(session, by=by, action="output.exported",
                     subject=f"output-request:{view.reference}",
                     at=deployment.clock(), details={"project": view.project,
                                                     "outputs": list(entries)})
    return path


def check_results(deployment: Deployment, *, by: str, path: Path) -> list[acro.Exchanged]:
    """Read an ACRO or fivesafes ``results.json`` for an output checker."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.OUTPUT_CHECKER, Role.ADMINISTRATOR),
                  "read a results.json")
    try:
        return acro.read_results(path)
    except (OSError, ValueError, KeyError) as exc:
        raise FivesafesError(f"{path}: not a readable results.json ({exc})") from None
