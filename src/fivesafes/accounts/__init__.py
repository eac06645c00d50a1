"""Accounts, roles and ``authorise``: who may act, asked the same way by every stage of the walk.

* :mod:`fivesafes.accounts.roles` - the roles, the acting account and :func:`authorise`;
* :mod:`fivesafes.accounts.service` - creating and managing accounts, passwords, signing in;
* :mod:`fivesafes.accounts.panels` - the panels that decide on applications (a panel member's
  role names one) and each data owner's route through them;
* :mod:`fivesafes.accounts.sessions` - signed-in sessions, one service for the web application
  and the command line (each its own channel), with throttling and lockout;
* :mod:`fivesafes.accounts.command_line` - ``fivesafes login``: the token file, and proving the
  account named by ``--as``;
* :mod:`fivesafes.accounts.passwords` - argon2id hashing and the password policy;
* :mod:`fivesafes.accounts.models` - the tables.
"""

from fivesafes.accounts.roles import (
    AccountView,
    Role,
    acting_account,
    authorise,
    find_account,
    get_account,
    has_role,
    panels_of,
    require_role,
    view,
)
from fivesafes.accounts.service import (
    authenticate,
    create_account,
    create_first_administrator,
    disable_account,
    grant_role,
    list_accounts,
    revoke_role,
    set_password,
)

__all__ = [
    "AccountView", "Role", "acting_account", "authenticate", "authorise", "create_account",
    "create_first_administrator", "disable_account", "find_account", "get_account",
    "grant_role", "has_role", "list_accounts", "panels_of", "require_role", "revoke_role",
    "set_password", "view",
]
