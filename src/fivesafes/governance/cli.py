"""The governance commands of ``fivesafes``: ``admin``, ``people``, ``project``, ``application``,
``panel``, ``agreement`` and ``register``.

``fivesafes.cli`` calls :func:`register_commands` on its ``main`` group. The commands themselves
live in :mod:`fivesafes.governance.commands` and use ``fivesafes.cli``'s helpers, so they are
imported only when registered (``fivesafes.cli`` may import this module before it has finished
defining those helpers).
"""

from __future__ import annotations

import click


def register_commands(main: click.Group) -> None:
    """Add the governance command groups to ``main``."""
    from fivesafes.governance.commands import GROUPS

    for group in GROUPS:
        main.add_command(group)
