"""Managing accounts: the first administrator, accounts created by administrators, roles
granted and revoked, disabling, passwords, and signing in.

The first administrator is bootstrapped by someone with local access to the home
(:func:`create_first_administrator`); after that only administrators manage accounts. There are
no default passwords: every account is created with a password its creator supplies, hashed
with argon2id.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fivesafes import audit
from fivesafes.accounts import passwords
from fivesafes.accounts.models import Account, RoleGrant, SignedInSession
from fivesafes.accounts.panels import routing_for
from fivesafes.accounts.roles import (
    AccountView,
    Role,
    acting_account,
    find_account,
    get_account,
    has_role,
    require_role,
    view,
)
from fivesafes.errors import InvalidForm, NotFound, PermissionDenied, Problem, raise_problems
from fivesafes.home import Deployment

USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,39}")


def _administrators(session: Session) -> list[Account]:
    stmt = (select(Account).join(RoleGrant).where(RoleGrant.role == Role.ADMINISTRATOR)
            .where(Account.active.is_(True)))
    return list(session.execute(stmt).scalars())


def _check_new_account(session: Session, username: str, full_name: str, email: str,
                       organisation: str) -> None:
    problems = []
    if not USERNAME.fullmatch(username):
        problems.append(Problem("username", "2-40 characters: lower case letters, digits, '.', "
                                            "'_' or '-', starting with a letter"))
    elif find_account(session, username) is not None:
        problems.append(Problem("username", f"'{username}' is taken"))
    if not full_name.strip() or len(full_name) > 200:
        problems.append(Problem("full_name", "is required, at most 200 characters"))
    if len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.append(Problem("email", f"'{email[:254]}' is not an email address"))
    if len(organisation) > 200:
        problems.append(Problem("organisation", "is longer than 200 characters"))
    raise_problems(f"account '{username}'", problems)


def _new_account(session: Session, deployment: Deployment, *, by: str, username: str,
                 full_name: str, email: str, organisation: str, password: str,
                 roles: list[tuple[Role, str]]) -> Account:
    _check_new_account(session, username, full_name, email, organisation)
    now = audit.utc_iso(deployment.clock())
    account = Account(
        username=username, full_name=full_name.strip(), email=email, organisation=organisation,
        password_hash=passwords.hash_password(password, username=username), active=True,
        created_at=now, created_by=by,
    )
    account.roles = [RoleGrant(role=r, panel=p, granted_at=now, granted_by=by) for r, p in roles]
    session.add(account)
    session.flush()
    audit.record(session, by=by, action="governance.account.create", subject=f"account:{username}",
                 details={"roles": list(view(account).roles), "organisation": organisation},
                 at=deployment.clock())
    return account


def create_first_administrator(deployment: Deployment, *, by: str, username: str, full_name: str,
                               email: str, password: str, organisation: str = "") -> None:
    """Bootstrap: the first administrator, created by someone with local access to the home
    (``by`` is their operating-system identity). Refused once an administrator exists."""
    with deployment.store.transaction() as session:
        if _administrators(session):
            raise PermissionDenied(
                "an administrator already exists; further accounts are created by an "
                "administrator with 'fivesafes people add'"
            )
        _new_account(session, deployment, by=by, username=username, full_name=full_name,
                     email=email, organisation=organisation, password=password,
                     roles=[(Role.ADMINISTRATOR, "")])


def _role_and_panel(deployment: Deployment, role: str, panel: str) -> tuple[Role, str]:
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidForm("role", [Problem("role", f"'{role}' is not one of "
                                                   f"{', '.join(Role)}")]) from None
    if parsed is Role.PANEL_MEMBER:
        if not panel:
            raise InvalidForm("role", [Problem("panel", f"{Role.PANEL_MEMBER} names its panel "
                                                        "(--panel KEY)")])
        routing_for(deployment).panel(panel)  # refuses an unknown panel
    elif panel:
        raise InvalidForm("role", [Problem("panel", f"only {Role.PANEL_MEMBER} is held per panel")])
    return parsed, panel if parsed is Role.PANEL_MEMBER else ""


def create_account(deployment: Deployment, *, by: str, username: str, full_name: str, email: str,
                   password: str, organisation: str = "",
                   roles: tuple[tuple[str, str], ...] = ()) -> None:
    """An administrator creates an account with the password they supply (no default) and the
    given ``(role, panel)`` pairs (panel is "" except for panel_member)."""
    parsed = [_role_and_panel(deployment, r, p) for r, p in roles]
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "create accounts")
        _new_account(session, deployment, by=by, username=username, full_name=full_name,
                     email=email, organisation=organisation, password=password,
                     roles=sorted(set(parsed)))


def grant_role(deployment: Deployment, *, by: str, username: str, role: str, panel: str = ""
               ) -> None:
    parsed, panel = _role_and_panel(deployment, role, panel)
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "grant roles")
        account = get_account(session, username)
        if any(g.role == parsed and g.panel == panel for g in account.roles):
            return
        account.roles.append(RoleGrant(role=parsed, panel=panel, granted_by=by,
                                       granted_at=audit.utc_iso(deployment.clock())))
        audit.record(session, by=by, action="governance.role.grant",
                     subject=f"account:{username}", details={"role": parsed, "panel": panel},
                     at=deployment.clock())


def revoke_role(deployment: Deployment, *, by: str, username: str, role: str, panel: str = "",
                reason: str) -> None:
    parsed, panel = _role_and_panel(deployment, role, panel)
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "revoke roles")
        account = get_account(session, username)
        grant = next((g for g in account.roles if g.role == parsed and g.panel == panel), None)
        if grant is None:
            raise NotFound(f"{username} does not hold the role {parsed}{':' + panel if panel else ''}")
        if parsed is Role.ADMINISTRATOR and len(_administrators(session)) == 1:
            raise PermissionDenied("refusing to remove the last administrator")
        account.roles.remove(grant)
        audit.record(session, by=by, action="governance.role.revoke",
                     subject=f"account:{username}",
                     details={"role": parsed, "panel": panel, "reason": reason},
                     at=deployment.clock())


def disable_account(deployment: Deployment, *, by: str, username: str, reason: str) -> None:
    """Stop an account from acting (its history stays)."""
    with deployment.store.transaction() as session:
        require_role(acting_account(session, by), Role.ADMINISTRATOR, "disable accounts")
        account = get_account(session, username)
        admins = _administrators(session)
        if account in admins and len(admins) == 1:
            raise PermissionDenied("refusing to disable the last administrator")
        account.active = False
        audit.record(session, by=by, action="governance.account.disable",
                     subject=f"account:{username}", details={"reason": reason},
                     at=deployment.clock())


def set_password(deployment: Deployment, *, by: str, username: str, new_password: str,
                 current_password: str | None = None) -> None:
    """Change one's own password (needs the current one), or an administrator resets another's.
    Every signed-in session of the account ends (sign in again with the new password)."""
    with deployment.store.transaction() as session:
        actor = acting_account(session, by)
        account = get_account(session, username)
        if actor is account:
            if current_password is None or not passwords.verify(account.password_hash,
                                                                current_password):
                raise PermissionDenied("the current password is wrong")
        else:
            require_role(actor, Role.ADMINISTRATOR, "reset another account's password")
        account.password_hash = passwords.hash_password(new_password, username=username)
        # whoever knew the old password may hold a session: every one ends (web and command line)
        ended = session.execute(delete(SignedInSession).where(
            SignedInSession.username == username)).rowcount
        audit.record(session, by=by, action="governance.account.password",
                     subject=f"account:{username}",
                     details={"reset": actor is not account, "sessions_ended": ended},
                     at=deployment.clock())


def authenticate(deployment: Deployment, *, username: str, password: str) -> AccountView:
    """Check a login (for the web application); failures are audited and say nothing about
    which part was wrong."""
    with deployment.store.transaction() as session:
        account = find_account(session, username)
        if account is None or not account.active or not passwords.verify(
                account.password_hash, password):
            audit.record(session, by=f"login:{username[:60]}",
                         action="governance.account.login_failed",
                         subject=f"account:{username[:60]}", at=deployment.clock())
            failed = True
        else:
            failed = False
            if passwords.needs_rehash(account.password_hash):
                account.password_hash = passwords.HASHER.hash(password)
            audit.record(session, by=username, action="governance.account.login",
                         subject=f"account:{username}", at=deployment.clock())
            result = view(account)
    if failed:
        raise PermissionDenied("the username or password is wrong, or the account is disabled")
    return result


def list_accounts(deployment: Deployment, *, by: str) -> list[AccountView]:
    with deployment.store.reading() as session:
        actor = acting_account(session, by)
        if not (has_role(actor, Role.ADMINISTRATOR) or has_role(actor, Role.AUDITOR)):
            raise PermissionDenied(f"{by} may not list accounts: that needs the administrator "
                                   "or auditor role")
        accounts = session.execute(select(Account).order_by(Account.username)).scalars()
        return [view(a) for a in accounts]
