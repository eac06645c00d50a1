"""Small published datasets for the risk tests: rows written as Parquet, with a catalogue entry
whose fields carry a sensitivity class and their levels (each level a column of the rows)."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pyarrow as pa
import pyarrow.parquet as pq

from fivesafes.catalogue.refs import DatasetRef, FieldRef, StaticCatalogue
from fivesafes.risk.data import PublishedTable, StaticData
from fivesafes.sources.contract import Sensitivity

QI, SPECIAL, OFFENCE, OTHER = (Sensitivity.QUASI_IDENTIFIER, Sensitivity.SPECIAL_CATEGORY,
                               Sensitivity.CRIMINAL_OFFENCE, Sensitivity.OTHER)


class Published:
    """Datasets written under ``folder``: ``add`` one, then ``catalogue`` and ``data``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.refs: list[DatasetRef] = []
        self.tables: dict[tuple[str, str], PublishedTable] = {}

    def add(self, name: str, rows: list[dict], fields: dict[str, tuple[Sensitivity, tuple]],
            *, version: str = "v1", date_field: str | None = None,
            jurisdictions: tuple[str, ...] = (), sources: tuple[str, ...] = ()) -> Published:
        columns = list(rows[0]) if rows else []
        table = pa.Table.from_pylist(rows) if rows else pa.table(
            {c: pa.array([], pa.string()) for c in columns})
        path = self.folder / f"{name}-{version}.parquet"
        pq.write_table(table, path)
        refs = {"person_id": FieldRef("person_id", OTHER, ("person_id",))}
        refs.update({f: FieldRef(f, sens, tuple(levels)) for f, (sens, levels) in fields.items()})
        self.refs.append(DatasetRef(name, version, "Owner", MappingProxyType(refs),
                                    jurisdictions=jurisdictions, sources=sources))
        self.tables[(name, version)] = PublishedTable(path, date_field)
        return self

    @property
    def catalogue(self) -> StaticCatalogue:
        return StaticCatalogue.of(*self.refs)

    @property
    def data(self) -> StaticData:
        return StaticData(dict(self.tables))
