"""What every ``fivesafes`` command shares: the consoles, the options that name the home and the
acting account, the check that the account named is signed in, and the turning of user errors
into one-line messages. Stage command modules import from here, never from :mod:`fivesafes.cli`
(which registers them).

``--as NAME`` (or ``FIVESAFES_ACTOR``) is a claim until it is proved: when a command opens its home
(:func:`with_home`, or :func:`prove_actor` for a command that opens it itself) the account must hold
a live ``fivesafes login`` session there (:func:`fivesafes.accounts.command_line.prove`), or the
command is refused and the refusal audited. Only a demo home (``fivesafes init --demo``) takes the
claim on trust, and every command there says so.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from fivesafes.accounts import command_line
from fivesafes.errors import FivesafesError
from fivesafes.home import ACTOR_ENV, HOME_ENV, Deployment, open_home

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
#: Where the ``--as`` callback leaves the name claimed, for :func:`with_home` to prove.
CLAIM = "fivesafes.claimed_actor"


def _claim(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value:
        ctx.meta[CLAIM] = value
    return value


def as_option(name: str = "actor", *, required: bool = True,
              help: str = f"The account taking this action (or set {ACTOR_ENV}); it must be "
                          "signed in on the home (fivesafes login).") -> Callable[..., Any]:
    """``--as USERNAME``, passed as ``name``: the account a command acts as, proved when the
    home is opened."""
    extra: dict[str, Any] = {} if required else {"default": None}
    return click.option("--as", name, required=required, envvar=ACTOR_ENV, metavar="USERNAME",
                        callback=_claim, help=help, **extra)


actor_option = as_option()

#: ``--as`` for a command that needs an account only when it works on a home (``link``, whose
#: standalone mode reads files outside any home); the command calls :func:`require_actor` and
#: :func:`prove_actor`.
actor_option_in_a_home = as_option(
    required=False, help=f"The account taking this action (or set {ACTOR_ENV}). Required with "
                         "--home; it must be signed in there (fivesafes login).")


def require_actor(actor: str | None, doing: str) -> str:
    """``actor``, or a usage error saying that ``doing`` needs ``--as``."""
    if not actor:
        raise click.UsageError(f"{doing} needs --as USERNAME (or {ACTOR_ENV}): the account "
                               "taking the action")
    return actor


#: The one line each command prints in a demo home, where ``--as`` is not authenticated.
DEMO_NOTICE = ("notice: {home} is a demo home: --as is taken on trust there, not authenticated "
               "(synthetic data only)")


def prove_actor(deployment: Deployment, actor: str) -> str:
    """``actor`` once it is proved to be signed in on ``deployment`` (in a demo home: taken on
    trust, with a notice on standard error); a refusal, audited, otherwise."""
    if deployment.demo:
        err_console.print(Text(DEMO_NOTICE.format(home=deployment.root), style="yellow"),
                          soft_wrap=True)
        return actor
    command_line.prove(deployment, actor)
    return actor


def with_home(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Open ``--home`` and pass the deployment as ``deployment``; close it afterwards. The
    account named by ``--as``, if the command has it, must be signed in there
    (:func:`prove_actor`)."""

    @home_option
    @functools.wraps(fn)
    def wrapper(home: Path, **kwargs: Any) -> Any:
        try:
            deployment = open_home(home)
        except FivesafesError as exc:
            _fail(exc)
        try:
            claimed = click.get_current_context().meta.get(CLAIM)
            if claimed:
                try:
                    prove_actor(deployment, claimed)
                except FivesafesError as exc:
                    _fail(exc)
            return fn(deployment=deployment, **kwargs)
        finally:
            deployment.close()

    wrapper.proves_actor = True  # type: ignore[attr-defined]
    return wrapper
