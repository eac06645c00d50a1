"""The risk assessment of a request: the one function the governance layer calls.

:func:`assess` resolves the request against the catalogue, loads the coverage of each dataset
from its published file, and measures, at the person level across the datasets (joined on
``person_id``): k-anonymity, persons and records in classes below k, sample uniques, prosecutor
risk, the l-diversity of each sensitive field, a histogram of class sizes; the record-level
figures of each dataset; each requested key's contribution (the figures with it left out, and
coarsened one catalogue level); and, when the request does not meet k, generalisation
suggestions from a lattice search (:mod:`fivesafes.risk.lattice`). Fields the project already
holds (``held``) are part of the combination measured, but never changed by a suggestion.

The result, :class:`RiskAssessment`, is frozen and round-trips through :meth:`~RiskAssessment.
to_dict` / :meth:`~RiskAssessment.from_dict` as JSON, to be stored with an application.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from fivesafes.catalogue.listing import StoreCatalogue
from fivesafes.catalogue.refs import Catalogue
from fivesafes.home import Deployment
from fivesafes.risk import classes, diversity, lattice, persons
from fivesafes.risk.classes import ClassFigures, HistogramBin
from fivesafes.risk.data import DataSource, Frames, HomeData, key_column, load, sensitive_column
from fivesafes.risk.diversity import Diversity
from fivesafes.risk.request import (
    KEY_CLASSES,
    SENSITIVE_CLASSES,
    Key,
    Plan,
    Request,
    resolve,
)
from fivesafes.sources.contract import Sensitivity

DEFAULT_K = 10
LOSS_MEASURE = ("generalisation height (precision): the mean over quasi-identifiers of "
                "level / number of catalogue levels; the finest level costs 0, leaving the "
                "field out costs 1")


@dataclass(frozen=True)
class KeyField:
    """A quasi-identifier of the assessment, at the level assessed."""

    dataset: str
    version: str
    name: str
    level: str
    levels: tuple[str, ...]
    held: bool

    @property
    def label(self) -> str:
        return f"{self.dataset}.{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "version": self.version, "name": self.name,
                "level": self.level, "levels": list(self.levels), "held": self.held}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> KeyField:
        return cls(raw["dataset"], raw["version"], raw["name"], raw["level"],
                   tuple(raw["levels"]), raw["held"])


@dataclass(frozen=True)
class Change:
    """One field of a suggestion: ask for ``to_level`` instead of ``from_level`` (None: leave
    the field out)."""

    dataset: str
    name: str
    from_level: str
    to_level: str | None

    @property
    def text(self) -> str:
        if self.to_level is None:
            return f"leave out {self.dataset}.{self.from_level}"
        return f"ask for {self.dataset}.{self.to_level} instead of {self.dataset}.{self.from_level}"

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "name": self.name, "from_level": self.from_level,
                "to_level": self.to_level, "text": self.text}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Change:
        return cls(raw["dataset"], raw["name"], raw["from_level"], raw["to_level"])


@dataclass(frozen=True)
class Suggestion:
    """A least-loss combination that meets k, as changes to the request."""

    changes: tuple[Change, ...]
    loss: float
    figures: ClassFigures

    @property
    def text(self) -> str:
        return "; ".join(c.text for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"changes": [c.to_dict() for c in self.changes], "loss": self.loss,
                "figures": self.figures.to_dict(), "text": self.text}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Suggestion:
        return cls(tuple(Change.from_dict(c) for c in raw["changes"]), raw["loss"],
                   ClassFigures.from_dict(raw["figures"]))


@dataclass(frozen=True)
class Contribution:
    """The person-level figures with one requested key left out (``action`` ``drop``) or
    coarsened one level (``coarsen``, to ``level``)."""

    dataset: str
    name: str
    action: str  # drop | coarsen
    level: str | None
    figures: ClassFigures

    @property
    def label(self) -> str:
        return f"{self.dataset}.{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "name": self.name, "action": self.action,
                "level": self.level, "figures": self.figures.to_dict()}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Contribution:
        return cls(raw["dataset"], raw["name"], raw["action"], raw["level"],
                   ClassFigures.from_dict(raw["figures"]))


@dataclass(frozen=True)
class DatasetFigures:
    """Record-level figures of one dataset over its own quasi-identifiers."""

    dataset: str
    version: str
    figures: ClassFigures

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "version": self.version,
                "figures": self.figures.to_dict()}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DatasetFigures:
        return cls(raw["dataset"], raw["version"], ClassFigures.from_dict(raw["figures"]))


@dataclass(frozen=True)
class RiskAssessment:
    """The figures a panel sees. ``persons`` is the headline (person level, across the
    datasets); see ``docs/risk.md`` for what each figure means."""

    threshold: int
    key_classes: tuple[str, ...]
    request: Mapping[str, Any]
    held: Mapping[str, Any] | None
    keys: tuple[KeyField, ...]
    persons: ClassFigures
    records: tuple[DatasetFigures, ...]
    diversity: tuple[Diversity, ...]
    histogram: tuple[HistogramBin, ...]
    contributions: tuple[Contribution, ...]
    suggestions: tuple[Suggestion, ...]
    without_held: ClassFigures | None
    loss_measure: str
    lattice_nodes: int
    lattice_evaluated: int
    note: str = ""

    @property
    def meets_threshold(self) -> bool:
        return self.persons.meets_threshold

    def riskiest(self) -> tuple[Contribution, ...]:
        """The drop contributions, the field whose removal helps most first (fewest persons
        below k, then the largest k)."""
        drops = [c for c in self.contributions if c.action == "drop"]
        return tuple(sorted(drops, key=lambda c: (c.figures.below_k, -c.figures.k, c.label)))

    def lines(self) -> list[str]:
        """The assessment in a few lines of text, for ``application show``."""
        p = self.persons
        out = [f"k-anonymity (persons): {p.k} (threshold {self.threshold}: "
               f"{'met' if self.meets_threshold else 'NOT met'})",
               f"persons {p.units:,} in {p.classes:,} classes; below k: {p.below_k:,} persons "
               f"({p.records_below_k:,} records); unique: {p.uniques:,}",
               f"prosecutor risk: max {p.max_risk:.3f}, mean {p.mean_risk:.4f}"]
        for d in self.diversity:
            out.append(f"l-diversity of {d.field} ({d.level}): distinct {d.distinct_l}, "
                       f"entropy {d.entropy_l:.2f}; {d.homogeneous_units:,} persons in "
                       f"{d.homogeneous_classes:,} classes with one value")
        for c in self.riskiest()[:3]:
            out.append(f"without {c.label}: k {c.figures.k}, below k {c.figures.below_k:,}")
        for s in self.suggestions:
            out.append(f"suggestion (loss {s.loss:.2f}, k {s.figures.k}): {s.text}")
        if self.note:
            out.append(self.note)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold, "key_classes": list(self.key_classes),
            "request": dict(self.request), "held": dict(self.held) if self.held else None,
            "keys": [k.to_dict() for k in self.keys], "persons": self.persons.to_dict(),
            "records": [r.to_dict() for r in self.records],
            "diversity": [d.to_dict() for d in self.diversity],
            "histogram": [b.to_dict() for b in self.histogram],
            "contributions": [c.to_dict() for c in self.contributions],
            "suggestions": [s.to_dict() for s in self.suggestions],
            "without_held": self.without_held.to_dict() if self.without_held else None,
            "loss_measure": self.loss_measure, "lattice_nodes": self.lattice_nodes,
            "lattice_evaluated": self.lattice_evaluated, "note": self.note,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RiskAssessment:
        return cls(
            threshold=raw["threshold"], key_classes=tuple(raw["key_classes"]),
            request=raw["request"], held=raw["held"],
            keys=tuple(KeyField.from_dict(k) for k in raw["keys"]),
            persons=ClassFigures.from_dict(raw["persons"]),
            records=tuple(DatasetFigures.from_dict(r) for r in raw["records"]),
            diversity=tuple(Diversity.from_dict(d) for d in raw["diversity"]),
            histogram=tuple(HistogramBin.from_dict(b) for b in raw["histogram"]),
            contributions=tuple(Contribution.from_dict(c) for c in raw["contributions"]),
            suggestions=tuple(Suggestion.from_dict(s) for s in raw["suggestions"]),
            without_held=(ClassFigures.from_dict(raw["without_held"])
                          if raw["without_held"] else None),
            loss_measure=raw["loss_measure"], lattice_nodes=raw["lattice_nodes"],
            lattice_evaluated=raw["lattice_evaluated"], note=raw.get("note", ""))


class _Measure:
    """The loaded frames of one plan and the queries over them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, plan: Plan, frames: Frames,
                 threshold: int) -> None:
        self.con, self.plan, self.frames, self.threshold = con, plan, frames, threshold
        self.single = persons.single_records(con, frames)

    def relation(self, node: lattice.Node) -> persons.PersonRelation:
        return persons.relation(self.plan, self.frames, self.single, node)

    def k(self, node: lattice.Node) -> int:
        return classes.smallest(self.con, self.relation(node).classes())

    def figures(self, node: lattice.Node) -> ClassFigures:
        return classes.figures(self.con, self.relation(node).classes(),
                               threshold=self.threshold, unit="person")

    def loss(self, node: lattice.Node) -> float:
        return lattice.precision_loss(node, [len(k.levels) for k in self.plan.keys])


