"""The commands: publish, catalogue, lookups, identifiers, retention (through click)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fivesafes.catalogue.cli import register_commands
from fivesafes.home import Deployment
from fivesafes.retention.commands import register_commands as register_retention
from tests.conftest import without_demo_notice

from .conftest import OFFICER, HandMade, ingest_contracts, row
from .linking import link

GROUPS = {("mags", str(i)): "A" if i < 3 else str(i) for i in range(1, 9)}


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def main() -> None:
        """test group"""

    register_commands(main)
    register_retention(main)
    return main


def invoke(cli: click.Group, home: Deployment, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--home", str(home.root)], catch_exceptions=False)
    return result.exit_code, without_demo_notice(result.output)


def test_the_commands_walk_from_link_run_to_catalogue(cli, home: Deployment,
                                                       hand_made: HandMade, tmp_path: Path):
    ingest = ingest_contracts(home, [hand_made.write([
        row(1, "ann", "MC100", offence="TH04008"), row(2, "ann", "MC101", offence="XX0"),
        row(3, "bob", "MC200", offence="VP01001", age="17")])])
    link(home, [ingest], GROUPS)
    lookup = tmp_path / "offences.csv"
    lookup.write_text("offence_code,offence,offence_group,offence_category\n"
                      "TH04008,theft,theft offences,acquisitive\n"
                      "VP01001,common assault,violence against the person,violent\n",
                      encoding="utf-8")
    code, out = invoke(cli, home, "lookups", "add", "offences", str(lookup), "--key",
                       "offence_code", "--levels", "offence_group,offence_category",
                       "--as", OFFICER)
    assert code == 0 and "2 rows" in out, out
    code, out = invoke(cli, home, "lookups", "list")
    assert code == 0 and "offences" in out

    code, out = invoke(cli, home, "publish", "--as", "auditor")
    assert code == 4 and "may not publish" in out
    code, out = invoke(cli, home, "publish", "--as", OFFICER, "--json", "--keep-identifiers")
    assert code == 0, out
    summary = json.loads(out)
    assert summary["identifiers"] == {"destroyed": [], "kept": [ingest]}
    assert summary["release"] == "release-0001" and summary["gate"]["passed"]
    assert summary["person_ids"]["new"] == 2

    code, out = invoke(cli, home, "catalogue", "--json")
    catalogue = {d["name"]: d for d in json.loads(out)["datasets"]}
    mags = catalogue["mags"]["versions"][0]
    assert mags["current"] and mags["rows"] == 3 and mags["persons"] == 2
    fields = {f["name"]: f for f in mags["fields"]}
    assert fields["offence_code"]["coarser"] == ["offence_group", "offence_category"]
    assert fields["age"]["coarser"] == ["age_band"]
    code, out = invoke(cli, home, "catalogue", "--dictionary", str(tmp_path / "dd"))
    assert code == 0 and "mags" in out and "data dictionary" in out
    assert (tmp_path / "dd" / "data-dictionary.html").is_file()

    code, out = invoke(cli, home, "identifiers", "status", "--json", "--as", "auditor")
    [status] = json.loads(out)
    assert status["status"] == "held" and status["linked_in"] == ["link-0001"]
    code, out = invoke(cli, home, "identifiers", "destroy", ingest, "--reason",
                       "quality review done", "--as", OFFICER)
    assert code == 0 and f"identifiers of {ingest} destroyed" in out and "sha256" in out
    code, out = invoke(cli, home, "identifiers", "destroy", ingest, "--reason", "again",
                       "--as", OFFICER)
    assert code == 1 and "already destroyed" in out
    code, out = invoke(cli, home, "retention", "enforce")
    assert code == 0 and "0 identifier store(s) destroyed, 0 extract(s) destroyed, 0 version(s) removed" in out


def test_publish_destroys_the_identifiers_it_accepted(cli, home, hand_made):
    ingest = ingest_contracts(home, [hand_made.write([row(1, "ann", "MC100"),
                                                      row(2, "bob", "MC200")])])
    link(home, [ingest], {("mags", "1"): "A", ("mags", "2"): "B"})
    code, out = invoke(cli, home, "publish", "--as", OFFICER)
    assert code == 0, out
    assert f"identifiers of {ingest} destroyed" in out and "data key" in out
    code, out = invoke(cli, home, "identifiers", "status", "--json", "--as", "auditor")
    assert json.loads(out)[0]["status"] == "destroyed"


def test_a_gate_refusal_is_one_line_and_exits_5(cli, home, hand_made):
    ingest = ingest_contracts(home, [hand_made.write([
        row(1, "ann", "MC100", note="Annabel Holloway called")])])
    link(home, [ingest], GROUPS)
    code, out = invoke(cli, home, "publish", "--as", OFFICER)
    assert code == 5
    assert out.startswith("error: release gate:") and "mags.note" in out
    assert "HOLLOWAY" not in out.upper()
