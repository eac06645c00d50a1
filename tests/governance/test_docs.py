"""docs/governance.md documents every governance command, form field and legal-basis choice, and
its state diagram is the one the code declares."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from fivesafes.governance.agreements import AGREEMENT_FORM
from fivesafes.governance.application_form import (
    APPLICATION_FORM,
    ART6_BASES,
    ART9_CONDITIONS,
    ART10_CONDITIONS,
    GATEWAYS,
)
from fivesafes.governance.cli import register_commands
from fivesafes.governance.lifecycle import ACTIONS, mermaid
from fivesafes.governance.projects import PROJECT_FORM

DOC = (Path(__file__).parents[2] / "docs" / "governance.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    group = click.Group()
    register_commands(group)
    return [f"fivesafes {name} {sub}" for name, g in group.commands.items()
            for sub in g.commands]


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented(command):
    assert f"`{command}`" in DOC


@pytest.mark.parametrize("form", [APPLICATION_FORM, PROJECT_FORM, AGREEMENT_FORM],
                         ids=["application", "project", "agreement"])
def test_every_form_field_is_documented(form):
    leaves = [path for path, f in form.paths() if f.form is None]
    assert [p for p in leaves if f"`{p}`" not in DOC] == []


def test_every_legal_basis_choice_and_action_is_documented():
    for key in [*GATEWAYS, *ART6_BASES, *ART9_CONDITIONS, *ART10_CONDITIONS, *ACTIONS]:
        assert f"`{key}`" in DOC or f"{key} " in DOC, key


def test_the_state_diagram_is_the_declared_table():
    assert mermaid() in DOC
