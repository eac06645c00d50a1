"""Options and small helpers shared by the governance commands."""

from __future__ import annotations

import sys
from datetime import date, datetime

import click
from rich.table import Table
from rich.text import Text

from fivesafes.cli_support import console

reason_option = click.option("--reason", "reason", required=True, help="Why (recorded).")
optional_reason = click.option("--reason", "reason", default="", help="Why (recorded).")

ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])


def as_date(value: datetime) -> date:
    return value.date()


def read_password(from_stdin: bool, prompt: str = "Password", *, confirm: bool = True) -> str:
    """One password: a line of standard input with ``--password-stdin``, otherwise typed at a
    hidden prompt (twice, to ``confirm`` a new one). Never echoed."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise click.UsageError("--password-stdin: standard input is empty")
        return line.rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


def say(text: str) -> None:
    """Print text that may hold user-written brackets, without reading them as markup."""
    console.print(text, markup=False, soft_wrap=True)


def add_row(table: Table, *values: object) -> None:
    """A table row of plain text (user-written brackets are not markup)."""
    table.add_row(*(Text(str(v)) for v in values))
