"""Every ``fivesafes`` command shown in README.md and docs/ is one the command line accepts as
written: the command exists, every option is one it has, every required option is given (a
variable such as ``FIVESAFES_HOME`` does not count: the reader copies what the page shows), and
every choice is one it offers."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from fivesafes.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def documented_commands(page: Path) -> list[tuple[int, str]]:
    """``(line number, command)`` for each ``fivesafes ...`` line of the page's code blocks,
    with ``\\`` continuations joined, comments and a leading ``... |`` pipe dropped."""
    found: list[tuple[int, str]] = []
    in_block, pending, start = False, "", 0
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_block, pending = not in_block, ""
            continue
        if not in_block:
            continue
        if pending:
            pending += " " + line.strip()
        else:
            text = line.split("| ", 1)[1] if re.match(r"^\S.*\| fivesafes ", line) else line
            if not text.startswith("fivesafes "):
                continue
            pending, start = text.strip(), number
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        found.append((start, re.sub(r"\s+#.*$", "", pending)))
        pending = ""
    return found


CASES = [pytest.param(command, id=f"{page.name}:{number}")
         for page in PAGES for number, command in documented_commands(page)]


def leaf(args: list[str]) -> tuple[click.Command, list[str], str]:
    command: click.Command = main
    path = "fivesafes"
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        name = args.pop(0)
        assert name in command.commands, f"'{path} {name}': no such command"
        command, path = command.commands[name], f"{path} {name}"
    return command, args, path


def missing(param: click.Parameter, value: object) -> bool:
    """Whether the parser found no value for ``param`` (click marks it UNSET, not None)."""
    return value is None or param.value_is_missing(value)


def test_the_pages_show_commands() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("command", CASES)
def test_a_documented_command_is_accepted_as_written(command: str) -> None:
    args = shlex.split(command.replace("[", "").replace("]", ""))[1:]
    if any("|" in a for a in args):  # a synopsis such as --engine duckdb|spark
        args = [a.split("|")[0] for a in args]
    cmd, rest, path = leaf(args)
    ctx = click.Context(cmd, info_name=path)
    parser = cmd.make_parser(ctx)
    try:
        values, extra, _ = parser.parse_args(rest)
    except click.UsageError as exc:
        pytest.fail(f"'{command}': {exc.format_message()}")
    assert not extra, f"'{command}': {path} takes no argument {extra}"
    for param in cmd.params:
        if param.required and missing(param, values.get(param.name)):
            pytest.fail(f"'{command}' does not give {param.opts[0]} ({path} requires it)")
        choice = getattr(param, "type", None)
        if isinstance(choice, click.Choice) and not param.value_is_missing(
                values.get(param.name)):
            given = values[param.name]
            for value in given if isinstance(given, list | tuple) else [given]:
                assert value in choice.choices, f"'{command}': {param.opts[0]} {value}"
