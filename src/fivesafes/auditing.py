"""Reading the audit log, as an auditor or administrator: the service functions behind
``fivesafes audit verify`` and ``fivesafes audit show`` (and, later, the web app's audit page).

Like every other service function they take the acting account as ``by`` and refuse anyone
without the auditor or administrator role; the mechanism of the log itself (the hash chain, the
sealed head, the filters) is :mod:`fivesafes.audit`.
"""

from __future__ import annotations

from typing import Any

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.home import Deployment

#: The roles that may read the audit log.
READERS = (Role.AUDITOR, Role.ADMINISTRATOR)


def verify_log(deployment: Deployment, *, by: str) -> audit.Verification:
    """Check every entry of the chain and the sealed head; ``by`` reads the log."""
    with deployment.store.reading() as session:
        authorise(session, by, READERS, "verify the audit log")
        return audit.verify(session)


def read_log(deployment: Deployment, *, by: str,
             entries: audit.EntryFilter | None = None) -> list[dict[str, Any]]:
    """The entries that match ``entries`` (all of them by default), oldest first, as plain
    dictionaries; ``by`` reads the log."""
    with deployment.store.reading() as session:
        authorise(session, by, READERS, "read the audit log")
        return audit.as_dicts(audit.query(session, entries or audit.EntryFilter()))
