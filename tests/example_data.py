"""Published data for the example catalogue (fake, for tests): one Parquet file per dataset
version, with ``person_id``, every granularity level of every field (coarser levels derived from
finer ones, as a real publish does) and an ``event_date`` the coverage is dated by.

Values are opaque labels (``court-7``); what matters to a risk assessment is how many distinct
values each level has and that coarser levels merge finer ones.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.catalogue.refs import StaticCatalogue, example_catalogue
from fivesafes.risk.data import PublishedTable, StaticData

EVENT_DATE = "event_date"
FINEST = {1: 2, 2: 40, 3: 120}  # distinct values of the finest level, by number of levels
MERGE = 4  # each coarser level merges this many values of the level below


def _rows(dataset: str, version: str, cat: StaticCatalogue, persons: int, seed: int
          ) -> pa.Table:
    ref = cat.dataset(dataset, version)
    assert ref is not None
    rng = random.Random(f"{seed}:{dataset}:{version}")
    people = [f"P{n:06d}" for n in range(persons)]
    chosen = [p for p in people if rng.random() < 0.8]
    person_ids, columns = [], {level: [] for f in ref.fields.values() for level in f.levels
                               if level != "person_id"}
    events = []
    for number, person in enumerate(chosen):
        for record in range(rng.choice((1, 1, 1, 2, 3))):
            person_ids.append(person)
            events.append(date(2015, 1, 1) + timedelta(days=rng.randrange(9 * 365)))
            for f in ref.fields.values():
                if f.levels == ("person_id",):
                    continue
                if f.levels == ("case_id",):
                    columns["case_id"].append(f"C{number:06d}-{record}")
                    continue
                index = rng.randrange(FINEST.get(len(f.levels), 120))
                for height, level in enumerate(f.levels):
                    columns[level].append(f"{level}-{index // MERGE ** height}")
    return pa.table({"person_id": person_ids, EVENT_DATE: events, **columns})


def example_data(folder: Path, *, persons: int = 1500, seed: int = 7) -> StaticData:
    """Write the example catalogue's data under ``folder``; the source to assess it with."""
    cat = example_catalogue()
    tables = {}
    for name in cat.datasets:
        for version in cat.versions(name):
            path = folder / f"{name}-{version}.parquet"
            if not path.exists():
                folder.mkdir(parents=True, exist_ok=True)
                pq.write_table(_rows(name, version, cat, persons, seed), path)
            tables[(name, version)] = PublishedTable(path, EVENT_DATE)
    return StaticData(tables)
