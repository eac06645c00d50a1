"""The JSON API under /api: the same gate and services as the pages, documented by the OpenAPI
schema at /api/openapi.json."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from fivesafes.governance.register import public_register
from fivesafes.governance.register import render as render_register
from fivesafes.governance.views import application_view, list_applications
from fivesafes.web.routing import PUBLIC, SIGNED_IN, Context, route


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@route("GET", "/api/me", rule=SIGNED_IN, name="api-me", api=True)
def me(ctx: Context) -> dict[str, Any]:
    """The signed-in account and its roles."""
    return _plain(asdict(ctx.me.account))


@route("GET", "/api/applications", rule=SIGNED_IN, name="api-applications", api=True)
def applications(ctx: Context) -> list[dict[str, Any]]:
    """The applications the signed-in person may see."""
    return [_plain(asdict(a)) for a in list_applications(ctx.deployment, by=ctx.by)]


@route("GET", "/api/applications/{reference}", rule=SIGNED_IN, name="api-application",
       api=True)
def application(ctx: Context) -> dict[str, Any]:
    """One application, with its latest risk assessment."""
    shown = application_view(ctx.deployment, by=ctx.by, reference=ctx.path["reference"])
    risk = shown.risk
    body = asdict(shown)
    body["risk"] = None if risk is None else {
        "assessed_at": risk.assessed_at, "assessed_by": risk.assessed_by,
        "current": risk.current, "assessment": risk.assessment.to_dict()}
    return _plain(body)


@route("GET", "/api/register", rule=PUBLIC, name="api-register", api=True)
def register(ctx: Context) -> dict[str, Any]:
    """The public register of approved projects."""
    return json.loads(render_register(public_register(ctx.deployment), "json"))
