"""Tables of accounts, the roles they hold, their signed-in sessions and failed sign-ins.
Passwords are stored only as argon2 hashes, session tokens only as their SHA-256."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fivesafes.store.base import Base


class Account(Base):
    """A person who may act in fivesafes. Disabled accounts keep their history but may do
    nothing."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )

    def __repr__(self) -> str:  # never show the password hash
        return f"Account({self.username!r})"


class RoleGrant(Base):
    """One role held by an account. ``panel`` names the panel for the panel-member role and is
    empty for every other role."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("account_id", "role", "panel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    panel: Mapped[str] = mapped_column(String(60), default="")
    granted_at: Mapped[str] = mapped_column(String(32))
    granted_by: Mapped[str] = mapped_column(String(200))
    account: Mapped[Account] = relationship(back_populates="roles")


#: The ways a person signs in: a browser (the web application) or ``fivesafes login``.
WEB, CLI = "web", "cli"


class SignedInSession(Base):
    """One signed-in browser (``channel`` web) or command line (``channel`` cli). Never holds
    the token itself, only its digest; a token of one channel opens nothing on the other. (The
    table keeps the name it had when only browsers signed in.)"""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(8), default=WEB)
    csrf_token: Mapped[str] = mapped_column(String(64))  # empty for the command line
    created_at: Mapped[str] = mapped_column(String(32))
    last_seen_at: Mapped[str] = mapped_column(String(32))


class SignInThrottle(Base):
    """Failed sign-ins in a row for one username (on any channel), and until when it is
    locked."""

    __tablename__ = "sign_in_throttle"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str] = mapped_column(String(32), default="")
