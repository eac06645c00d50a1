"""What is assessed: the requested datasets, their fields at a granularity level, and the
coverage (a date range on each dataset's coverage date), checked against the catalogue.

:class:`Request` is the risk room's own, plain description of a request, so that it does not
depend on the governance form it usually comes from (:meth:`Request.from_form` reads the cleaned
values of that form). :func:`resolve` checks it against a :class:`~fivesafes.catalogue.refs.
Catalogue` and sorts the fields into **keys** (the quasi-identifiers: fields whose sensitivity
class is one of the key classes) and **sensitive** fields (whose l-diversity is measured). Every
problem is reported at once, each with its path, as :class:`~fivesafes.errors.InvalidForm`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fivesafes.catalogue.refs import (
    ROW_JURISDICTION,
    ROW_SYSTEM,
    Catalogue,
    FieldRef,
    excluded_by_coverage,
)
from fivesafes.errors import InvalidForm, Problem, raise_problems
from fivesafes.sources.contract import Sensitivity

KEY_CLASSES: frozenset[Sensitivity] = frozenset({Sensitivity.QUASI_IDENTIFIER})
SENSITIVE_CLASSES: frozenset[Sensitivity] = frozenset(
    {Sensitivity.SPECIAL_CATEGORY, Sensitivity.CRIMINAL_OFFENCE})


@dataclass(frozen=True)
class FieldChoice:
    """A field of a dataset at one of its granularity levels (a level is a column name)."""

    name: str
    level: str


@dataclass(frozen=True)
class DatasetChoice:
    """One version of a dataset and the fields wanted from it."""

    name: str
    version: str
    fields: tuple[FieldChoice, ...]


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _names(values: Collection[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(str(v) for v in values))


@dataclass(frozen=True)
class Request:
    """Datasets and fields, and the coverage: records whose coverage date (the dataset's
    ``date_field`` in the catalogue) is from ``date_from`` to ``date_to`` (``YYYY-MM-DD``,
    inclusive; None leaves that end open)."""

    datasets: tuple[DatasetChoice, ...]
    date_from: str | None = None
    date_to: str | None = None
    jurisdictions: tuple[str, ...] | None = None  # None: every jurisdiction
    sources: tuple[str, ...] | None = None  # None: every source system

    @classmethod
    def of(cls, datasets: Mapping[tuple[str, str], Mapping[str, str]], *,
           date_from: Any = None, date_to: Any = None,
           jurisdictions: Collection[str] | None = None,
           sources: Collection[str] | None = None) -> Request:
        """``{(dataset, version): {field: level}}``: a short way to write a request."""
        return cls(tuple(DatasetChoice(name, version, tuple(FieldChoice(f, lv)
                                                             for f, lv in fields.items()))
                         for (name, version), fields in datasets.items()),
                   _iso(date_from), _iso(date_to), _names(jurisdictions), _names(sources))

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> Request:
        """From the cleaned values of an application form: ``datasets`` (each with ``name``,
        ``version`` and ``fields`` of ``name`` and ``level``) and ``coverage`` (``from``,
        ``to``)."""
        coverage = values.get("coverage") or {}
        return cls(tuple(DatasetChoice(str(d["name"]), str(d["version"]),
                                       tuple(FieldChoice(str(f["name"]), str(f["level"]))
                                             for f in d.get("fields", ())))
                         for d in values.get("datasets", ())),
                   _iso(coverage.get("from")), _iso(coverage.get("to")),
                   _names(coverage.get("jurisdictions")), _names(coverage.get("sources")))

    def to_dict(self) -> dict[str, Any]:
        return {"datasets": [{"name": d.name, "version": d.version,
                              "fields": [{"name": f.name, "level": f.level} for f in d.fields]}
                             for d in self.datasets],
                "coverage": {"from": self.date_from, "to": self.date_to,
                             "jurisdictions": (list(self.jurisdictions)
                                               if self.jurisdictions is not None else None),
                             "sources": list(self.sources) if self.sources is not None else None}}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Request:
        return cls.from_form(raw)


@dataclass(frozen=True)
class Key:
    """A quasi-identifier of the assessment. ``levels`` are the catalogue's levels of the field,
    finest first; ``requested`` is the index of the level asked for. A held key (a field the
    project already holds) is fixed: suggestions never change it."""

    index: int
    dataset: str
    version: str
    field: str
    levels: tuple[str, ...]
    requested: int
    held: bool = False

    @property
    def label(self) -> str:
        return f"{self.dataset}.{self.field}"

    @property
    def withheld(self) -> int:
        """The lattice height meaning "leave the field out": one above the coarsest level."""
        return len(self.levels)

    def level_name(self, height: int) -> str | None:
        return self.levels[height] if height < len(self.levels) else None


@dataclass(frozen=True)
class SensitiveField:
    """A special-category or criminal-offence field whose diversity within classes is measured."""

    index: int
    dataset: str
    version: str
    field: str
    level: str
    sensitivity: Sensitivity

    @property
    def label(self) -> str:
        return f"{self.dataset}.{self.field}"


@dataclass(frozen=True)
class Plan:
    """A request resolved against the catalogue (and the fields already held)."""

    keys: tuple[Key, ...]
    sensitive: tuple[SensitiveField, ...]
    datasets: tuple[tuple[str, str], ...]  # (name, version), requested first, then held
    date_from: str | None
    date_to: str | None
    #: row filters per dataset (column -> allowed values), from the coverage's jurisdictions
    #: and sources, for datasets that say row by row where a record is from
    row_filters: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]] = field(
        default_factory=dict)
    #: datasets none of whose declared jurisdictions or sources is in the coverage
    excluded: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def bottom(self) -> tuple[int, ...]:
        """The requested level of every key (lattice height = index in the field's levels)."""
        return tuple(k.requested for k in self.keys)


def _check_date(value: str | None, path: str, problems: list[Problem]) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(path, f"'{value}' is not a date (YYYY-MM-DD)"))