def _records(m: _Measure) -> tuple[DatasetFigures, ...]:
    out = []
    for (dataset, version), name in m.frames.names.items():
        cols = [key_column(k.index, k.requested) for k in m.plan.keys
                if (k.dataset, k.version) == (dataset, version)]
        out.append(DatasetFigures(dataset, version, classes.figures(
            m.con, classes.record_classes(name, cols), threshold=m.threshold, unit="record")))
    return tuple(out)


def _diversity(m: _Measure, table: str) -> tuple[Diversity, ...]:
    out = []
    for s in m.plan.sensitive:
        frame = m.frames.names[(s.dataset, s.version)]
        counts = persons.counts_of(table, frame, sensitive_column(s.index))
        n_classes, distinct, entropy, homogeneous, units = diversity.summarise(
            m.con, counts, ["class_id"], with_units=True)
        out.append(Diversity(s.label, s.level, s.sensitivity, n_classes, distinct, entropy,
                             homogeneous, units))
    return tuple(out)


def _contributions(m: _Measure) -> tuple[Contribution, ...]:
    bottom = m.plan.bottom
    out = []
    for key in m.plan.keys:
        if key.held:
            continue
        for action, height in (("drop", key.withheld), ("coarsen", key.requested + 1)):
            if action == "coarsen" and height >= len(key.levels):
                continue
            node = bottom[:key.index] + (height,) + bottom[key.index + 1:]
            out.append(Contribution(key.dataset, key.field, action, key.level_name(height),
                                    m.figures(node)))
    return tuple(out)


