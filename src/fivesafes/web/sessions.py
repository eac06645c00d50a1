"""Signing in and out of the web application: the browser's side of the signed-in sessions of
:mod:`fivesafes.accounts.sessions` (channel ``web``), with rotation on sign-in, throttling and
lockout. The browser holds only a random token, which is never stored, logged or audited.

A browser's session ends after ``IDLE`` without a request or ``LONGEST`` after sign-in,
whichever comes first, and at once when its account is disabled.
"""

from __future__ import annotations

from datetime import timedelta

from fivesafes.accounts import sessions
from fivesafes.accounts.sessions import LOCK_AFTER, LOCKED_FOR, WEB, digest, end_sessions_of
from fivesafes.accounts.sessions import Live as SignedIn
from fivesafes.home import Deployment

__all__ = ["IDLE", "LOCKED_FOR", "LOCK_AFTER", "LONGEST", "NewSession", "SignedIn", "current",
           "digest", "end_sessions_of", "sign_in", "sign_out"]

IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=8)

NewSession = sessions.Started


def sign_in(deployment: Deployment, *, username: str, password: str,
            replacing: str | None = None) -> NewSession:
    """Check the password and start a browser's session, ending ``replacing`` (the token the
    browser came with, so a planted session id never becomes a signed-in one)."""
    return sessions.sign_in(deployment, username=username, password=password, channel=WEB,
                            replacing=replacing)


def current(deployment: Deployment, token: str | None) -> SignedIn | None:
    """The live browser session of ``token``, or None (unknown, expired, its account disabled,
    or a command line's token); an expired one is ended."""
    live, _ = sessions.look_up(deployment, token, channel=WEB, longest=LONGEST, idle=IDLE)
    return live


def sign_out(deployment: Deployment, token: str | None) -> None:
    """End the browser session of ``token`` (nothing to do for an unknown one)."""
    sessions.sign_out(deployment, token, channel=WEB)
