"""Signing in and out of the web application: server-side sessions, rotation on sign-in,
throttling and lockout. Each change is one audited unit of work; the browser holds only a random
token, which is never stored, logged or audited (the store keeps its SHA-256).

A session ends after ``IDLE`` without a request or ``LONGEST`` after sign-in, whichever comes
first, and at once when its account is disabled. ``LOCK_AFTER`` failed sign-ins in a row lock the
username for ``LOCKED_FOR`` (audited); a success resets the count.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from fivesafes import audit
from fivesafes.accounts import AccountView, find_account, view
from fivesafes.accounts.service import authenticate
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment
from fivesafes.web.models import SignInThrottle, WebSession

IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=8)
LOCK_AFTER = 5
LOCKED_FOR = timedelta(minutes=15)
#: how stale ``last_seen_at`` may get before a request writes it again
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedIn:
    """A session as the app sees it: the account, and the token the form must echo (CSRF)."""

    account: AccountView
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, nowhere else
    signed_in: SignedIn


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def sign_in(deployment: Deployment, *, username: str, password: str,
            replacing: str | None = None) -> NewSession:
    """Check the password and start a new session (ending ``replacing``, the token the browser
    came with, so a planted session id never becomes a signed-in one)."""
    username = username.strip()[:200]
    now = deployment.clock()
    with deployment.store.reading() as session:
        throttle = session.get(SignInThrottle, username)
        locked_until = throttle.locked_until if throttle else ""
    if locked_until and _parse(locked_until) > now:
        with deployment.store.transaction() as session:
            audit.record(session, by=f"login:{username[:60]}",
                         action="web.sign_in_refused", subject=f"account:{username[:60]}",
                         details={"why": "locked"}, at=now)
        raise PermissionDenied(
            f"this account is locked after {LOCK_AFTER} failed sign-ins; try again after "
            f"{locked_until[11:16]} UTC, or ask an administrator to reset the password")
    try:
        account = authenticate(deployment, username=username, password=password)
    except PermissionDenied:
        _failed(deployment, username)
        raise
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with deployment.store.transaction() as session:
        row = session.get(SignInThrottle, username)
        if row is not None:
            session.delete(row)
        if replacing:
            session.execute(delete(WebSession).where(WebSession.token_sha256 == digest(replacing)))
        at = audit.utc_iso(deployment.clock())
        session.add(WebSession(token_sha256=digest(token), username=account.username,
                               csrf_token=csrf, created_at=at, last_seen_at=at))
        audit.record(session, by=account.username, action="web.session.start",
                     subject=f"account:{account.username}", at=deployment.clock())
    return NewSession(token, SignedIn(account, csrf))


def _failed(deployment: Deployment, username: str) -> None:
    """Count a failed sign-in; lock the username at the ``LOCK_AFTER``-th in a row."""
    with deployment.store.transaction() as session:
        row = session.get(SignInThrottle, username)
        if row is None:
            row = SignInThrottle(username=username, failures=0, locked_until="")
            session.add(row)
        row.failures += 1
        if row.failures >= LOCK_AFTER:
            until = deployment.clock() + LOCKED_FOR
            row.failures, row.locked_until = 0, audit.utc_iso(until)
            audit.record(session, by=f"login:{username[:60]}", action="web.account.locked",
                         subject=f"account:{username[:60]}",
                         details={"failures": LOCK_AFTER, "until": row.locked_until},
                         at=deployment.clock())


def current(deployment: Deployment, token: str | None) -> SignedIn | None:
    """The live session of ``token``, or None (unknown, expired, or its account disabled);
    an expired one is removed."""
    if not token:
        return None
    now = deployment.clock()
    with deployment.store.reading() as session:
        row = session.execute(select(WebSession).where(
            WebSession.token_sha256 == digest(token))).scalar_one_or_none()
        if row is None:
            return None
        account = find_account(session, row.username)
        found = (row.id, row.created_at, row.last_seen_at, row.csrf_token)
        shown = view(account) if account is not None and account.active else None
    session_id, created, seen, csrf = found
    if shown is None or now - _parse(created) > LONGEST or now - _parse(seen) > IDLE:
        _end(deployment, session_id, "expired" if shown else "account disabled")
        return None
    if now - _parse(seen) > TOUCH_EVERY:
        with deployment.store.transaction() as session:
            row = session.get(WebSession, session_id)
            if row is not None:
                row.last_seen_at = audit.utc_iso(now)
    return SignedIn(shown, csrf)


def _end(deployment: Deployment, session_id: int, why: str) -> None:
    with deployment.store.transaction() as session:
        row = session.get(WebSession, session_id)
        if row is None:
            return
        session.delete(row)
        audit.record(session, by=row.username, action="web.session.end",
                     subject=f"account:{row.username}", details={"why": why},
                     at=deployment.clock())


def sign_out(deployment: Deployment, token: str | None) -> None:
    """End the session of ``token`` (nothing to do for an unknown one)."""
    if not token:
        return
    with deployment.store.reading() as session:
        found = session.execute(select(WebSession.id).where(
            WebSession.token_sha256 == digest(token))).scalar_one_or_none()
    if found is not None:
        _end(deployment, found, "signed out")


def end_sessions_of(deployment: Deployment, *, username: str, why: str) -> int:
    """End every session of ``username`` (e.g. after a password reset); how many."""
    with deployment.store.reading() as session:
        ids = list(session.execute(select(WebSession.id).where(
            WebSession.username == username)).scalars())
    for session_id in ids:
        _end(deployment, session_id, why)
    return len(ids)
