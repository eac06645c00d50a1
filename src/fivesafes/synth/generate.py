"""``generate``: write a complete set of synthetic source extracts with contracts and ground truth.

The run writes into a hidden temporary sibling of ``out`` and renames it into place at the end, so
an interrupted run leaves nothing half-written behind.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import FivesafesError
from ..progress import ProgressFn
from . import confusers as confuser_groups
from . import offences, pathways, places, population, rates
from .identity import ErrorLog
from .systems import SYSTEMS, education
from .systems.base import WARNING_KINDS, Table, inject_invalid
from .writer import write_contract, write_csv_rows, write_extract

# Independent random streams, so that a change in one stage does not shift the others.
_STREAMS = ("population", "careers", *(system.SPEC.name for system in SYSTEMS), "invalid",
            "confusers", education.SPEC.name)  # new streams go last: the others stay as they were
PARTNER = "partner"


@dataclass(frozen=True)
class SynthPaths:
    """Where everything was written (under the final output directory)."""

    root: Path
    extracts: dict[str, Path]
    contracts: dict[str, Path]
    truth: Path
    relations: Path  # kind, group, true_id: people easily confused with each other
    expected_quarantine: Path
    reference: dict[str, Path]
    #: with ``partner=True``: a partner department's extract (education), its contract and its
    #: truth, under ``partner/`` so that ingesting ``contracts/*.toml`` never takes it
    partner_extract: Path | None = None
    partner_contract: Path | None = None
    partner_truth: Path | None = None


@dataclass(frozen=True)
class SynthSummary:
    people: int
    seed: int
    records_per_source: dict[str, int]
    total_records: int
    paths: SynthPaths
    seconds: float
    error_counts: dict[str, int] = field(default_factory=dict)  # records carrying each error
    invalid_rows: dict[str, int] = field(default_factory=dict)  # per source
    variant: str = rates.DEFAULT.name
    related_people: dict[str, int] = field(default_factory=dict)  # people in groups, per kind
    partner_records: int = 0

    @property
    def records_per_person(self) -> float:
        return self.total_records / self.people


def _check(people: int, out: Path, seed: int) -> None:
    if isinstance(people, bool) or not isinstance(people, int | np.integer) or people < 1:
        raise FivesafesError(f"--people must be a whole number of at least 1, not {people!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise FivesafesError(f"--seed must be a whole number of at least 0, not {seed!r}")
    if out.exists():
        if not out.is_dir():
            raise FivesafesError(f"{out} exists and is not a directory; choose a new --out")
        if any(out.iterdir()):
            raise FivesafesError(f"{out} is not empty; choose a new or empty --out directory")


def variant_named(name: str) -> rates.Variant:
    """The error model called ``name`` (``default`` or ``heldback``)."""
    try:
        return rates.VARIANTS[name]
    except KeyError:
        raise FivesafesError(f"no synthetic variant {name!r}; choose one of "
                             f"{', '.join(rates.VARIANTS)}") from None


def generate(
    people: int,
    out: Path | str,
    seed: int | None = None,
    on_progress: ProgressFn | None = None,
    variant: str | rates.Variant = rates.DEFAULT.name,
    confusers: rates.Confusers | None = None,
    partner: bool = False,
    partner_outsiders: float = education.OUTSIDERS,
) -> SynthSummary:
    """Generate extracts for ``people`` synthetic people into ``out`` (which must not exist or be
    empty). The same ``people``, ``seed`` and ``variant`` always produce byte-identical files.

    ``variant`` picks the error model (``rates.VARIANTS``): ``default``, or ``heldback``, which
    the linkage must never be tuned on. ``seed`` defaults to the variant's own seed;
    ``confusers`` overrides the variant's confuser rates (``rates.NO_CONFUSERS`` turns them off).
    ``partner`` also writes a partner department's extract (:mod:`.systems.education`) of the same
    people under ``partner/``, with its own error model; the justice extracts stay byte-identical.
    ``partner_outsiders`` is how many pupils are in no justice extract, as a share of ``people``
    (a benchmark raises it to give the partner a million records beside a smaller home).
    """
    if partner_outsiders < 0:
        raise FivesafesError(f"partner_outsiders must be 0 or more, not {partner_outsiders}")
    started = time.perf_counter()
    out = Path(out)
    model = variant if isinstance(variant, rates.Variant) else variant_named(variant)
    seed = model.seed if seed is None else seed
    settings = model.confusers if confusers is None else confusers
    _check(people, out, seed)
    people, seed = int(people), int(seed)
    steps = ["population", "careers"]
    steps += [f"{system.SPEC.name}" for system in SYSTEMS]
    steps += [education.SPEC.name] if partner else []
    steps += ["truth and reference"]
    done = 0

    def progress(label: str) -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(label, done, len(steps))

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.synth-", dir=out.parent))
    except OSError as exc:
        raise FivesafesError(
            f"cannot write beside {out}: {exc.strerror or exc}; choose a writable --out"
        ) from None
    try:
        streams = dict(
            zip(_STREAMS, np.random.SeedSequence(seed).spawn(len(_STREAMS)), strict=True)
        )

        def rng(name: str) -> np.random.Generator:
            return np.random.default_rng(streams[name])

        log = ErrorLog()
        pop = population.build(rng("population"), people)
        groups = confuser_groups.relations(pop, confuser_groups.apply(rng("confusers"), pop,
                                                                      settings))
        progress("population")
        careers = pathways.build(rng("careers"), pop)
        progress("careers")
        for sub in ("extracts", "contracts", "reference"):
            (work / sub).mkdir()
        tables: list[Table] = []
        invalid_rng = rng("invalid")
        for system in SYSTEMS:
            name = system.SPEC.name
            table = system.build(pop, careers, rng(name), log, errors=model.recording)
            inject_invalid(table, invalid_rng, log)
            write_extract(table, work / "extracts" / table.spec.file_name)
            write_contract(table, work / "contracts" / f"{name}.toml")
            tables.append(_slim(table))
            progress(name)
        partner_records = _write_partner(work, pop, rng(education.SPEC.name), log,
                                         model.recording, partner_outsiders) if partner else 0
        if partner:
            progress(education.SPEC.name)
        _write_truth(work, tables, pop)
        _write_relations(work, groups, pop)
        _write_reference(work)
        progress("truth and reference")
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    counts = {t.spec.name: len(t) for t in tables}
    return SynthSummary(
        people=people,
        seed=seed,
        records_per_source=counts,
        total_records=sum(counts.values()),
        paths=SynthPaths(
            root=out,
            extracts={t.spec.name: out / "extracts" / t.spec.file_name for t in tables},
            contracts={t.spec.name: out / "contracts" / f"{t.spec.name}.toml" for t in tables},
            truth=out / "truth.csv",
            relations=out / "relations.csv",
            expected_quarantine=out / "expected_quarantine.csv",
            reference={
                "offences": out / "reference" / "offences.csv",
                "courts": out / "reference" / "courts.csv",
                "establishments": out / "reference" / "establishments.csv",
            },
            **(_partner_paths(out) if partner else {}),
        ),
        seconds=time.perf_counter() - started,
        error_counts=log.by_kind(),
        invalid_rows={t.spec.name: len(t.quarantine) for t in tables},
        variant=model.name,
        related_people={kind: int((groups.kind == kind).sum()) for kind in confuser_groups.KINDS},
        partner_records=partner_records,
    )


def _partner_paths(out: Path) -> dict[str, Path]:
    name = education.SPEC.name
    return {"partner_extract": out / PARTNER / "extracts" / education.SPEC.file_name,
            "partner_contract": out / PARTNER / "contracts" / f"{name}.toml",
            "partner_truth": out / PARTNER / "truth.csv"}


def _write_partner(work: Path, pop: population.Population, rng: np.random.Generator,
                   log: ErrorLog, recording: rates.Recording,
                   outsiders_share: float = education.OUTSIDERS) -> int:
    """The partner department's extract, contract and truth under ``work/partner``: pupils of
    the justice population and of a second population (``outsiders_share`` as many people) who are in no justice extract, so that linking the partner can go wrong both
    ways. The outsiders' true ids follow the justice population's."""
    for sub in ("extracts", "contracts"):
        (work / PARTNER / sub).mkdir(parents=True)
    outsiders = population.build(rng, max(2, int(round(len(pop.true_id) * outsiders_share))))
    inside = education.build(pop, rng, log, errors=recording)
    outside = education.build(outsiders, rng, log, errors=recording)
    true = np.concatenate([pop.true_id[inside.person],
                           outsiders.true_id[outside.person] + len(pop.true_id)])
    table = education.combine(inside, outside, rng)
    write_extract(table, work / PARTNER / "extracts" / table.spec.file_name)
    write_contract(table, work / PARTNER / "contracts" / f"{table.spec.name}.toml")
    ids = table.columns[table.spec.record_id].tolist()
    write_csv_rows(work / PARTNER / "truth.csv", [("source", "record_id", "true_id")]
                   + [(table.spec.name, r, int(true[i]))
                      for r, i in zip(ids, table.person.tolist(), strict=True)])
    return len(table)


def _slim(table: Table) -> Table:
    """Keep only what the truth file needs, so finished extracts do not stay in memory."""
    record_id = table.spec.record_id
    return Table(table.spec, {record_id: table.columns[record_id]}, table.person, table.quarantine)


def _write_truth(work: Path, tables: list[Table], pop: population.Population) -> None:
    def truth_rows():
        yield ("source", "record_id", "true_id")
        for table in tables:
            ids = table.columns[table.spec.record_id].tolist()
            true = pop.true_id[table.person].tolist()
            name = table.spec.name
            yield from ((name, r, t) for r, t in zip(ids, true, strict=True))

    write_csv_rows(work / "truth.csv", truth_rows())
    quarantine = [("source", "record_id", "column", "problem", "outcome")]
    for table in tables:
        quarantine.extend(
            (table.spec.name, *row,
             "identifier_warning" if row[2] in WARNING_KINDS else "quarantine")
            for row in table.quarantine)
    write_csv_rows(work / "expected_quarantine.csv", quarantine)


def _write_relations(work: Path, groups: confuser_groups.Relations,
                     pop: population.Population) -> None:
    """People easily confused with each other (for measuring only, like the truth): one row per
    member of each group, by kind (see ``confusers.KINDS``)."""
    order = np.lexsort((pop.true_id[groups.person], groups.group))
    rows = zip(groups.kind[order].tolist(), groups.group[order].tolist(),
               pop.true_id[groups.person[order]].tolist(), strict=True)
    write_csv_rows(work / "relations.csv", [("kind", "group", "true_id"), *rows])


def _write_reference(work: Path) -> None:
    write_csv_rows(work / "reference" / "offences.csv", offences.reference_rows())
    courts = [("court", "court_type", "region")]
    for region in places.REGIONS:
        courts.extend((name, "magistrates", region.name) for name in region.magistrates)
        courts.extend((name, "crown", region.name) for name in region.crown)
        courts.extend((name, "family", region.name) for name, _ in region.family)
    write_csv_rows(work / "reference" / "courts.csv", courts)
    estates: dict[str, tuple[set[str], str]] = {}
    for region in places.REGIONS:
        for estate, names in (("male", region.mens_prisons), ("female", region.womens_prisons)):
            for name in names:
                estates.setdefault(name, (set(), region.name))[0].add(estate)
    prisons = [("establishment", "estate", "region")]
    for name, (kinds, region_name) in estates.items():
        prisons.append((name, " and ".join(sorted(kinds, reverse=True)), region_name))
    write_csv_rows(work / "reference" / "establishments.csv", prisons)
