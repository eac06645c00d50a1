"""The publishing part of ``make demo``: publish a link run, show the catalogue, write the data
dictionary, and prove that the identifiers are gone."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from fivesafes.catalogue.dictionary import write_dictionary
from fivesafes.catalogue.listing import read_catalogue
from fivesafes.catalogue.lookups import all_lookups, register_lookup
from fivesafes.catalogue.publish import publish
from fivesafes.catalogue.views import catalogue_table, publish_lines
from fivesafes.errors import FivesafesError
from fivesafes.home import Deployment
from fivesafes.linkage.runs import REPORT, REPORT_WITHOUT_IDENTIFIERS
from fivesafes.sources.identifier_store import read_identifiers
from fivesafes.store.models import IngestRun, LinkRun

OFFICER = "l.officer"


def _offences_csv(runs: list[IngestRun]) -> Path | None:
    """``reference/offences.csv`` next to the synthetic extracts, if there is one."""
    for run in runs:
        for src in run.sources:
            candidate = Path(src.file_name).parent.parent / "reference" / "offences.csv"
            if candidate.is_file():
                return candidate
    return None


def _table_lines(table) -> list[str]:
    buffer = io.StringIO()
    Console(width=132, file=buffer, color_system=None).print(table)
    return buffer.getvalue().rstrip("\n").split("\n")


def run_demo(deployment: Deployment, link_label: str, *, by: str = OFFICER,
             offences_csv: Path | None = None) -> list[str]:
    """Publish ``link_label`` as ``by`` (a linkage officer); the lines say what happened."""
    d, lines = deployment, []
    with d.store.reading() as session:
        link = session.execute(select(LinkRun).where(LinkRun.label == link_label)).scalar_one()
        labels = json.loads(link.ingests)
        runs = session.execute(select(IngestRun).where(IngestRun.label.in_(labels))
                               .order_by(IngestRun.id)).scalars().all()
        for run in runs:
            run.sources  # noqa: B018 - loaded before the session ends
    offences_csv = offences_csv or _offences_csv(runs)
    if offences_csv is not None and not any(lk.name == "offences" for lk in all_lookups(d)):
        lookup = register_lookup(d, "offences", offences_csv, key="offence_code",
                                 levels=["offence_group", "offence_category"],
                                 applies_to=["prison.MAIN_OFFENCE"], by=by)
        lines.append(f"reference lookup 'offences': {len(lookup.rows)} offence codes -> "
                     f"{' -> '.join(lookup.levels)}")
    result = publish(d, by=by, link_label=link_label)
    lines += publish_lines(result)
    entries = read_catalogue(d)
    lines += _table_lines(catalogue_table(entries))
    html_path, csv_path = write_dictionary(entries, d.data_dictionary)
    lines.append(f"data dictionary for researchers: {d.relative(html_path)} and "
                 f"{d.relative(csv_path)}")
    lines.append("publishing accepted the link run, so its identifiers are gone:")
    for run in runs:
        store = d.identifiers / run.label
        key = d.keys.folder / f"{run.data_key}.wrapped"
        lines.append(f"  {d.relative(store)}: {'still there!' if store.exists() else 'gone'}; "
                     f"data key {run.data_key}: {'still there!' if key.exists() else 'shredded'}")
        try:
            read_identifiers(d, run.label, run.sources[0].source)
            lines.append("  reading them: still possible!")
        except FivesafesError as exc:
            lines.append(f"  reading them now fails: {exc}")
    report = d.links / link_label / REPORT
    if report.exists():
        shown = report.read_bytes() != (report.parent / REPORT_WITHOUT_IDENTIFIERS).read_bytes()
        lines.append(f"  {d.relative(report)}: "
                     + ("still shows identifiers!" if shown else "replaced by its version by "
                        "record key, without identifiers"))
    return lines
