"""References to research-ready datasets and their fields, as the later stages see them.

A :class:`Catalogue` answers for a dataset version: its data owner (which decides an
application's route), and each field's sensitivity class and granularity levels (which decide
how strong a justification must be, and what the risk assessment counts as a quasi-identifier).
The home's research-ready catalogue is :class:`fivesafes.catalogue.listing.StoreCatalogue`;
:class:`StaticCatalogue` holds one in memory, and the example catalogue
(``example_catalogue.toml``, clearly fake data) shows the shape.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from fivesafes.errors import InvalidForm, Problem, raise_problems
from fivesafes.sources.contract import Sensitivity

EXAMPLE_CATALOGUE = "example_catalogue.toml"


@dataclass(frozen=True)
class FieldRef:
    """A field of a dataset; ``levels`` run from the most detailed to the coarsest."""

    name: str
    sensitivity: Sensitivity
    levels: tuple[str, ...]

    def coarser_than(self, level: str) -> tuple[str, ...]:
        return self.levels[self.levels.index(level) + 1:]

    def is_most_detailed(self, level: str) -> bool:
        """True for the finest level of a field that also offers coarser ones."""
        return len(self.levels) > 1 and level == self.levels[0]


#: Columns that, when a dataset has them, say row by row which jurisdiction and which source
#: system a record is from: a request's coverage then filters rows by them (extracts and risk).
ROW_JURISDICTION = "jurisdiction"
ROW_SYSTEM = "source_system"


def excluded_by_coverage(ref: DatasetRef, jurisdictions: Collection[str],
                         sources: Collection[str]) -> str | None:
    """Why no row of ``ref`` is in a coverage of ``jurisdictions`` and ``sources`` (the
    dataset's declared ones are all outside it), or None."""
    if ref.jurisdictions and not set(jurisdictions) & set(ref.jurisdictions):
        return (f"none of its jurisdictions ({', '.join(ref.jurisdictions)}) is in the "
                "approved coverage")
    if ref.sources and not set(sources) & set(ref.sources):
        return (f"none of its source systems ({', '.join(ref.sources)}) is in the approved "
                "coverage")
    return None


@dataclass(frozen=True)
class DatasetRef:
    """One version of a research-ready dataset, as governance sees it."""

    name: str
    version: str
    owner: str
    fields: Mapping[str, FieldRef]
    title: str = ""
    jurisdictions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


class Catalogue(Protocol):
    """The part of the catalogue governance uses."""

    def dataset(self, name: str, version: str) -> DatasetRef | None:
        """That version of that dataset, or None if there is no such dataset or version."""
        ...

    def versions(self, name: str) -> tuple[str, ...]:
        """The versions of a dataset, oldest first (empty if there is no such dataset)."""
        ...

    def names(self) -> tuple[str, ...]:
        """Every dataset one may apply for, in the catalogue's order."""
        ...


@dataclass(frozen=True)
class StaticCatalogue:
    """A catalogue held in memory: ``{name: {version: DatasetRef}}``."""

    datasets: Mapping[str, Mapping[str, DatasetRef]] = field(default_factory=dict)

    def dataset(self, name: str, version: str) -> DatasetRef | None:
        return self.datasets.get(name, {}).get(version)

    def versions(self, name: str) -> tuple[str, ...]:
        return tuple(self.datasets.get(name, {}))

    def names(self) -> tuple[str, ...]:
        return tuple(self.datasets)

    @classmethod
    def of(cls, *refs: DatasetRef) -> StaticCatalogue:
        grouped: dict[str, dict[str, DatasetRef]] = {}
        for ref in refs:
            grouped.setdefault(ref.name, {})[ref.version] = ref
        return cls(MappingProxyType({k: MappingProxyType(v) for k, v in grouped.items()}))


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    return None


def parse_catalogue(raw: Mapping[str, Any], *, source: str) -> StaticCatalogue:
    """A catalogue from the TOML shape of ``example_catalogue.toml``; every problem at once."""
    problems: list[Problem] = []
    refs: list[DatasetRef] = []
    datasets = raw.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        raise InvalidForm(f"catalogue {source}", [Problem("datasets", "no [datasets.<name>]")])
    for name, table in datasets.items():
        path = f"datasets.{name}"
        owner, versions = table.get("owner"), _strings(table.get("versions"))
        if not isinstance(owner, str) or not owner:
            problems.append(Problem(f"{path}.owner", "must name the data owner"))
        if versions is None:
            problems.append(Problem(f"{path}.versions", "must be a non-empty list of strings"))
        fields: dict[str, FieldRef] = {}
        for fname, spec in (table.get("fields") or {}).items():
            levels = _strings(spec.get("levels"))
            try:
                sensitivity = Sensitivity(spec.get("sensitivity"))
            except ValueError:
                problems.append(Problem(f"{path}.fields.{fname}.sensitivity",
                                        f"must be one of {', '.join(Sensitivity)}"))
                continue
            if levels is None:
                problems.append(Problem(f"{path}.fields.{fname}.levels",
                                        "must list the levels, most detailed first"))
                continue
            fields[fname] = FieldRef(fname, sensitivity, levels)
        if not fields:
            problems.append(Problem(f"{path}.fields", "a dataset needs at least one field"))
        for version in versions or ():
            refs.append(DatasetRef(
                name=name, version=version, owner=str(owner), fields=MappingProxyType(fields),
                title=str(table.get("title", "")),
                jurisdictions=_strings(table.get("jurisdictions")) or (),
                sources=_strings(table.get("sources")) or (),
            ))
    raise_problems(f"catalogue {source}", problems)
    return StaticCatalogue.of(*refs)


def load_catalogue(path: Path) -> StaticCatalogue:
    return parse_catalogue(tomllib.loads(path.read_text(encoding="utf-8")), source=str(path))


@functools.cache
def example_catalogue() -> StaticCatalogue:
    """The example datasets (fake): magistrates, crown_court, family_court (HMCTS), prison,
    probation (HMPPS), reoffending (MoJ) and dwp_benefits (DWP). Read once."""
    text = resources.files("fivesafes.catalogue").joinpath(EXAMPLE_CATALOGUE).read_text("utf-8")
    return parse_catalogue(tomllib.loads(text), source="example catalogue (fake data)")
