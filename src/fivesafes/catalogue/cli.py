"""The publishing and retention commands of ``fivesafes``: ``publish``, ``catalogue``,
``lookups``, ``identifiers`` and ``retention``.

``fivesafes.cli`` calls :func:`register_commands` on its ``main`` group. The commands live in
:mod:`fivesafes.catalogue.commands`, which uses ``fivesafes.cli``'s helpers, so it is imported
only when registered.
"""

from __future__ import annotations

import click


def register_commands(main: click.Group) -> None:
    """Add the publishing and retention commands to ``main``."""
    from fivesafes.catalogue.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)
