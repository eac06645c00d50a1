"""The service functions of the workspace: opening a session, running a statement in it, the
monitor's alerts, and an administrator's revocation.

* :func:`open_workspace` - for a person :func:`fivesafes.governance.access.may_access` allows,
  decrypts the current extract of the project's application in memory and opens a
  :class:`~fivesafes.workspace.engine.Sandbox` over it (audited ``workspace.opened``).
* :meth:`Workspace.run` - every statement re-checks access first (so a suspension or the end of
  the window takes effect at once), then passes the guard, then runs. Each is audited
  (``workspace.query``: who, project, SQL, rows, seconds, outcome) with the monitor's alerts
  (``workspace.alert``) in the same transaction; when the person's violations since their last
  reinstatement reach ``[workspace] suspend_after``, their access is suspended there too.
  A refused statement is audited as a security event (``workspace.refused``).
* :func:`workspace_alerts` - the alerts, for administrators and auditors.
* :func:`revoke_access` - an administrator suspends a researcher's access at once.

Scratch tables live in the session's memory and end with it; nothing is written to disk.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import Role, acting_account, authorise, get_account
from fivesafes.encrypted_files import read_encrypted
from fivesafes.errors import FivesafesError, NotFound, PermissionDenied
from fivesafes.extracts.build import SUFFIX, associated_data
from fivesafes.extracts.models import CURRENT, ProjectExtract
from fivesafes.governance.access import may_access
from fivesafes.governance.applications import get_application
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application, Project
from fivesafes.governance.projects import SUSPENDED, get_project, member, suspend
from fivesafes.home import Deployment
from fivesafes.store.models import AuditEntry
from fivesafes.workspace import guard, monitor
from fivesafes.workspace.engine import Limits, QueryFailed, QueryTimedOut, Result, Sandbox

MONITOR = "system:workspace-monitor"
QUERY, REFUSED, ALERT, OPENED = ("workspace.query", "workspace.refused", "workspace.alert",
                                 "workspace.opened")


@dataclass(frozen=True)
class Outcome:
    """What one statement did."""

    statement: guard.Statement
    result: Result
    alerts: tuple[monitor.Alert, ...]
    suspended: bool


def application_for(session: Session, project_or_application: str) -> Application:
    """The application a session opens: ``A-nnnn`` itself, or the provisioned application of
    project ``P-nnnn`` that has a current extract (the caller must say which if several)."""
    if project_or_application.upper().startswith("A-"):
        return get_application(session, project_or_application.upper())
    project = get_project(session, project_or_application.upper())
    found = session.execute(
        select(Application).join(ProjectExtract, ProjectExtract.application_id == Application.id)
        .where(Application.project_id == project.id, ProjectExtract.status == CURRENT,
               Application.state == State.PROVISIONED).order_by(Application.id)).scalars().all()
    if not found:
        raise NotFound(f"{project.reference} has no provisioned application with an extract; "
                       "a linkage officer provisions it once it is accredited")
    if len(found) > 1:
        raise NotFound(f"{project.reference} has several provisioned applications ("
                       f"{', '.join(a.reference for a in found)}); name one of them")
    return found[0]


def _refusal(by: str, reference: str, reasons: tuple[str, ...]) -> PermissionDenied:
    return PermissionDenied(f"{by} may not use the workspace of {reference}: "
                            + "; ".join(reasons))


class Workspace:
    """One researcher's session over one application's extract; use :func:`open_workspace`."""

    def __init__(self, deployment: Deployment, *, by: str, application: str, project: str,
                 record: ProjectExtract, sandbox: Sandbox) -> None:
        self.deployment, self.by = deployment, by
        self.application, self.project = application, project
        self.build = record.build
        self.manifest = record.manifest
        self.sandbox = sandbox
        datasets = record.manifest["datasets"]
        self.datasets = tuple(d["name"] for d in datasets)
        self.pseudonyms = {c["name"] for d in datasets for c in d["columns"] if c["pseudonym"]}
        self.person_columns = {d["name"]: "person_id" for d in datasets
                               if any(c["name"] == "person_id" for c in d["columns"])}
        self._scratch: set[str] = set()

    # -- the Python API ---------------------------------------------------------------------
    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return its result as a pandas DataFrame (capped rows)."""
        return self.run(sql).result.table.to_pandas()

    def arrow(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its result as an Arrow table (capped rows)."""
        return self.run(sql).result.table

    def tables(self) -> list[str]:
        return [*self.datasets, *(f"scratch.{t}" for t in sorted(self._scratch))]

    def columns(self, table: str) -> list[tuple[str, str]]:
        if table not in self.tables():
            raise NotFound(f"there is no table {table} (tables: {', '.join(self.tables())})")
        return self.sandbox.columns(table)

    # -- running ----------------------------------------------------------------------------
    def require_access(self) -> None:
        """Refuse (audited) unless the governance access check allows this person now."""
        deployment = self.deployment
        with deployment.store.reading() as session:
            decision = may_access(session, username=self.by, reference=self.application,
                                  at=deployment.clock())
            if not decision.allowed:
                raise _refusal(self.by, self.application, decision.reasons)

    def run(self, sql: str) -> Outcome:
        """Check access, check the statement, run it, audit it and what the monitor found."""
        started = time.perf_counter()
        self.require_access()
        try:
            statement = guard.check(sql, datasets=self.datasets, scratch=self._scratch,
                                    pseudonyms=self.pseudonyms,
                                    person_columns=self.person_columns)
        except guard.StatementRefused as refusal:
            self._refused(sql, refusal)
            raise
        except guard.StatementNotUnderstood as problem:
            self._record(sql, outcome="not understood", message=str(problem))
            raise
        try:
            result = self.sandbox.run(statement.sql)
        except QueryFailed as failure:
            self._record(sql, outcome="timed out" if isinstance(failure, QueryTimedOut)
                         else "failed", message=str(failure),
                         seconds=time.perf_counter() - started)
            raise
        if statement.kind == "create":
            self._scratch.add(statement.target or "")
        elif statement.kind == "drop":
            self._scratch.discard(statement.target or "")
        population = self._population(statement)
        alerts, suspended = self._record(sql, outcome="ok", statement=statement, result=result,
                                         population=population,
                                         seconds=time.perf_counter() - started)
        return Outcome(statement, result, alerts, suspended)

    def _population(self, statement: guard.Statement) -> int | None:
        if statement.kind != "query" or not statement.population_sql:
            return None
        try:
            value = self.sandbox.run(statement.population_sql).table.column(0)[0].as_py()
        except (QueryFailed, IndexError):
            return None
        return int(value) if isinstance(value, int) else None

    def _refused(self, sql: str, refusal: guard.StatementRefused) -> None:
        deployment, moment = self.deployment, self.deployment.clock()
        with deployment.store.transaction() as session:
            audit.record(session, by=self.by, action=REFUSED, at=moment,
                         subject=f"application:{self.application}",
                         details={"project": self.project, "sql": sql[:4000],
                                  "rule": refusal.rule, "refused": str(refusal)})
            alerts = [monitor.refused(refusal.rule, str(refusal))]
            since = moment - timedelta(hours=1)
            recent = len(_entries(session, action=REFUSED, actor=self.by,
                                  subject=f"application:{self.application}", since=since))
            repeated = monitor.repeated_refusals(
                recent, deployment.settings.workspace_refusals_allowed)
            alerts += [repeated] if repeated else []
            self._alert(session, sql, alerts)
        refusal.audited = True

    def _record(self, sql: str, *, outcome: str, message: str = "",
                statement: guard.Statement | None = None, result: Result | None = None,
                population: int | None = None, seconds: float = 0.0
                ) -> tuple[tuple[monitor.Alert, ...], bool]:
        deployment, moment = self.deployment, self.deployment.clock()
        subject = f"application:{self.application}"
        k = deployment.settings.risk_k
        with deployment.store.transaction() as session:
            alerts: list[monitor.Alert] = []
            if statement is not None and result is not None:
                history = [{**json.loads(e.details), "seq": e.seq} for e in _entries(
                    session, action=QUERY, actor=self.by, subject=subject,
                    since=moment - timedelta(days=1))]
                found = [monitor.pseudonym_filter(statement),
                         monitor.small_groups(statement, result.table, k),
                         monitor.differencing(statement.shape, population, history, k)]
                alerts = [a for a in found if a is not None]
            audit.record(session, by=self.by, action=QUERY, subject=subject, at=moment, details={
                "project": self.project, "build": self.build, "sql": sql[:4000],
                "outcome": outcome, "message": message[:500],
                "rows": result.rows if result else 0,
                "truncated": result.truncated if result else False,
                "seconds": round(seconds, 4), "shape": statement.shape if statement else None,
                "population": population, "tables": list(statement.tables) if statement else []})
            suspended = self._alert(session, sql, alerts)
        return tuple(alerts), suspended

    def _alert(self, session: Session, sql: str, alerts: list[monitor.Alert]) -> bool:
        """Record ``alerts``; suspend the person if their violations reach the limit."""
        deployment, moment = self.deployment, self.deployment.clock()
        subject = f"application:{self.application}"
        for alert in alerts:
            audit.record(session, by=MONITOR, action=ALERT, subject=subject, at=moment,
                         details={**alert.as_details(), "member": self.by,
                                  "project": self.project, "sql": sql[:4000]})
        if not any(a.severity == monitor.VIOLATION for a in alerts):
            return False
        project = get_project(session, self.project)
        found = member(project, get_account(session, self.by))
        if found is None or found.status == SUSPENDED:
            return False
        since = datetime.fromisoformat(found.status_at) if found.status_at else None
        violations = [e for e in _entries(session, action=ALERT, actor=MONITOR, subject=subject,
                                          since=since)
                      if (d := json.loads(e.details)).get("member") == self.by
                      and d.get("severity") == monitor.VIOLATION]
        limit = deployment.settings.workspace_suspend_after
        if len(violations) < limit:
            return False
        suspend(session, deployment, by=MONITOR, found=found,
                reason=f"{len(violations)} workspace monitoring violations (limit {limit}); "
                       f"the last: {alerts[-1].explanation}")
        return True

    def close(self) -> None:
        self.sandbox.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _entries(session: Session, *, action: str, actor: str, subject: str,
             since: datetime | None) -> list[AuditEntry]:
    return audit.query(session, audit.EntryFilter(actor=actor, action=action, subject=subject,
                                                  since=since))


def open_workspace(deployment: Deployment, *, by: str, project: str,
                   at: datetime | None = None) -> Workspace:
    """A session for ``by`` over the current extract of ``project`` (``P-nnnn``, or the
    application ``A-nnnn``); refused, and audited, unless access is allowed now."""
    moment = at or deployment.clock()
    with deployment.store.transaction() as session:
        acting_account(session, by)
        application = application_for(session, project)
        decision = may_access(session, username=by, reference=application.reference, at=moment)
        if not decision.allowed:
            raise _refusal(by, application.reference, decision.reasons)
        record = session.execute(select(ProjectExtract).where(
            ProjectExtract.application_id == application.id, ProjectExtract.status == CURRENT)
        ).scalar_one_or_none()
        if record is None:
            raise NotFound(f"{application.reference} has no extract; a linkage officer builds "
                           "it when the application is provisioned")
        reference, project_ref = application.reference, application.project.reference
        audit.record(session, by=by, action=OPENED, subject=f"application:{reference}",
                     at=moment, details={"project": project_ref, "build": record.build})
        session.expunge(record)
    key = deployment.keys.load_key(record.data_key)
    folder = deployment.root / record.folder
    tables = {}
    for d in record.manifest["datasets"]:
        data = read_encrypted(folder / f"{d['name']}{SUFFIX}", key,
                              associated_data(reference, record.build, d["name"]))
        tables[d["name"]] = pq.read_table(pa.BufferReader(data))
    settings = deployment.settings
    sandbox = Sandbox(tables, Limits(max_rows=settings.workspace_max_rows,
                                     timeout_seconds=settings.workspace_timeout_seconds,
                                     memory_limit=settings.workspace_memory_limit,
                                     threads=settings.workspace_threads))
    return Workspace(deployment, by=by, application=reference, project=project_ref,
                     record=record, sandbox=sandbox)


def workspace_alerts(deployment: Deployment, *, by: str, project: str | None = None
                     ) -> list[dict[str, Any]]:
    """The monitor's alerts (oldest first), for administrators and auditors."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.ADMINISTRATOR, Role.AUDITOR), "read workspace alerts")
        entries = audit.query(session, audit.EntryFilter(action=ALERT))
        found = [{"seq": e.seq, "at": e.at, "application": e.subject.split(":", 1)[1],
                  **json.loads(e.details)} for e in entries]
    return [a for a in found if project is None or a.get("project") == project]


def revoke_access(deployment: Deployment, *, by: str, project: str, username: str,
                  reason: str) -> None:
    """An administrator suspends ``username``'s access to ``project`` at once (audited);
    :func:`fivesafes.governance.projects.reinstate_member` gives it back."""
    with deployment.store.transaction() as session:
        authorise(session, by, (Role.ADMINISTRATOR,), "revoke workspace access")
        if not reason.strip():
            raise FivesafesError("a revocation needs a reason: say why with --reason")
        found: Project = get_project(session, project)
        account = get_account(session, username)
        on_team = member(found, account)
        if on_team is None:
            raise NotFound(f"{username} is not on {project}'s team")
        if on_team.status == SUSPENDED:
            raise NotFound(f"{username}'s access to {project} is already suspended")
        suspend(session, deployment, by=by, found=on_team, reason=f"revoked: {reason}")
