"""Pages from Jinja2 templates (autoescaped), with what every page needs: who is signed in, the
navigation their roles open, and the CSRF token every form carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request

from fivesafes.web.sessions import SignedIn

ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                  autoescape=select_autoescape(["html"]), trim_blocks=True,
                  lstrip_blocks=True)

#: (label, path, roles that see it; empty = everyone signed in)
NAVIGATION: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Home", "/", ()),
    ("My record", "/me", ()),
    ("Applications", "/applications", ()),
    ("Panel queue", "/panel", ("panel_member",)),
    ("Outputs to check", "/release-requests", ("output_checker", "administrator", "auditor")),
    ("Released outputs", "/released", ()),
    ("People", "/people", ("administrator", "auditor")),
    ("Audit log", "/audit", ("administrator", "auditor")),
    ("Register", "/register", ()),
)


def holds(me: SignedIn | None, role: str) -> bool:
    """Whether the signed-in person holds ``role`` (any panel, for panel_member)."""
    if me is None:
        return False
    return any(r == role or r.startswith(f"{role}:") for r in me.account.roles)


def navigation(me: SignedIn | None) -> list[tuple[str, str]]:
    if me is None:
        return [("Register", "/register"), ("Sign in", "/sign-in")]
    return [(label, path) for label, path, needs in NAVIGATION
            if not needs or any(holds(me, r) for r in needs)]


def svg(markup: str) -> Markup:
    """Trusted SVG drawn by the platform itself (values in it are escaped where drawn)."""
    return Markup(markup)


def render(request: Request, template: str, *, me: SignedIn | None, csrf: str | None = None,
           **values: Any) -> str:
    return ENV.get_template(template).render(
        request=request, me=me, nav=navigation(me), path=request.url.path,
        csrf=csrf if csrf is not None else (me.csrf_token if me else ""),
        holds=lambda role: holds(me, role), **values)
