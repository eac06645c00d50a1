"""Signed-in sessions, one service for both ways in: a browser (the web application) and the
command line (``fivesafes login``). Each sign-in, sign-out and expiry is one audited unit of work.
The signed-in side holds only a random token, which is never stored, logged or audited: the store
keeps its SHA-256, with the channel it was issued for, and a token opens nothing on the other
channel.

``LOCK_AFTER`` failed sign-ins in a row, on either channel, lock the username for ``LOCKED_FOR``
(audited); a success resets the count. A failed or locked sign-in is a refusal, recorded as a
security event (``security.refused``) besides its own entry.

How long a session lives is the caller's: the web application ends one after an idle spell or a
longest time (:mod:`fivesafes.web.sessions`); the command line after ``[cli] session_minutes``
(:mod:`fivesafes.accounts.command_line`). Every session ends at once when its account is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from fivesafes import audit
from fivesafes.accounts.models import CLI, WEB, SignedInSession, SignInThrottle
from fivesafes.accounts.roles import AccountView, find_account, view
from fivesafes.accounts.service import authenticate
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment

__all__ = ["CLI", "WEB", "Live", "Started", "digest", "end_sessions_of", "look_up", "sign_in",
           "sign_out"]

LOCK_AFTER = 5
LOCKED_FOR = timedelta(minutes=15)
#: how stale ``last_seen_at`` may get before a use writes it again
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Live:
    """A live session: its account, and (web only) the token forms must echo (CSRF)."""

    account: AccountView
    csrf_token: str


@dataclass(frozen=True)
class Started:
    token: str  # goes to the browser's cookie or the token file, nowhere else
    live: Live


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def _refused(deployment: Deployment, refusal: PermissionDenied, username: str) -> None:
    """Record a refused sign-in as a security event (who tried, and why it was refused)."""
    deployment.store.record_refusal(refusal, f"login:{username[:60]}",
                                    subject=f"account:{username[:60]}")


def sign_in(deployment: Deployment, *, username: str, password: str, channel: str,
            replacing: str | None = None) -> Started:
    """Check the password and start a new session on ``channel`` (ending ``replacing``, the
    token the caller came with, so a planted or older token never becomes the signed-in one)."""
    if channel not in (WEB, CLI):
        raise ValueError(f"unknown sign-in channel {channel!r}")
    username = username.strip()[:200]
    now = deployment.clock()
    with deployment.store.reading() as session:
        throttle = session.get(SignInThrottle, username)
        locked_until = throttle.locked_until if throttle else ""
    if locked_until and _parse(locked_until) > now:
        with deployment.store.transaction() as session:
            audit.record(session, by=f"login:{username[:60]}",
                         action=f"{channel}.sign_in_refused", subject=f"account:{username[:60]}",
                         details={"why": "locked"}, at=now)
        refusal = PermissionDenied(
            f"this account is locked after {LOCK_AFTER} failed sign-ins; try again after "
            f"{locked_until[11:16]} UTC, or ask an administrator to reset the password")
        _refused(deployment, refusal, username)
        raise refusal
    try:
        account = authenticate(deployment, username=username, password=password)
    except PermissionDenied as refusal:
        _failed(deployment, username, channel)
        _refused(deployment, refusal, username)
        raise
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if channel == WEB else ""
    with deployment.store.transaction() as session:
        row = session.get(SignInThrottle, username)
        if row is not None:
            session.delete(row)
        if replacing:
            session.execute(delete(SignedInSession).where(
                SignedInSession.token_sha256 == digest(replacing),
                SignedInSession.channel == channel))
        at = audit.utc_iso(deployment.clock())
        session.add(SignedInSession(token_sha256=digest(token), username=account.username,
                                    channel=channel, csrf_token=csrf, created_at=at,
                                    last_seen_at=at))
        audit.record(session, by=account.username, action=f"{channel}.session.start",
                     subject=f"account:{account.username}", at=deployment.clock())
    return Started(token, Live(account, csrf))


def _failed(deployment: Deployment, username: str, channel: str) -> None:
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
            audit.record(session, by=f"login:{username[:60]}", action=f"{channel}.account.locked",
                         subject=f"account:{username[:60]}",
                         details={"failures": LOCK_AFTER, "until": row.locked_until},
                         at=deployment.clock())


def look_up(deployment: Deployment, token: str | None, *, channel: str, longest: timedelta,
            idle: timedelta | None = None) -> tuple[Live | None, str]:
    """The live session of ``token`` on ``channel``, or None and why not (``unknown``,
    ``expired``, ``account disabled``); a session found expired is ended. With ``idle``, a use
    counts as activity and a session unused that long has expired."""
    if not token:
        return None, "unknown"
    now = deployment.clock()
    with deployment.store.reading() as session:
        row = session.execute(select(SignedInSession).where(
            SignedInSession.token_sha256 == digest(token),
            SignedInSession.channel == channel)).scalar_one_or_none()
        if row is None:
            return None, "unknown"
        account = find_account(session, row.username)
        found = (row.id, row.created_at, row.last_seen_at, row.csrf_token)
        shown = view(account) if account is not None and account.active else None
    session_id, created, seen, csrf = found
    expired = now - _parse(created) > longest or (idle is not None and now - _parse(seen) > idle)
    if shown is None or expired:
        why = "expired" if shown else "account disabled"
        _end(deployment, session_id, why)
        return None, why
    if idle is not None and now - _parse(seen) > TOUCH_EVERY:
        with deployment.store.transaction() as session:
            row = session.get(SignedInSession, session_id)
            if row is not None:
                row.last_seen_at = audit.utc_iso(now)
    return Live(shown, csrf), ""


def _end(deployment: Deployment, session_id: int, why: str) -> None:
    with deployment.store.transaction() as session:
        row = session.get(SignedInSession, session_id)
        if row is None:
            return
        session.delete(row)
        audit.record(session, by=row.username, action=f"{row.channel}.session.end",
                     subject=f"account:{row.username}", details={"why": why},
                     at=deployment.clock())


def sign_out(deployment: Deployment, token: str | None, *, channel: str,
             why: str = "signed out") -> bool:
    """End the session of ``token`` on ``channel``; whether there was one."""
    if not token:
        return False
    with deployment.store.reading() as session:
        found = session.execute(select(SignedInSession.id).where(
            SignedInSession.token_sha256 == digest(token),
            SignedInSession.channel == channel)).scalar_one_or_none()
    if found is None:
        return False
    _end(deployment, found, why)
    return True


def end_sessions_of(deployment: Deployment, *, username: str, why: str) -> int:
    """End every session of ``username``, on both channels (e.g. after a password reset); how
    many."""
    with deployment.store.reading() as session:
        ids = list(session.execute(select(SignedInSession.id).where(
            SignedInSession.username == username)).scalars())
    for session_id in ids:
        _end(deployment, session_id, why)
    return len(ids)
