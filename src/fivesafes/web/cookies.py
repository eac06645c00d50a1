"""The two cookies: the session token (set at sign-in, cleared at sign-out) and, before sign-in,
a random token the sign-in form must echo (double-submit CSRF check). Both HttpOnly, SameSite
Strict, and Secure unless the app serves a loopback address over plain HTTP."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "fivesafes_session"
PRESIGN_COOKIE = "fivesafes_presign"


def presign_token(request: Request) -> str:
    """This browser's pre-sign-in token (a new one when it has none)."""
    return request.cookies.get(PRESIGN_COOKIE) or secrets.token_urlsafe(32)


def _set(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/")


def set_presign_cookie(request: Request, response: Response, token: str) -> None:
    _set(request, response, PRESIGN_COOKIE, token)


def set_session_cookie(request: Request, response: Response, token: str | None) -> None:
    """Start (``token``) or end (None) the browser's session."""
    if token is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        return
    _set(request, response, SESSION_COOKIE, token)
    response.delete_cookie(PRESIGN_COOKIE, path="/")
