"""What the web application keeps in the metadata store: signed-in sessions (server side; the
browser holds only a random token, stored here as its SHA-256) and failed sign-ins per account
(throttling and lockout)."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fivesafes.store.base import Base


class WebSession(Base):
    """One signed-in browser. Never holds the token itself, only its digest."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    last_seen_at: Mapped[str] = mapped_column(String(32))


class SignInThrottle(Base):
    """Failed sign-ins in a row for one username, and until when it is locked."""

    __tablename__ = "sign_in_throttle"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str] = mapped_column(String(32), default="")
