"""Publishing accepts a link run and destroys its identifiers and everything derived from them:
after acceptance no file of the home holds a source's names or dates of birth."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fivesafes import audit
from fivesafes.catalogue.destruction import destroy_identifiers
from fivesafes.catalogue.publish import publish
from fivesafes.errors import FivesafesError
from fivesafes.home import Deployment
from fivesafes.linkage.runs import REPORT, REPORT_WITHOUT_IDENTIFIERS, link_home
from fivesafes.retention import identifier_status
from fivesafes.sources.identifier_store import read_identifiers
from fivesafes.synth import SynthSummary

from .conftest import OFFICER, ingest_synth
from .test_publish import identifier_values


def _texts(path: Path) -> list[str]:
    """What a file says, as text to search: every text cell of a Parquet file (a number column,
    such as a count, can equal a numeric record id by chance), else its bytes."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return [str(v).upper() for column in table.columns
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                for v in column.to_pylist() if v is not None]
    return [path.read_bytes().decode("latin-1").upper()]


def identifiers_in_home(home: Deployment, synth: SynthSummary) -> dict[str, list[str]]:
    """Each file of the home that holds a name or date of birth of the sources, with some of
    what it holds."""
    whole, inside = identifier_values(synth)
    wanted = [v for v in inside if len(v) >= 8]
    found: dict[str, list[str]] = {}
    for path in sorted(home.root.rglob("*")):
        if not path.is_file():
            continue
        texts = _texts(path)
        cells = set(texts) if path.suffix == ".parquet" else set()
        hits = sorted({v for v in wanted if any(v in t for t in texts)} | (cells & whole))
        if hits:
            found[str(path.relative_to(home.root))] = hits[:3]
    return found


@pytest.fixture
def linked(home: Deployment, synth: SynthSummary) -> str:
    ingest_synth(home, synth)
    return link_home(home, by=OFFICER).label


def test_a_live_link_run_shows_identifiers_for_its_quality_review(
        home: Deployment, synth: SynthSummary, linked: str) -> None:
    found = identifiers_in_home(home, synth)
    assert f"linkage/links/{linked}/{REPORT}" in found
    assert f"linkage/links/{linked}/{REPORT_WITHOUT_IDENTIFIERS}" not in found


def test_after_acceptance_no_file_of_the_home_holds_an_identifier(
        home: Deployment, synth: SynthSummary, linked: str) -> None:
    result = publish(home, by=OFFICER)
    assert [c.ingest for c in result.destroyed] == ["ingest-0001"] and result.kept == ()
    assert identifiers_in_home(home, synth) == {}
    report = home.linkage / "links" / linked / REPORT
    assert report.read_bytes() == (report.parent / REPORT_WITHOUT_IDENTIFIERS).read_bytes()
    assert "example records" in report.read_text("utf-8")
    with pytest.raises(FivesafesError, match="destroyed"):
        read_identifiers(home, "ingest-0001", "magistrates")


def test_the_certificate_lists_every_file_that_went(home: Deployment, linked: str) -> None:
    before = (home.linkage / "links" / linked / REPORT).read_bytes()
    [cert] = publish(home, by=OFFICER).destroyed
    with home.store.reading() as session:
        [entry] = audit.query(session, audit.EntryFilter(action="identifiers.destroyed"))
    details = json.loads(entry.details)
    assert entry.seq == cert.audit_seq and details == cert.details
    assert details["reason"].startswith(f"link run {linked} accepted: published as release-")
    assert any(f["path"].startswith("linkage/identifiers/ingest-0001/") for f in details["files"])
    [derived] = details["derived_files"]
    assert derived["path"] == f"linkage/links/{linked}/{REPORT}"
    assert derived["bytes"] == len(before) and "replaced by its version" in derived["what"]
    lines = cert.summary_lines()
    assert any(derived["sha256"] in line for line in lines)


def test_identifiers_kept_for_a_quality_review_are_destroyed_later_with_the_reports(
        home: Deployment, synth: SynthSummary, linked: str) -> None:
    result = publish(home, by=OFFICER, keep_identifiers=True)
    assert result.destroyed == () and result.kept == ("ingest-0001",)
    [status] = identifier_status(home, by=OFFICER)
    assert status.status == "held" and status.destroy_after is not None
    assert f"linkage/links/{linked}/{REPORT}" in identifiers_in_home(home, synth)
    destroy_identifiers(home, "ingest-0001", by=OFFICER, reason="quality review done")
    assert identifiers_in_home(home, synth) == {}


def test_a_failed_destruction_puts_everything_back(
        home: Deployment, linked: str, monkeypatch: pytest.MonkeyPatch) -> None:
    publish(home, by=OFFICER, keep_identifiers=True)
    report = home.linkage / "links" / linked / REPORT
    before = report.read_bytes()

    def fail(name: str) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(home.keys, "shred", fail)
    with pytest.raises(OSError, match="disk went away"):
        destroy_identifiers(home, "ingest-0001", by=OFFICER, reason="quality review done")
    assert report.read_bytes() == before
    assert (home.linkage / "identifiers" / "ingest-0001").is_dir()
    [status] = identifier_status(home, by=OFFICER)
    assert status.status == "held"


def test_a_report_written_before_there_was_a_version_without_identifiers_goes(
        home: Deployment, synth: SynthSummary, linked: str) -> None:
    (home.linkage / "links" / linked / REPORT_WITHOUT_IDENTIFIERS).unlink()
    [cert] = publish(home, by=OFFICER).destroyed
    assert not (home.linkage / "links" / linked / REPORT).exists()
    assert "removed" in cert.details["derived_files"][0]["what"]
    assert identifiers_in_home(home, synth) == {}
