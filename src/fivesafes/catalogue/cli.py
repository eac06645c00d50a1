"""The publishing commands of ``fivesafes``: ``publish``, ``catalogue`` and ``lookups``.

``fivesafes.cli`` calls :func:`register_commands` on its ``main`` group; the commands live in
:mod:`fivesafes.catalogue.commands`, imported only when registered.
"""

from __future__ import annotations

import click


def register_commands(main: click.Group) -> None:
    """Add the publishing commands to ``main``."""
    from fivesafes.catalogue.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)
