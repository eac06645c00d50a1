"""The publishing part of ``make demo``."""

from __future__ import annotations

from fivesafes import accounts
from fivesafes.demo.publish import OFFICER, run_demo
from fivesafes.synth import SynthSummary
from tests.catalogue.conftest import ingest_contracts
from tests.catalogue.linking import link_from_truth
from tests.conftest import TEST_PASSWORD


def test_demo_publishes_shows_the_catalogue_and_proves_identifiers_gone(
        home, synth: SynthSummary, staff):
    accounts.create_account(home, by=staff.admin, username=OFFICER, full_name="Lee Officer",
                            email="lee@example.org", password=TEST_PASSWORD,
                            roles=(("linkage_officer", ""),))
    label = ingest_contracts(home, sorted(synth.paths.contracts.values()))
    link = link_from_truth(home, [label], synth.paths.truth)
    text = "\n".join(run_demo(home, link))
    assert "reference lookup 'offences'" in text
    assert "release-0001: published link-0001" in text
    assert "release gate passed" in text and "research-ready catalogue" in text
    assert "magistrates" in text and "person_index" in text
    assert (home.research / "data-dictionary" / "data-dictionary.html").is_file()
    assert f"linkage/identifiers/{label}: gone; data key {label}: shredded" in text
    assert "reading them now fails: the identifiers of" in text
    assert "still there" not in text and "still possible" not in text
