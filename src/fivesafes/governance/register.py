"""The public register of approved projects (CSV, JSON or a self-contained HTML page).

A project is listed once any of its applications has been approved (approved, accredited,
provisioned or closed). Projects flagged as on a sensitive topic are left out of the list and only
counted. The register holds nothing that is not meant for the public: no justifications, fields,
team members other than the lead, or internal references.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.governance.application_form import describe_legal_basis
from fivesafes.governance.lifecycle import State
from fivesafes.governance.models import Application
from fivesafes.home import Deployment

Format = Literal["csv", "json", "html"]
FORMATS: tuple[Format, ...] = ("csv", "json", "html")
PUBLIC_STATES = (State.APPROVED, State.ACCREDITED, State.PROVISIONED, State.CLOSED)
COLUMNS = ("project", "title", "organisation", "lead", "datasets", "lay_summary",
           "public_benefit", "start", "end", "approved_on", "legal_basis")


@dataclass(frozen=True)
class RegisterEntry:
    project: str
    title: str
    organisation: str
    lead: str
    datasets: tuple[str, ...]
    lay_summary: str
    public_benefit: str
    start: date
    end: date
    approved_on: date
    legal_basis: tuple[str, ...]


@dataclass(frozen=True)
class Register:
    generated_at: str
    entries: tuple[RegisterEntry, ...]
    sensitive_not_listed: int


def build_register(session: Session, *, generated_at: str) -> Register:
    stmt = (select(Application).where(Application.state.in_([str(s) for s in PUBLIC_STATES]))
            .order_by(Application.project_id, Application.id))
    by_project: dict[int, list[Application]] = {}
    for application in session.execute(stmt).scalars():
        by_project.setdefault(application.project_id, []).append(application)
    entries, withheld = [], 0
    for applications in by_project.values():
        project = applications[0].project
        if project.sensitive_topic:
            withheld += 1
            continue
        datasets = [f"{d.name} ({d.version})" for a in applications for d in a.datasets]
        basis = [b for a in applications for b in describe_legal_basis(
            a.gateway, a.art6_basis, a.art9_condition, a.art10_condition)]
        entries.append(RegisterEntry(
            project=project.reference, title=project.title, organisation=project.organisation,
            lead=project.lead.full_name, datasets=tuple(dict.fromkeys(datasets)),
            lay_summary=project.lay_summary, public_benefit=project.public_benefit,
            start=project.start_on, end=project.end_on,
            approved_on=min(a.approved_on for a in applications if a.approved_on),
            legal_basis=tuple(dict.fromkeys(basis)),
        ))
    return Register(generated_at, tuple(entries), withheld)


def public_register(deployment: Deployment) -> Register:
    with deployment.store.reading() as session:
        return build_register(session, generated_at=audit.utc_iso(deployment.clock()))


def _row(entry: RegisterEntry) -> dict[str, str]:
    values = asdict(entry)
    return {k: "; ".join(v) if isinstance(v, tuple | list) else str(v)
            for k, v in values.items()}


def render(register: Register, fmt: Format) -> str:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_row(e) for e in register.entries)
        return out.getvalue()
    if fmt == "json":
        return json.dumps({
            "generated_at": register.generated_at,
            "projects": [{**asdict(e), "start": e.start.isoformat(), "end": e.end.isoformat(),
                          "approved_on": e.approved_on.isoformat()} for e in register.entries],
            "sensitive_topic_projects_not_listed": register.sensitive_not_listed,
        }, indent=2, ensure_ascii=False, default=list) + "\n"
    if fmt == "html":
        return _html(register)
    raise ValueError(f"unknown register format {fmt!r}; use one of {', '.join(FORMATS)}")


def withheld_note(register: Register) -> str:
    """The sentence that counts the projects left out because of their sensitive topic."""
    n = register.sensitive_not_listed
    if n == 0:
        return "No approved project is left out of this list for being on a sensitive topic."
    if n == 1:
        return "1 further approved project, on a sensitive topic, is not listed."
    return f"{n} further approved projects, on sensitive topics, are not listed."


def _html(register: Register) -> str:
    e = html.escape
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in COLUMNS)
    rows = "\n".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in _row(entry).values())
                     + "</tr>" for entry in register.entries)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Register of approved research projects</title>\n"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.3em;vertical-align:top;text-align:left}</style>\n"
        "</head>\n<body>\n<h1>Register of approved research projects</h1>\n"
        f"<p>Generated {e(register.generated_at)}. {len(register.entries)} project"
        f"{'s' if len(register.entries) != 1 else ''} listed.</p>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
        f"<p>{e(withheld_note(register))}</p>\n</body>\n</html>\n"
    )


def export_register(deployment: Deployment, *, fmt: Format) -> str:
    """The public register rendered as ``csv``, ``json`` or ``html``."""
    return render(public_register(deployment), fmt)
