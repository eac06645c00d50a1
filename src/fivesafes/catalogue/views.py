"""The catalogue as people read it on the command line and in the demo walk.

The services (:mod:`fivesafes.catalogue.publish`, :mod:`fivesafes.catalogue.listing`) return
results; this module says them in lines and tables. The commands (``catalogue.commands``) and
the demo both print from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from fivesafes.listings import Column, listing_table

if TYPE_CHECKING:
    from fivesafes.catalogue.publish import PublishResult


def publish_lines(result: PublishResult) -> list[str]:
    """A publish in a few lines: the release, each dataset, the gate, and what was destroyed."""
    lines = [f"{result.release}: published {result.link} in {result.seconds:.1f} s",
             result.persons.summary_line()]
    for d in result.datasets:
        coverage = f", {d.date_from} to {d.date_to}" if d.date_from else ""
        lines.append(f"  {d.name:<14} v{d.version:<3} {d.rows:>10,} rows {d.persons:>9,} "
                     f"people{coverage}  ({d.folder})")
    gate = result.gate
    lines.append(f"release gate passed: {gate.values_scanned:,} distinct values in "
                 f"{gate.columns_scanned} columns checked against the identifiers of "
                 f"{gate.token_files} ingest(s)")
    if result.unchecked_ingests:
        lines.append(f"  not checked (identifiers destroyed without digests): "
                     f"{', '.join(result.unchecked_ingests)}")
    for cert in result.destroyed:
        lines += cert.summary_lines()
    if result.kept:
        lines.append(f"identifiers kept for a quality review: {', '.join(result.kept)} "
                     "(destroy them with 'fivesafes identifiers destroy' when it is done; the "
                     "retention schedule destroys them otherwise)")
    return lines


CATALOGUE_TITLE = "research-ready catalogue"
CATALOGUE_COLUMNS = (Column("dataset", whole=True), Column("version", whole=True),
                     Column("status", whole=True), Column("owner"),
                     Column("coverage"), Column("rows"), Column("people"), Column("fields"))


def catalogue_rows(entries, all_versions: bool = False) -> list[dict[str, str]]:
    """One row per dataset version shown (the current ones, or all)."""
    return [{"dataset": e.name, "version": v.label, "status": v.status, "owner": e.owner,
             "coverage": f"{v.date_from} to {v.date_to}" if v.date_from else "",
             "rows": f"{v.rows:,}", "people": f"{v.persons:,}", "fields": str(len(v.fields))}
            for e in entries for v in e.versions if v.status == "current" or all_versions]


def catalogue_table(entries, all_versions: bool = False) -> Table:
    return listing_table(catalogue_rows(entries, all_versions), CATALOGUE_COLUMNS,
                         CATALOGUE_TITLE)
