"""Sign-in accounts for trying the web application on the demo home (``make serve``).

Demo passwords are generated and never shown (``demo governance``), so this gives every demo
account but the administrator one fresh password, reset by the demo administrator through the
audited service and printed once to the operator's terminal, and adds a demo auditor so the
audit log page can be seen. It refuses a home that is not a demo home (``init --demo``), or not
the demo's (no ``demo.admin``)."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from fivesafes import accounts
from fivesafes.accounts.models import Account
from fivesafes.demo.governance import ADMIN
from fivesafes.errors import FivesafesError
from fivesafes.home import Deployment

AUDITOR = "demo.auditor"


def sign_in_accounts(deployment: Deployment) -> tuple[str, list[accounts.AccountView]]:
    """One fresh password, and the demo accounts it now opens."""
    if not deployment.demo:
        raise FivesafesError(f"{deployment.root} is not a demo home (made with fivesafes init "
                             "--demo); demo sign-in accounts are made only there")
    with deployment.store.reading() as session:
        names = list(session.execute(select(Account.username).where(Account.active)
                                     .order_by(Account.username)).scalars())
    if ADMIN not in names:
        raise FivesafesError(f"{deployment.root} is not the demo's home (no {ADMIN} account); "
                             "demo sign-in accounts are made only there (run make demo first)")
    password = secrets.token_urlsafe(12)
    if AUDITOR not in names:
        accounts.create_account(deployment, by=ADMIN, username=AUDITOR, full_name="Demo Auditor",
                                email=f"{AUDITOR}@fivesafes.example", password=password,
                                organisation="Demo audit office", roles=(("auditor", ""),))
        names.append(AUDITOR)
    for username in sorted(n for n in names if n != ADMIN):
        accounts.set_password(deployment, by=ADMIN, username=username, new_password=password)
    views = {v.username: v for v in accounts.list_accounts(deployment, by=ADMIN)}
    shown = [views[n] for n in sorted(names) if n != ADMIN and n in views]
    return password, shown