def _changes(keys: tuple[Key, ...], node: lattice.Node) -> tuple[Change, ...]:
    return tuple(Change(k.dataset, k.field, k.levels[k.requested], k.level_name(h))
                 for k, h in zip(keys, node, strict=True) if h != k.requested)


def _suggest(m: _Measure, limit: int) -> tuple[tuple[Suggestion, ...], int, int, str]:
    keys = m.plan.keys
    top = tuple(k.requested if k.held else k.withheld for k in keys)
    try:
        found = lattice.search(m.plan.bottom, top, lambda n: m.k(n) >= m.threshold, m.loss)
    except ValueError as exc:
        return (), 0, 0, f"no suggestions: {exc}; ask for fewer quasi-identifiers"
    suggestions = tuple(Suggestion(_changes(keys, node), m.loss(node),
                                   m.figures(node)) for node in found.minimal[:limit])
    note = "" if suggestions else (
        f"no combination of coarser levels reaches k = {m.threshold}; fields the project "
        "already holds are fixed")
    return suggestions, found.nodes, found.evaluated, note


def _key_fields(plan: Plan) -> tuple[KeyField, ...]:
    return tuple(KeyField(k.dataset, k.version, k.field, k.levels[k.requested], k.levels, k.held)
                 for k in plan.keys)


def assess(catalogue: Catalogue, data: DataSource, request: Request, *, k: int = DEFAULT_K,
           held: Request | None = None,
           key_classes: Collection[Sensitivity] = KEY_CLASSES,
           sensitive_classes: Collection[Sensitivity] = SENSITIVE_CLASSES,
           suggestions: int = 3, threads: int | None = None) -> RiskAssessment:
    """Assess ``request`` on the published data: see the module's docstring. ``k`` is the
    threshold (smallest acceptable class); ``key_classes`` the sensitivity classes counted as
    quasi-identifiers; ``held`` the fields the same project already holds. Raises
    :class:`~fivesafes.errors.InvalidForm` for unknown datasets or fields, levels not offered
    and empty coverage, :class:`~fivesafes.risk.errors.RiskError` for unreadable data."""
    if k < 1:
        raise ValueError("k must be at least 1")
    plan = resolve(catalogue, request, held=held, key_classes=key_classes,
                   sensitive_classes=sensitive_classes)
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        frames = load(con, plan, data)
        m = _Measure(con, plan, frames, k)
        table = persons.materialise(con, m.relation(plan.bottom))
        headline = classes.figures(con, persons.classes_of(table), threshold=k, unit="person")
        bins = classes.histogram(con, persons.classes_of(table), threshold=k)
        div = _diversity(m, table)
        records = _records(m)
        contributions = _contributions(m)
        if headline.meets_threshold:
            found: tuple[tuple[Suggestion, ...], int, int, str] = ((), 0, 0, "")
        else:
            found = _suggest(m, suggestions)
    finally:
        con.close()
    without_held = None
    if held is not None:
        without_held = assess(catalogue, data, request, k=k, key_classes=key_classes,
                              sensitive_classes=sensitive_classes, suggestions=0,
                              threads=threads).persons
    return RiskAssessment(
        threshold=k, key_classes=tuple(sorted(str(c) for c in key_classes)),
        request=request.to_dict(), held=held.to_dict() if held else None,
        keys=_key_fields(plan), persons=headline, records=records, diversity=div,
        histogram=bins, contributions=contributions, suggestions=found[0],
        without_held=without_held, loss_measure=LOSS_MEASURE, lattice_nodes=found[1],
        lattice_evaluated=found[2], note="; ".join(n for n in (*frames.notes, found[3]) if n))


def assess_home(deployment: Deployment, request: Request, *, catalogue: Catalogue | None = None,
                **options: Any) -> RiskAssessment:
    """:func:`assess` on a home's research-ready data (and its catalogue, unless another is
    given, e.g. governance's ``catalogue_for(deployment)``)."""
    return assess(catalogue or StoreCatalogue(deployment), HomeData(deployment), request,
                  **options)
