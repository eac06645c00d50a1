"""The public behaviour of ``generate``: determinism, refusals, atomic output, the summary."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fivesafes.errors import FivesafesError
from fivesafes.synth import SOURCE_NAMES, SynthSummary, generate
from tests.synth.helpers import truth


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    generate(people=400, out=tmp_path / "a", seed=11)
    generate(people=400, out=tmp_path / "b", seed=11)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    # extracts, contracts, truth + relations + quarantine, reference
    assert len(a) == 5 + 5 + 3 + 3
    assert a == b


def test_different_seed_gives_different_extracts(tmp_path: Path) -> None:
    generate(people=400, out=tmp_path / "a", seed=11)
    generate(people=400, out=tmp_path / "b", seed=12)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    for name in a:
        if name.startswith("extracts/") or name == "truth.csv":
            assert a[name] != b[name], name
    assert a["reference/offences.csv"] == b["reference/offences.csv"]


def test_summary_describes_what_was_written(synth: SynthSummary, out: Path) -> None:
    assert synth.people == 2000
    assert tuple(synth.records_per_source) == SOURCE_NAMES
    assert synth.total_records == sum(synth.records_per_source.values())
    assert 3.0 <= synth.records_per_person <= 5.0
    assert synth.seconds > 0
    written = truth(out)
    for source, count in synth.records_per_source.items():
        assert len(written[source]) == count
        assert synth.paths.extracts[source].is_file()
        assert synth.paths.contracts[source].is_file()
    assert synth.paths.truth.is_file() and synth.paths.expected_quarantine.is_file()
    assert all(p.is_file() for p in synth.paths.reference.values())
    assert sum(synth.invalid_rows.values()) > 0


def test_progress_reports_every_step(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    generate(people=50, out=tmp_path / "d", seed=1, on_progress=lambda *a: seen.append(a))
    assert [done for _, done, _ in seen] == list(range(1, len(seen) + 1))
    assert {total for _, _, total in seen} == {len(seen)}
    assert {label for label, _, _ in seen} >= set(SOURCE_NAMES)


def test_one_person_is_enough(tmp_path: Path) -> None:
    summary = generate(people=1, out=tmp_path / "one", seed=3)
    assert summary.records_per_source["magistrates"] >= 1
    ids = {t for rows in truth(tmp_path / "one").values() for _, t in rows}
    assert ids == {1}


def test_an_empty_existing_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    generate(people=30, out=tmp_path / "empty", seed=1)
    assert (tmp_path / "empty" / "truth.csv").is_file()


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(FivesafesError, match="not empty"):
        generate(people=30, out=out, seed=1)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(FivesafesError, match="not a directory"):
        generate(people=30, out=tmp_path / "file", seed=1)


@pytest.mark.parametrize("people", [0, -5])
def test_refuses_fewer_than_one_person(tmp_path: Path, people: int) -> None:
    with pytest.raises(FivesafesError, match="at least 1"):
        generate(people=people, out=tmp_path / "x", seed=1)
    assert not (tmp_path / "x").exists()


def test_refuses_a_negative_seed(tmp_path: Path) -> None:
    with pytest.raises(FivesafesError, match="seed"):
        generate(people=10, out=tmp_path / "x", seed=-1)


class Stop(Exception):
    pass


@pytest.mark.parametrize("stop_at", [1, 3, 8])
@pytest.mark.parametrize("error", [Stop, KeyboardInterrupt])
def test_an_interrupted_run_leaves_nothing(
    tmp_path: Path, stop_at: int, error: type[BaseException]
) -> None:
    parent = tmp_path / "parent"
    parent.mkdir()

    def progress(label: str, done: int, total: int) -> None:
        if done == stop_at:
            raise error(label)

    with pytest.raises(error):
        generate(people=200, out=parent / "data", seed=1, on_progress=progress)
    assert list(parent.iterdir()) == []


def test_refuses_an_unwritable_place(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(FivesafesError, match="cannot write"):
        generate(people=10, out=tmp_path / "file" / "data", seed=1)
