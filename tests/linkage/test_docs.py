"""docs/linkage.md documents every option of ``fivesafes link``."""

from __future__ import annotations

from pathlib import Path

import click

from fivesafes.linkage.cli import register_commands

DOCS = Path(__file__).parents[2] / "docs" / "linkage.md"


def test_every_link_option_is_documented() -> None:
    group = click.Group()
    register_commands(group)
    text = DOCS.read_text()
    options = [opt for param in group.commands["link"].params
               for opt in getattr(param, "opts", []) if opt.startswith("--")]
    assert options
    missing = [opt for opt in options if f"`{opt}" not in text]
    assert not missing, f"document {missing} in docs/linkage.md"
