"""One synthetic data set of 2,000 people, generated once per test session (about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fivesafes.synth import SynthSummary, generate

PEOPLE = 2000
SEED = 20240


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return generate(people=PEOPLE, out=tmp_path_factory.mktemp("synth") / "data", seed=SEED)


@pytest.fixture(scope="session")
def out(synth: SynthSummary) -> Path:
    return synth.paths.root
