"""The walk-through blocks of the pages run as written, in order, each command exiting 0: the
README's tour (what ``make demo`` does) followed by the workspace page's commands on the same
demo home, and the governance page's first accounts on a home of their own.

What a reader types at a prompt (a password, twice) is given on standard input; the one change
made to a command is the tour's number of synthetic people (50,000 becomes a few hundred, so the
test takes a minute, not ten)."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from fivesafes.accounts import passwords
from fivesafes.cli import main
from tests.test_docs_commands import ROOT, documented_commands

PASSWORD = "a long walk-through passphrase"
PEOPLE = "200"


def block_commands(page: Path, heading: str, blocks: int = 1) -> list[str]:
    """The commands of the first ``blocks`` code blocks after the line ``heading``."""
    lines = page.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading) + 1
    fences = [n for n, line in enumerate(lines, 1) if n > start and line.lstrip()
              .startswith("```")]
    assert len(fences) >= 2 * blocks, f"{page.name}: no code block after {heading!r}"
    ranges = [(fences[2 * i], fences[2 * i + 1]) for i in range(blocks)]
    found = [command for number, command in documented_commands(page)
             if any(a < number < b for a, b in ranges)]
    assert found, f"{page.name}: no command in the block after {heading!r}"
    return found


def words(command: str, home: str | None) -> list[str]:
    args = shlex.split(command)[1:]
    if home is not None:
        args = [home if a == "HOME" else a for a in args]
    expanded: list[str] = []
    for a in args:
        expanded += sorted(glob.glob(a)) if "*" in a and not a.startswith("SELECT") else [a]
    return expanded


def prompt_input(args: list[str]) -> str:
    """What a reader types: the password once on standard input, or twice at the prompt (once
    to sign in)."""
    if args[:1] == ["login"]:
        return f"{PASSWORD}\n"
    if args[:2] not in (["admin", "create"], ["people", "add"]):
        return ".quit\n" if args[:2] == ["workspace", "shell"] else ""
    return f"{PASSWORD}\n" if "--password-stdin" in args else f"{PASSWORD}\n{PASSWORD}\n"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for name in ("FIVESAFES_HOME", "FIVESAFES_ACTOR", "FIVESAFES_DB_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(command: str, home: str | None = None) -> str:
        args = words(command, home)
        result = CliRunner().invoke(main, args, input=prompt_input(args))
        assert result.exit_code == 0, (command, result.output, result.exception)
        assert "Traceback" not in result.output and PASSWORD not in result.output
        return result.output

    return run


def test_the_readme_tour_and_the_workspace_page_run_as_written(runner) -> None:
    tour = block_commands(ROOT / "README.md", "## A two-minute tour")
    assert tour[0] == "fivesafes init --demo demo-home" and len(tour) >= 15
    for command in tour:
        runner(re.sub(r"--people \d+", f"--people {PEOPLE}", command))
    workspace = block_commands(ROOT / "docs" / "workspace.md", "## Queries from the command line")
    workspace += block_commands(ROOT / "docs" / "workspace.md", "## For administrators")
    for command in workspace:
        runner(command)


def test_the_governance_page_creates_its_first_accounts_as_written(runner, tmp_path) -> None:
    home = str(tmp_path / "governance-home")
    runner("fivesafes init HOME", home)
    page = ROOT / "docs" / "governance.md"
    # the first administrator, then signing in as the next block shows (up to its logout)
    commands = [c for c in block_commands(page, "### The first administrator, and acting as an "
                                                "account", blocks=2)
                if not c.startswith("fivesafes logout")]
    assert commands[-1].startswith("fivesafes login ada")
    commands += block_commands(page, "## Safe people")
    assert any("people accredit" in c for c in commands)
    for command in commands:
        out = runner(command, home)
    assert "rita" in out
