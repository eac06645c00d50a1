"""The governance demo walk on a home whose catalogue was published from synthetic extracts:
applies for real research-ready fields, routes, approves, accredits, provisions, publishes the
register; never shows a password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fivesafes import accounts, audit
from fivesafes.demo import governance as demo
from fivesafes.demo.publish import run_demo as publish_demo
from fivesafes.errors import FivesafesError
from fivesafes.governance import register
from fivesafes.linkage.runs import link_home
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest
from fivesafes.synth import generate
from tests.governance.conftest import PASSWORD


def _published(home, tmp_path: Path) -> None:
    """The walk before governance, as `make demo` runs it: synth, ingest, link, publish."""
    accounts.create_first_administrator(home, by="os:tester", username=demo.ADMIN,
                                        full_name="Demo Administrator",
                                        email="admin@example.org", password=PASSWORD)
    accounts.create_account(home, by=demo.ADMIN, username=demo.LINKAGE,
                            full_name="Lee Officer", email="lee@example.org",
                            password=PASSWORD, roles=(("linkage_officer", ""),))
    synth = generate(people=120, out=tmp_path / "data", seed=11)
    label = ingest(home, load_all(sorted(synth.paths.contracts.values())),
                   by=demo.LINKAGE).label
    link = link_home(home, by=demo.LINKAGE).label
    publish_demo(home, link, by=demo.LINKAGE)
    assert label


def test_the_demo_walks_an_application_to_the_public_register(home, tmp_path, monkeypatch):
    _published(home, tmp_path)
    made: list[str] = []
    original = demo._password

    def recording() -> str:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(demo, "_password", recording)
    lines = demo.run_demo(home)
    text = "\n".join(lines)
    assert ("application A-0001 asks for magistrates v1: offence_code as offence_group, "
            "age_at_hearing as age_at_hearing, outcome as outcome; prison v1: "
            "ETHNICITY as ETHNICITY") in text
    # the draft is assessed; its exact age does not meet k, and the first suggestion is taken
    draft = lines.index("risk assessment of the draft:")
    assert lines[draft + 1].startswith("  k-anonymity (persons): ")
    assert "NOT met" in lines[draft + 1]
    [taken] = [line for line in lines if line.startswith("suggestion taken: ")]
    assert "magistrates.age_at_hearing" in taken
    after = lines.index("risk assessment after the change:")
    assert "(threshold 10: met)" in lines[after + 1]
    assert any(line.startswith("submitted; the panels will see: k-anonymity (persons): ")
               for line in lines)
    assert "routed to HMCTS Data Access Panel -> Data Access Group -> Data Access Governance " \
           "Board -> National Research Committee -> Research Accreditation Panel" in text
    assert "National Research Committee: approved by panel.nrc" in text
    assert "A-0001 provisioned for r.khan, j.osei, with its extract (build 1: " in text
    assert any(line.startswith("extract of A-0001 for P-0001, build 1, built ") for line in lines)
    assert any(line.startswith("  magistrates (research-ready v1): ") and
               "person_id (pseudonym)" in line for line in lines)
    assert lines[-2].startswith("public register: P-0001 'Pathways from magistrates' courts "
                                "into prison'")
    (entry,) = register.public_register(home).entries
    assert entry.datasets == ("magistrates (v1)", "prison (v1)")
    with home.store.reading() as session:
        assert audit.verify(session).intact
        logged = json.dumps(audit.as_dicts(audit.query(session)))
    assert len(made) == 7 and len(set(made)) == 7  # 2 researchers, 5 panel members
    assert not any(p in text or p in logged for p in made)


def test_the_demo_says_to_publish_first_on_an_empty_catalogue(home):
    with pytest.raises(FivesafesError, match="publish the synthetic extracts first"):
        demo.run_demo(home)
