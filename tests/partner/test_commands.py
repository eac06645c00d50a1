"""The partner commands end to end: keygen and prepare on the partner's side, add, kit, list,
receive and retire in the home; each prints what it did, and an error says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fivesafes.cli import main
from fivesafes.home import Deployment
from fivesafes.sources.contract import SourceContract
from tests.conftest import Staff, without_demo_notice
from tests.partner.conftest import PARTNER


def _run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) is ok, result.output
    return without_demo_notice(result.output)


@pytest.fixture
def contract_file(partner_extract: SourceContract, tmp_path: Path) -> Path:
    """The partner's contract as a TOML file naming its extract (renamed to education)."""
    source = partner_extract.contract_path
    assert source is not None
    text = source.read_text().replace('name = "probation"', f'name = "{PARTNER}"')
    text = text.replace('"../extracts/', f'"{source.parent.parent}/extracts/')
    path = tmp_path / "education.toml"
    path.write_text(text)
    return path


def test_the_partner_walk_on_the_command_line(home: Deployment, staff: Staff, tmp_path: Path,
                                              contract_file: Path) -> None:
    ours = tmp_path / "dfe"
    said = _run("partner", "keygen", "--partner", PARTNER, "--out", str(ours))
    assert "never send it" in said and "give it to the home" in said
    h = ("--home", str(home.root))
    said = _run("partner", "add", PARTNER, "--organisation", "DfE", "--public",
                str(ours / f"{PARTNER}.public.json"), "--kit-out", str(tmp_path / "kit"), *h,
                "--as", staff.admin)
    assert f"partner {PARTNER} (DfE) registered; key check" in said
    kit = tmp_path / "kit" / f"{PARTNER}.kit.json"
    said = _run("partner", "prepare", "--contract", str(contract_file), "--key",
                str(ours / f"{PARTNER}.keys.json"), "--kit", str(kit), "--out",
                str(tmp_path / "send"))
    assert "records in batch" in said and "identifier package" in said
    packages = sorted(str(p) for p in (tmp_path / "send").iterdir() if p.is_dir())
    assert len(packages) == 2
    said = _run("partner", "receive", *packages, "--partner", PARTNER, *h, "--as",
                staff.officer)
    assert f"records of {PARTNER} received from {PARTNER}" in said
    listed = json.loads(_run("partner", "list", "--json", *h, "--as", staff.auditor))
    assert [(p["name"], p["packages"], p["status"]) for p in listed] == [(PARTNER, 2, "active")]
    assert "education" in _run("partner", "list", *h, "--as", staff.officer)
    said = _run("partner", "receive", *packages, "--partner", PARTNER, *h, "--as",
                staff.officer, ok=False)
    assert "already received" in said
    _run("partner", "kit", PARTNER, "--out", str(tmp_path / "kit2"), *h, "--as", staff.admin)
    assert json.loads((tmp_path / "kit2" / f"{PARTNER}.kit.json").read_text()) == json.loads(
        kit.read_text())
    said = _run("partner", "retire", PARTNER, "--reason", "agreement ended", *h, "--as",
                staff.admin)
    assert "shredded" in said


def test_prepare_with_a_missing_kit_says_which_file(tmp_path: Path, contract_file: Path) -> None:
    _run("partner", "keygen", "--partner", PARTNER, "--out", str(tmp_path))
    said = _run("partner", "prepare", "--contract", str(contract_file), "--key",
                str(tmp_path / f"{PARTNER}.keys.json"), "--kit", str(tmp_path / "none.json"),
                "--out", str(tmp_path / "send"), ok=False)
    assert "none.json: no such partner kit" in said
    said = _run("partner", "keygen", "--partner", PARTNER, "--out", str(tmp_path), ok=False)
    assert "already exists; keys are never overwritten" in said
