"""Safe settings: the audited research workspace over one project's extract.

:func:`open` is the Python API for analysis code run inside the setting::

    import fivesafes.workspace
    with fivesafes.workspace.open("P-0001", by="r.khan", home="/srv/fivesafes") as ws:
        by_outcome = ws.query("SELECT outcome, count(*) AS n FROM magistrates GROUP BY 1")

``home`` and ``by`` default to ``FIVESAFES_HOME`` and ``FIVESAFES_ACTOR``; ``by`` must be signed in
on the home (``fivesafes login``), except in a demo home. Every statement is
checked, run in the sandbox and audited exactly as on the command line
(:mod:`fivesafes.workspace.service`).
"""

from __future__ import annotations

import os
from pathlib import Path

from fivesafes.accounts import command_line
from fivesafes.errors import FivesafesError
from fivesafes.home import ACTOR_ENV, HOME_ENV, open_home
from fivesafes.workspace.service import (
    Workspace,
    open_workspace,
    revoke_access,
    workspace_alerts,
)

__all__ = ["Workspace", "open", "open_workspace", "revoke_access", "workspace_alerts"]


class _OwnedHome(Workspace):
    """A workspace that opened its home itself, and closes it with the session."""

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.deployment.close()


def open(project: str, *, by: str | None = None,
         home: str | Path | None = None) -> Workspace:
    """A workspace session over ``project``'s extract (``P-nnnn`` or ``A-nnnn``)."""
    actor = by or os.environ.get(ACTOR_ENV)
    folder = home or os.environ.get(HOME_ENV)
    if not actor or not folder:
        raise FivesafesError(f"say who you are and where the home is: by= (or {ACTOR_ENV}) "
                             f"and home= (or {HOME_ENV})")
    deployment = open_home(Path(folder))
    try:
        if not deployment.demo:  # ``by`` is a claim, as --as is: it must be signed in
            command_line.prove(deployment, actor)
        session = open_workspace(deployment, by=actor, project=project)
    except BaseException:
        deployment.close()
        raise
    session.__class__ = _OwnedHome
    return session
