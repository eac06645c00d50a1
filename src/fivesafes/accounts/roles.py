"""Who may act: roles, the acting account, and ``authorise`` (deny by default).

Every action names the account that takes it (``by=``); the account must exist, be active and
hold the role the action needs. This module is low in the house so that every stage of the walk
(ingest, linkage, publishing, retention, governance and what comes after) asks the same question
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from fivesafes.accounts.models import Account
from fivesafes.errors import NotFound, PermissionDenied
from fivesafes.store.db import ACTOR_INFO


class Role(StrEnum):
    RESEARCHER = "researcher"
    LINKAGE_OFFICER = "linkage_officer"
    PANEL_MEMBER = "panel_member"  # held per panel
    OUTPUT_CHECKER = "output_checker"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class AccountView:
    """An account as screens show it (never with its password hash)."""

    username: str
    full_name: str
    email: str
    organisation: str
    active: bool
    roles: tuple[str, ...]  # "researcher", "panel_member:dag", ...


def find_account(session: Session, username: str) -> Account | None:
    return session.execute(select(Account).where(Account.username == username)).scalar_one_or_none()


def get_account(session: Session, username: str) -> Account:
    account = find_account(session, username)
    if account is None:
        raise NotFound(f"there is no account '{username}'")
    return account


def acting_account(session: Session, by: str) -> Account:
    """The active account named ``by``; anyone else is refused. The unit of work remembers ``by``
    so that a refusal in it is recorded against the account that attempted it."""
    session.info[ACTOR_INFO] = by
    account = find_account(session, by)
    if account is None or not account.active:
        raise PermissionDenied(
            f"'{by}' is not an active fivesafes account; every action is taken by an account: "
            "name yours with --as USERNAME (or FIVESAFES_ACTOR)"
        )
    return account


def has_role(account: Account, role: Role, panel: str = "") -> bool:
    return account.active and any(g.role == role and g.panel == panel for g in account.roles)


def panels_of(account: Account) -> set[str]:
    return {g.panel for g in account.roles if g.role == Role.PANEL_MEMBER} if account.active else set()


def require_role(account: Account, role: Role, doing: str) -> None:
    if not has_role(account, role):
        raise PermissionDenied(f"{account.username} may not {doing}: that needs the {role} role")


def authorise(session: Session, by: str, roles: tuple[Role, ...], doing: str) -> Account:
    """The active account ``by`` if it holds one of ``roles``; otherwise :class:`PermissionDenied`
    naming what was refused and why. Every command and service that is not governance's own
    calls this first (deny by default)."""
    account = acting_account(session, by)
    if not any(has_role(account, role) for role in roles):
        needed = " or ".join(str(r) for r in roles)
        raise PermissionDenied(f"{account.username} may not {doing}: that needs the {needed} "
                               "role")
    return account


def view(account: Account) -> AccountView:
    roles = tuple(sorted(f"{g.role}:{g.panel}" if g.panel else g.role for g in account.roles))
    return AccountView(account.username, account.full_name, account.email, account.organisation,
                       account.active, roles)
