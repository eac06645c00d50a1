"""Confusers (people whose records look alike) and the held-back error model."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from fivesafes.errors import FivesafesError
from fivesafes.synth import SynthSummary, confusers, dates, generate, population, rates
from fivesafes.synth.identity import ocr_slip, sound_spelling
from tests.synth.helpers import truth

YEAR = 365.25


@pytest.fixture(scope="module")
def made() -> tuple[population.Population, confusers.Relations]:
    pop = population.build(np.random.default_rng(4), 6000)
    made = confusers.apply(np.random.default_rng(5), pop, rates.Confusers())
    return pop, confusers.relations(pop, made)


def groups_of(relations: confusers.Relations, kind: str) -> list[list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for k, g, p in zip(relations.kind.tolist(), relations.group.tolist(),
                       relations.person.tolist(), strict=True):
        if k == kind:
            found[g].append(p)
    return list(found.values())


def test_twins_share_surname_birth_and_home_but_not_forename(made) -> None:
    pop, relations = made
    twins = groups_of(relations, "twin")
    assert len(twins) == round((pop.n - pop.free_from) * rates.TWIN_SHARE)
    for a, b in twins:
        assert pop.dob[a] == pop.dob[b] and pop.surname_before[a] == pop.surname_before[b]
        assert (pop.address_id[a] == pop.address_id[b]).all()
        assert pop.forename[a] != pop.forename[b]
    same_initial = sum(pop.forename[a][0] == pop.forename[b][0] for a, b in twins)
    assert 0 < same_initial < len(twins)


def test_junior_and_senior_share_names_and_home_born_decades_apart(made) -> None:
    pop, relations = made
    pairs = groups_of(relations, "junior_senior")
    assert pairs
    for a, b in pairs:
        assert pop.forename[a] == pop.forename[b] and pop.surname_before[a] == pop.surname_before[b]
        assert pop.sex[a] == pop.sex[b] == population.MALE
        assert (pop.address_id[a] == pop.address_id[b]).all()
        assert 19.9 * YEAR <= abs(int(pop.dob[a]) - int(pop.dob[b])) <= 40.1 * YEAR


def test_households_share_a_home_and_partners_change_surname_on_marriage(made) -> None:
    pop, relations = made
    households = groups_of(relations, "household")
    lookalikes = {p for kind in ("twin", "junior_senior") for g in groups_of(relations, kind)
                  for p in g}
    made_here = [h for h in households if min(h) >= pop.free_from and not set(h) & lookalikes]
    assert made_here
    married = 0
    for group in made_here:
        homes = {tuple(pop.address_id[p].tolist()) for p in group}
        assert len(homes) == 1
        assert len({pop.forename[p] for p in group}) == len(group)
        for p in group:
            if pop.surname_change[p] != population.NEVER and pop.surname_after[p] in {
                    pop.surname_before[q] for q in group if q != p}:
                married += 1
    assert married > 0
    adult = dates.day(rates.EXTRACT_DATE) - 18 * YEAR
    assert all(pop.dob[p] <= adult for group in made_here for p in group)


def test_common_names_are_shared_by_unrelated_people_some_in_one_district(made) -> None:
    pop, relations = made
    groups = groups_of(relations, "common_name")
    john_smiths = [g for g in groups if pop.forename[g[0]] == "John"
                   and pop.surname_before[g[0]] == "Smith"]
    assert john_smiths and len(john_smiths[0]) >= 5
    group = john_smiths[0]
    assert len({int(pop.dob[p]) for p in group}) > len(group) // 2
    districts = [str(pop.addresses.postcode[pop.address_id[p, 0]]).split(" ")[0] for p in group]
    assert len(set(districts)) < len(districts)  # some live in the same postcode district


def test_relations_file_names_groups_of_people_in_the_truth(synth: SynthSummary) -> None:
    with synth.paths.relations.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["kind"] for r in rows} <= set(confusers.KINDS)
    assert {"twin", "junior_senior", "household", "common_name"} <= {r["kind"] for r in rows}
    sizes: dict[str, int] = defaultdict(int)
    for r in rows:
        sizes[r["group"]] += 1
    assert min(sizes.values()) >= 2
    known = {t for records in truth(synth.paths.root).values() for _, t in records}
    related = {int(r["true_id"]) for r in rows}
    assert len(related & known) > 0.5 * len(related)  # most related people have records
    assert synth.related_people["twin"] == sum(r["kind"] == "twin" for r in rows)


def test_confusers_can_be_turned_off(tmp_path: Path) -> None:
    summary = generate(people=600, out=tmp_path / "d", seed=3, confusers=rates.NO_CONFUSERS)
    assert summary.related_people["twin"] == summary.related_people["junior_senior"] == 0
    assert summary.related_people["household"] > 0  # family-court households are still there


def test_heldback_variant_has_its_own_seed_and_error_kinds(tmp_path: Path) -> None:
    held = generate(people=800, out=tmp_path / "h", variant="heldback")
    assert held.variant == "heldback" and held.seed == rates.HELDBACK.seed != rates.DEFAULT.seed
    for kind in ("ocr", "dob_placeholder", "dob_year_off", "initial_only", "phonetic"):
        assert held.error_counts[kind] > 0, kind
    again = generate(people=800, out=tmp_path / "h2", variant="heldback")
    assert again.paths.truth.read_bytes() == held.paths.truth.read_bytes()
    for name in held.paths.extracts:
        assert again.paths.extracts[name].read_bytes() == held.paths.extracts[name].read_bytes()
    plain = generate(people=800, out=tmp_path / "d")
    assert plain.variant == "default" and plain.seed == rates.DEFAULT.seed
    assert "ocr" not in plain.error_counts and "dob_placeholder" not in plain.error_counts


def test_an_unknown_variant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FivesafesError, match="no synthetic variant 'tuned'"):
        generate(people=10, out=tmp_path / "x", variant="tuned")


def test_ocr_and_sound_spellings() -> None:
    assert ocr_slip("Burns", 0.0) == "Bums"
    assert ocr_slip("Morris", 0.0) == "M0rris"
    assert ocr_slip("Harry", 0.5) == "Harry"  # nothing in it that a reader confuses
    assert ocr_slip("", 0.5) == ""
    assert sound_spelling("Phillips") == "Philips"
    assert sound_spelling("JACKSON") == "JAKSON"
    assert sound_spelling("Li") == "Li"


def test_the_synth_command_writes_the_heldback_variant(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fivesafes.cli import main

    done = CliRunner().invoke(main, ["synth", "--people", "60", "--out", str(tmp_path / "h"),
                                     "--variant", "heldback"])
    assert done.exit_code == 0, done.output
    direct = generate(people=60, out=tmp_path / "d", variant="heldback")
    assert (tmp_path / "h" / "truth.csv").read_bytes() == direct.paths.truth.read_bytes()
    assert (tmp_path / "h" / "relations.csv").is_file()
    refused = CliRunner().invoke(main, ["synth", "--people", "6", "--out", str(tmp_path / "x"),
                                        "--variant", "tuned"])
    assert refused.exit_code != 0 and "choose one of default, heldback" in refused.output
