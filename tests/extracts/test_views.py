"""An extract's manifest as people read it (``fivesafes extract manifest`` and the demo walk)."""

from __future__ import annotations

from fivesafes.extracts.views import manifest_lines


def _manifest() -> dict:
    column = {"name": "person_id", "pseudonym": True}
    return {
        "application": "A-0007", "project": "P-0003", "build": 2,
        "built_at": "2026-03-01T09:30:12.345678+00:00", "built_by": "l.officer",
        "coverage": {"from": "2015-01-01", "to": "2023-12-31"},
        "persons": 12345,
        "datasets": [
            {"name": "magistrates", "research_ready": {"version": "v3"}, "rows": 1234567,
             "persons": 12000, "excluded_because": None,
             "columns": [column, {"name": "sex", "pseudonym": False}]},
            {"name": "prison", "research_ready": {"version": "v1"}, "rows": 0, "persons": 0,
             "excluded_because": "no approved source system holds it",
             "columns": [column]},
        ],
    }


def test_a_manifest_in_a_few_lines() -> None:
    assert manifest_lines({**_manifest(), "manifest_sha256": "ab" * 32}) == [
        "extract of A-0007 for P-0003, build 2, built 2026-03-01T09:30:12 by l.officer",
        "  coverage: 2015-01-01 to 2023-12-31",
        "  magistrates (research-ready v3): 1,234,567 rows, 12,000 persons; columns "
        "person_id (pseudonym), sex",
        "  prison (research-ready v1): 0 rows, 0 persons; columns person_id (pseudonym)",
        "    no rows: no approved source system holds it",
        "  persons in the extract: 12,345",
        f"  manifest sha256 {'ab' * 32}",
    ]


def test_a_manifest_read_before_it_is_recorded_has_no_digest_line() -> None:
    lines = manifest_lines(_manifest())
    assert lines[-1] == "  persons in the extract: 12,345"
    assert not any("sha256" in line for line in lines)
