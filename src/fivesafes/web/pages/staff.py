"""Administrators' and auditors' pages: the people with their roles, and the audit log with its
verification."""

from __future__ import annotations

from fivesafes import audit
from fivesafes.accounts import Role, list_accounts
from fivesafes.auditing import read_log, verify_log
from fivesafes.web.rendering import render
from fivesafes.web.routing import Context, roles, route

SHOWN_ENTRIES = 200


@route("GET", "/people", rule=roles(Role.ADMINISTRATOR, Role.AUDITOR), name="people")
def people_list(ctx: Context) -> str:
    """Every account, its roles, and whether it is active."""
    return render(ctx.request, "people.html", me=ctx.me, title="People",
                  accounts=list_accounts(ctx.deployment, by=ctx.by))


@route("GET", "/audit", rule=roles(Role.ADMINISTRATOR, Role.AUDITOR), name="audit-log")
def audit_log(ctx: Context) -> str:
    """The newest audit entries (refusals only, on request) and whether the chain verifies."""
    refusals = ctx.request.query_params.get("refusals") == "1"
    action = "security.refused" if refusals else None
    entries = read_log(ctx.deployment, by=ctx.by, entries=audit.EntryFilter(action=action))
    verification = verify_log(ctx.deployment, by=ctx.by)
    return render(ctx.request, "audit.html", me=ctx.me, title="Audit log",
                  entries=list(reversed(entries[-SHOWN_ENTRIES:])), total=len(entries),
                  verification=verification, refusals=refusals)
