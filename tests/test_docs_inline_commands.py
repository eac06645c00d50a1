"""Every ``fivesafes ...`` command the pages name in running text (a code span such as
`fivesafes people grant alice panel_member --panel dag`) is one the command line knows: the
command exists, every option given is one it has, every choice is one it offers, and no argument
is left over. Required options may be left out in prose (the code blocks, checked by
``test_docs_commands``, give them all); ``...`` stands for "more of the same", ``[--x]`` for an
optional part and ``a|b`` for alternatives, each of which is checked."""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import click
import pytest

from tests.test_docs_commands import PAGES, leaf, missing

SPAN = re.compile(r"`(fivesafes(?: [^`]*)?)`")


def inline_commands(page: Path) -> list[tuple[int, str]]:
    """``(line number, command)`` for each code span outside code blocks that starts with
    ``fivesafes``."""
    found: list[tuple[int, str]] = []
    in_block = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if not in_block:
            found += [(number, m.group(1)) for m in SPAN.finditer(line)]
    return found


CASES = [pytest.param(command, id=f"{page.name}:{number}:{command[10:40]}")
         for page in PAGES for number, command in inline_commands(page)]


def variants(command: str) -> list[list[str]]:
    """The arguments of ``command`` for each choice of its ``a|b`` alternatives."""
    text = re.sub(r"(?<!\S)\.\.\.(?!\S)", " ", command.replace("[", " ").replace("]", " "))
    words = shlex.split(text)[1:]
    options = [w.split("|") if "|" in w else [w] for w in words]
    return [list(chosen) for chosen in itertools.product(*options)]


def test_the_pages_name_commands_in_running_text() -> None:
    assert len(CASES) >= 40


def check(command: str, args: list[str]) -> None:
    cmd, rest, path = leaf(list(args))
    ctx = click.Context(cmd, info_name=path)
    try:
        values, extra, _ = cmd.make_parser(ctx).parse_args(rest)
    except click.UsageError as exc:
        pytest.fail(f"'{command}': {exc.format_message()}")
    assert not extra, f"'{command}': {path} takes no argument {extra}"
    if isinstance(cmd, click.Group):
        return
    for param in cmd.params:
        choice = getattr(param, "type", None)
        given = values.get(param.name)
        if isinstance(choice, click.Choice) and not missing(param, given):
            for value in given if isinstance(given, list | tuple) else [given]:
                assert value in choice.choices, f"'{command}': {param.opts[0]} {value}"


@pytest.mark.parametrize("command", CASES)
def test_a_command_named_in_running_text_exists_as_written(command: str) -> None:
    for args in variants(command):
        check(command, args)


def test_leftover_arguments_are_caught() -> None:
    with pytest.raises(AssertionError, match="takes no argument"):
        check("fivesafes people list extra", ["people", "list", "extra"])
    with pytest.raises(AssertionError, match="no such command"):
        check("fivesafes output tables", ["output", "tables"])
