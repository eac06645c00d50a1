"""Click groups of the governance commands (registered by
:func:`fivesafes.governance.cli.register_commands`).

Commands take ``--as USERNAME`` (required, see :data:`fivesafes.cli_support.actor_option`): the
account taking the action. For now it is
trusted from the command line, because using a home's command line already needs local access to
its linkage zone; the web application will take the actor from its login instead, calling the same
service functions.
"""

from fivesafes.governance.commands.agreements import agreement, register
from fivesafes.governance.commands.applications import application, panel
from fivesafes.governance.commands.people import admin, people
from fivesafes.governance.commands.projects import project
from fivesafes.governance.commands.risk import risk

GROUPS = (admin, people, project, application, risk, panel, agreement, register)

__all__ = ["GROUPS"]
