"""The web application: ``create_app(deployment)`` builds it over an opened home (and reads
the home's own catalogue and published data, unless it is given ``published`` to use instead).

Every request passes one gate (:func:`_endpoint`): the session is looked up on the server, the
route's rule is checked, a state-changing request must carry the session's CSRF token, and only
then does the handler run (in a worker thread: the services are synchronous). Refusals are
audited as security events. Every response carries a strict Content-Security-Policy (no inline
script or style, nothing from another origin) and the usual security headers; assets are served
by the app itself from ``static/``.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from fivesafes.accounts import has_role, panels_of
from fivesafes.accounts.roles import find_account
from fivesafes.errors import FivesafesError, InvalidForm, NotFound, PermissionDenied
from fivesafes.governance.catalogue import Published
from fivesafes.home import Deployment
from fivesafes.web import pages  # noqa: F401 - fills the route table
from fivesafes.web.cookies import PRESIGN_COOKIE, SESSION_COOKIE, set_session_cookie
from fivesafes.web.rendering import render
from fivesafes.web.routing import ROUTES, Context, Route
from fivesafes.web.sessions import SignedIn, current

HERE = Path(__file__).parent
CSRF_FIELD, CSRF_HEADER = "csrf_token", "x-csrf-token"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def create_app(deployment: Deployment, *, secure_cookies: bool = True,
               published: Published | None = None) -> FastAPI:
    """The app over ``deployment``. ``secure_cookies``: send the session cookie over HTTPS only
    (leave it on everywhere but a loopback address). ``published``: the catalogue and published
    data applications are checked and assessed on, in place of the home's (the tests')."""
    app = FastAPI(title="fivesafes", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="The fivesafes JSON API: the same checks as the pages.")
    app.state.deployment = deployment
    app.state.secure_cookies = secure_cookies
    app.state.published = published

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers["cache-control"] = "no-store"
        if secure_cookies:
            response.headers["strict-transport-security"] = "max-age=31536000"
        return response

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # fixed paths before those with a {value}, so /applications/new is never a reference
    for r in sorted(ROUTES, key=lambda r: "{" in r.path):
        endpoint = _endpoint(r)
        app.add_api_route(r.path, endpoint, methods=[r.method], name=r.name,
                          include_in_schema=r.api, summary=r.summary or None,
                          response_class=JSONResponse if r.api else HTMLResponse)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return _problem(request, 404, "There is no such page.")

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: Exception) -> Response:
        return _problem(request, 405, "That page does not take this kind of request.")

    return app


def _endpoint(r: Route) -> Any:
    async def endpoint(request: Request, **path: str) -> Response:
        return await _serve(r, request, path)
    endpoint.__signature__ = r.endpoint_signature()  # type: ignore[attr-defined]
    endpoint.__name__ = r.name.replace("-", "_")
    return endpoint


async def _serve(r: Route, request: Request, path: dict[str, str]) -> Response:
    deployment: Deployment = request.app.state.deployment
    token = request.cookies.get(SESSION_COOKIE)
    me = await run_in_threadpool(current, deployment, token)
    ctx = Context(request, deployment, me, path, published=request.app.state.published)
    try:
        if r.rule.signed_in and me is None:
            if r.api:
                return JSONResponse({"error": "sign in first"}, status_code=401)
            target = request.url.path if r.method == "GET" else "/"
            return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)
        if r.method == "POST":
            ctx.form = await request.form()
            _check_csrf(request, ctx)
        if r.rule.roles:
            await run_in_threadpool(_check_roles, deployment, r, me)
        result = await run_in_threadpool(r.handler, ctx)
    except PermissionDenied as refused:
        if not refused.audited:
            who = me.account.username if me else None
            await run_in_threadpool(deployment.store.record_refusal, refused, who)
        return _problem(request, 403, str(refused), api=r.api, ctx=ctx)
    except NotFound as missing:
        return _problem(request, 404, str(missing), api=r.api, ctx=ctx)
    except InvalidForm as invalid:
        return _problem(request, 400, str(invalid), api=r.api, ctx=ctx)
    except FivesafesError as error:
        return _problem(request, 409, str(error), api=r.api, ctx=ctx)
    response = result if isinstance(result, Response) else (
        JSONResponse(result) if r.api else HTMLResponse(result))
    if ctx.new_token is not None:
        set_session_cookie(request, response, ctx.new_token[0])
    return response


def _check_roles(deployment: Deployment, r: Route, me: SignedIn | None) -> None:
    assert me is not None
    with deployment.store.reading() as session:
        account = find_account(session, me.account.username)
        allowed = account is not None and any(
            bool(panels_of(account)) if role == "panel_member" else has_role(account, role)
            for role in r.rule.roles)
        if not allowed:
            raise PermissionDenied(f"{me.account.username} may not open {r.path}: that needs "
                                   f"{r.rule.describe()}")


def _check_csrf(request: Request, ctx: Context) -> None:
    sent = request.headers.get(CSRF_HEADER) or ctx.field(CSRF_FIELD)
    expected = ctx.me.csrf_token if ctx.me else request.cookies.get(PRESIGN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("the form's security token is missing or out of date (CSRF "
                               "check); reload the page and try again")


def _problem(request: Request, status: int, message: str, *, api: bool | None = None,
             ctx: Context | None = None) -> Response:
    if api is None:
        api = request.url.path.startswith("/api/")
    if api:
        return JSONResponse({"error": message}, status_code=status)
    titles = {400: "Please correct the form", 403: "Not allowed", 404: "Not found",
              405: "Not allowed", 409: "That could not be done"}
    html = render(request, "problem.html", me=ctx.me if ctx else None,
                  title=titles.get(status, "Problem"), message=message, status=status)
    return HTMLResponse(html, status_code=status)
