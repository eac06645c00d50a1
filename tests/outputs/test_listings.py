"""Every listing command stays readable at 80 columns: no line is wider, no id, action,
reference or digest is cut (rich's "…" never appears), and ``--json`` gives a list of dicts.

One published home per backend (the outputs package's), given a few rows of everything: a
provisioned project with outputs, a released request and a pending one, a workspace alert, an
agreement, a lookup, destroyed identifier stores, the catalogue and its audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import click
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from fivesafes import cli
from fivesafes.accounts import passwords
from fivesafes.catalogue.lookups import all_lookups, register_lookup
from fivesafes.extracts import build_extract
from fivesafes.extracts.export import generate_recipient_identity
from fivesafes.extracts.recipients import add_recipient, list_recipients
from fivesafes.outputs.service import make_output, request_release, review_request
from fivesafes.partner.agreement import generate_keys, read_public
from fivesafes.partner.registry import add_partner, list_partners
from fivesafes.workspace.service import open_workspace
from tests.extracts.conftest import ADMIN, DSA, OFFICER, START, Published, Walk
from tests.outputs.conftest import CHECKERS
from tests.workspace.conftest import MAGISTRATES

WIDTH = 80
JUSTIFY = "The yearly counts are the headline figure of the project's final report."


@dataclass(frozen=True)
class Listed:
    home_root: str
    project: str
    lead: str


@pytest.fixture(scope="module")
def listed(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listed]:
    home = published.home
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "HASHER",
                   PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        walk = Walk(published)
        team = walk.team()
        reference = walk.provisioned(team, MAGISTRATES)
        project = build_extract(home, by=OFFICER, reference=reference).project
        walk.in_window()
        with open_workspace(home, by=team[0], project=project) as ws:
            made = [make_output(ws, "frequency", table="magistrates", name=name,
                                spec={"groups": ["hearing_date_year"]}).reference
                    for name in ("Hearings by year", "Hearings by year, again")]
        with open_workspace(home, by=team[1], project=project) as ws:
            person = ws.query("SELECT person_id FROM magistrates LIMIT 1")["person_id"][0]
            ws.run(f"SELECT * FROM magistrates WHERE person_id = '{person}'")  # an alert
        asked = [request_release(home, by=team[0], project=project, outputs=[o],
                                 justification=JUSTIFY, purpose="Research question 1")
                 for o in made]
        for checker in CHECKERS[:2]:
            review_request(home, by=checker, reference=asked[0], decision="approve")
        if not any(lk.name == "courts" for lk in all_lookups(home)):
            csv_file = tmp_path_factory.mktemp("lookup") / "courts.csv"
            csv_file.write_text("court,region\ncourt-1,North\ncourt-2,South\n",
                                encoding="utf-8")
            register_lookup(home, "courts", csv_file, key="court", levels=["region"],
                            applies_to=[], by=OFFICER)
        if not list_recipients(home, by=ADMIN):
            _, public = generate_recipient_identity(tmp_path_factory.mktemp("recipient"))
            add_recipient(home, by=ADMIN, name="ons-srs", organisation="Example University",
                          public_key=public, agreement=DSA)
        if not list_partners(home, by=ADMIN):
            _, public_file = generate_keys("education", tmp_path_factory.mktemp("partner"))
            add_partner(home, by=ADMIN, name="education", organisation="Department for "
                        "Education", public=read_public(public_file))
    yield Listed(str(home.root), project, team[0])
    published.clock.now = START


#: (command line, who runs it); PROJECT is the listed project's reference, LEAD its lead.
LISTINGS = {
    "people list": ("people list", ADMIN),
    "application list": ("application list", ADMIN),
    "agreement list": ("agreement list", ADMIN),
    "panel list": ("panel list", None),
    "catalogue": ("catalogue --all", None),
    "lookups list": ("lookups list", None),
    "identifiers status": ("identifiers status", OFFICER),
    "audit show": ("audit show --last 40", ADMIN),
    "workspace alerts": ("workspace alerts", ADMIN),
    "output list": ("output list PROJECT", "LEAD"),
    "output requests": ("output requests", CHECKERS[2]),
    "output released": ("output released", CHECKERS[2]),
    "recipient list": ("recipient list", ADMIN),
    "partner list": ("partner list", OFFICER),
}


def _run(listed: Listed, line: str, actor: str | None, *extra: str) -> str:
    args = line.replace("PROJECT", listed.project).split() + list(extra)
    args += ["--home", listed.home_root]
    if actor:
        args += ["--as", listed.lead if actor == "LEAD" else actor]
    result = CliRunner().invoke(cli.main, args, env={"FIVESAFES_HOME": None,
                                                     "FIVESAFES_ACTOR": None})
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _listing_commands(group: click.Group, prefix: str = "") -> Iterator[str]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _listing_commands(command, f"{prefix}{name} ")
        elif name in {"list", "status", "alerts", "requests", "released", "show", "catalogue"}:
            yield f"{prefix}{name}"


def test_every_listing_command_is_checked_here() -> None:
    shows = {"audit show"}  # the other `show` commands show one thing, not a list
    found = {c for c in _listing_commands(cli.main) if not c.endswith(" show")} | shows
    assert found == set(LISTINGS)


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_listing_stays_readable_at_80_columns(listed: Listed, name: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.console, "width", WIDTH)
    line, actor = LISTINGS[name]
    out = _run(listed, line, actor)
    assert out.strip(), name
    too_wide = [row for row in out.splitlines() if len(row) > WIDTH]
    assert not too_wide, "\n".join(too_wide)
    assert "…" not in out and "..." not in out, out


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_listing_gives_a_list_of_dicts_as_json(listed: Listed, name: str) -> None:
    line, actor = LISTINGS[name]
    rows = json.loads(_run(listed, line, actor, "--json"))
    if name == "catalogue":  # the catalogue's JSON predates this list; it holds its datasets
        rows = rows["datasets"] if isinstance(rows, dict) else rows
    assert isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows), name
    keys = {tuple(r) for r in rows}
    assert len(keys) == 1 or name in {"audit show", "workspace alerts"}, keys


def test_ids_and_digests_stay_whole_when_rows_become_records(listed: Listed,
                                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cli.console, "width", 70)
    released = json.loads(_run(listed, "output released", CHECKERS[2], "--json"))
    out = _run(listed, "output released", CHECKERS[2])
    assert all(len(row) <= 70 for row in out.splitlines())
    for item in released:
        for f in item["files"]:
            assert f["sha256"] in out and f["file"] in out
