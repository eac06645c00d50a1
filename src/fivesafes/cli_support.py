"""What every ``fivesafes`` command shares: the consoles, the options that name the home and the
acting account, and the turning of user errors into one-line messages. Stage command modules import
from here, never from :mod:`fivesafes.cli` (which registers them)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from fivesafes.errors import FivesafesError
from fivesafes.home import ACTOR_ENV, HOME_ENV, open_home

# Piped output (make, CI, logs) gets a width that keeps tables readable.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 132)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 132)


def _fail(exc: FivesafesError) -> None:
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
    sys.exit(exc.exit_code)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a FivesafesError into a one-line message and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FivesafesError as exc:
            _fail(exc)

    return wrapper


home_option = click.option(
    "--home", "home", type=click.Path(path_type=Path, file_okay=False), envvar=HOME_ENV,
    required=True, help=f"Deployment home folder (or set {HOME_ENV}).",
)
actor_option = click.option(
    "--as", "actor", required=True, envvar=ACTOR_ENV, metavar="USERNAME",
    help=f"The account taking this action (or set {ACTOR_ENV}). Required: no command acts as "
         "your operating-system login.",
)

#: ``--as`` for a command that needs an account only when it works on a home (``link``, whose
#: standalone mode reads files outside any home); the command calls :func:`require_actor`.
actor_option_in_a_home = click.option(
    "--as", "actor", default=None, envvar=ACTOR_ENV, metavar="USERNAME",
    help=f"The account taking this action (or set {ACTOR_ENV}). Required with --home.",
)


def require_actor(actor: str | None, doing: str) -> str:
    """``actor``, or a usage error saying that ``doing`` needs ``--as``."""
    if not actor:
        raise click.UsageError(f"{doing} needs --as USERNAME (or {ACTOR_ENV}): the account "
                               "taking the action")
    return actor


def with_home(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Open ``--home`` and pass the deployment as ``deployment``; close it afterwards."""

    @home_option
    @functools.wraps(fn)
    def wrapper(home: Path, **kwargs: Any) -> Any:
        try:
            deployment = open_home(home)
        except FivesafesError as exc:
            _fail(exc)
        try:
            return fn(deployment=deployment, **kwargs)
        finally:
            deployment.close()

    return wrapper
