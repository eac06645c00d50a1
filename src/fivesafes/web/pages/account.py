"""Signing in and out, the home page, and a person's own record (accreditation, training)."""

from __future__ import annotations

from starlette.responses import HTMLResponse, RedirectResponse, Response

from fivesafes.errors import PermissionDenied
from fivesafes.governance import people
from fivesafes.governance.views import list_applications
from fivesafes.web import sessions
from fivesafes.web.cookies import SESSION_COOKIE, presign_token, set_presign_cookie
from fivesafes.web.rendering import render
from fivesafes.web.routing import PUBLIC, SIGNED_IN, Context, route


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//host`` or a URL) may follow sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _sign_in_page(ctx: Context, *, error: str = "", username: str = "", next_: str = "/",
                  status: int = 200) -> Response:
    token = presign_token(ctx.request)
    response = HTMLResponse(render(ctx.request, "sign_in.html", me=None, csrf=token,
                                   title="Sign in", error=error, username=username,
                                   next=_safe_next(next_)), status_code=status)
    set_presign_cookie(ctx.request, response, token)
    return response


@route("GET", "/sign-in", rule=PUBLIC, name="sign-in")
def sign_in_form(ctx: Context) -> Response:
    """The sign-in form."""
    if ctx.me is not None:
        return RedirectResponse("/", status_code=303)
    return _sign_in_page(ctx, next_=ctx.request.query_params.get("next", "/"))


@route("POST", "/sign-in", rule=PUBLIC, name="sign-in-submit")
def sign_in(ctx: Context) -> Response:
    """Check the password, start a new session (the old one ends) and go on."""
    username = ctx.field("username")
    try:
        started = sessions.sign_in(ctx.deployment, username=username,
                                   password=ctx.form.get("password", "") if ctx.form else "",
                                   replacing=ctx.request.cookies.get(SESSION_COOKIE))
    except PermissionDenied as refused:
        return _sign_in_page(ctx, error=str(refused), username=username,
                             next_=ctx.field("next", "/"), status=403)
    ctx.new_token = (started.token,)
    return RedirectResponse(_safe_next(ctx.field("next", "/")), status_code=303)


@route("POST", "/sign-out", rule=SIGNED_IN, name="sign-out")
def sign_out(ctx: Context) -> Response:
    """End this browser's session."""
    sessions.sign_out(ctx.deployment, ctx.request.cookies.get(SESSION_COOKIE))
    ctx.new_token = (None,)
    return RedirectResponse("/sign-in", status_code=303)


@route("GET", "/", rule=SIGNED_IN, name="home")
def home(ctx: Context) -> str:
    """What the signed-in person can do next."""
    mine = list_applications(ctx.deployment, by=ctx.by)
    return render(ctx.request, "home.html", me=ctx.me, title="Home", applications=mine)


@route("GET", "/me", rule=SIGNED_IN, name="my-record")
def my_record(ctx: Context) -> str:
    """The signed-in person's roles, accreditation and training, and whether they may work."""
    status = people.person_status(ctx.deployment, by=ctx.by, username=ctx.by)
    return render(ctx.request, "me.html", me=ctx.me, title="My record", status=status)