def _fields(catalogue: Catalogue, request: Request, where: str, problems: list[Problem]
            ) -> list[tuple[str, str, FieldRef, int]]:
    chosen: list[tuple[str, str, FieldRef, int]] = []
    if not request.datasets:
        problems.append(Problem(f"{where}datasets", "no dataset is asked for"))
    for i, ds in enumerate(request.datasets):
        path = f"{where}datasets[{i}]"
        ref = catalogue.dataset(ds.name, ds.version)
        if ref is None:
            versions = catalogue.versions(ds.name)
            problems.append(
                Problem(f"{path}.version", f"{ds.name} has no version '{ds.version}' "
                                           f"(versions: {', '.join(versions)})") if versions
                else Problem(f"{path}.name", f"there is no dataset '{ds.name}' in the "
                                             "catalogue"))
            continue
        if not ds.fields:
            problems.append(Problem(f"{path}.fields", "no field is asked for"))
        for j, f in enumerate(ds.fields):
            fref = ref.fields.get(f.name)
            if fref is None:
                problems.append(Problem(f"{path}.fields[{j}].name",
                                        f"{ds.name} {ds.version} has no field '{f.name}' "
                                        f"(fields: {', '.join(ref.fields)})"))
            elif f.level not in fref.levels:
                problems.append(Problem(f"{path}.fields[{j}].level",
                                        f"'{f.level}' is not a level offered for {f.name}; "
                                        f"choose one of {', '.join(fref.levels)}"))
            else:
                chosen.append((ds.name, ds.version, fref, fref.levels.index(f.level)))
    return chosen


def resolve(catalogue: Catalogue, request: Request, *, held: Request | None = None,
            key_classes: Collection[Sensitivity] = KEY_CLASSES,
            sensitive_classes: Collection[Sensitivity] = SENSITIVE_CLASSES) -> Plan:
    """Check ``request`` (and ``held``, the fields the project already holds) against the
    catalogue; raise :class:`InvalidForm` with every problem. A field both held and requested
    is assessed at the finer of the two levels, and fixed if the held level is the finer."""
    problems: list[Problem] = []
    _check_date(request.date_from, "coverage.from", problems)
    _check_date(request.date_to, "coverage.to", problems)
    if request.date_from and request.date_to and not problems and (
            request.date_to < request.date_from):
        problems.append(Problem("coverage.to", "is before coverage.from"))
    wanted = _fields(catalogue, request, "", problems)
    kept = _fields(catalogue, held, "held.", problems) if held is not None else []
    raise_problems("risk assessment request", problems)
    keys: dict[tuple[str, str, str], Key] = {}
    sensitive: dict[tuple[str, str, str], SensitiveField] = {}
    order: dict[tuple[str, str], None] = {}
    key_set, sensitive_set = set(key_classes), set(sensitive_classes) - set(key_classes)
    for is_held, rows in ((False, wanted), (True, kept)):
        for name, version, fref, height in rows:
            order[(name, version)] = None
            ident = (name, version, fref.name)
            if fref.sensitivity in key_set:
                before = keys.get(ident)
                if before is not None and before.requested <= height:
                    continue
                keys[ident] = Key(0, name, version, fref.name, fref.levels, height, is_held)
            elif fref.sensitivity in sensitive_set:
                before_s = sensitive.get(ident)
                if before_s is None or fref.levels.index(before_s.level) > height:
                    sensitive[ident] = SensitiveField(0, name, version, fref.name,
                                                      fref.levels[height], fref.sensitivity)
    if not order:
        raise InvalidForm("risk assessment request", [Problem("datasets", "nothing to assess")])
    row_filters, excluded = _coverage(catalogue, request, order)
    return Plan(
        keys=tuple(Key(i, k.dataset, k.version, k.field, k.levels, k.requested, k.held)
                   for i, k in enumerate(keys.values())),
        sensitive=tuple(SensitiveField(i, s.dataset, s.version, s.field, s.level, s.sensitivity)
                        for i, s in enumerate(sensitive.values())),
        datasets=tuple(order), date_from=request.date_from, date_to=request.date_to,
        row_filters=row_filters, excluded=excluded)


def _coverage(catalogue: Catalogue, request: Request, datasets: Iterable[tuple[str, str]]
              ) -> tuple[dict[tuple[str, str], dict[str, tuple[str, ...]]],
                         dict[tuple[str, str], str]]:
    """The row filters and whole-dataset exclusions the request's jurisdictions and sources
    make (the same rule an extract follows)."""
    filters: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    excluded: dict[tuple[str, str], str] = {}
    for name, version in datasets:
        ref = catalogue.dataset(name, version)
        if ref is None:
            continue
        wanted_j = request.jurisdictions if request.jurisdictions is not None else \
            ref.jurisdictions
        wanted_s = request.sources if request.sources is not None else ref.sources
        why = excluded_by_coverage(ref, wanted_j, wanted_s)
        if why:
            excluded[(name, version)] = why
        own: dict[str, tuple[str, ...]] = {}
        if request.jurisdictions is not None:
            own[ROW_JURISDICTION] = request.jurisdictions
        if request.sources is not None:
            own[ROW_SYSTEM] = request.sources
        filters[(name, version)] = own
    return filters, excluded
