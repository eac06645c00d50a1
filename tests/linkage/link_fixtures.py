"""Small synthetic data for the linkage-run tests, made once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

from fivesafes.synth import generate

PEOPLE = 500


def make_synth(root: Path, people: int = PEOPLE, seed: int = 5) -> Path:
    out = root / f"synth-{people}-{seed}"
    if not out.exists():
        generate(people=people, out=out, seed=seed)
    return out


def contracts(synth: Path) -> list[Path]:
    return sorted((synth / "contracts").glob("*.toml"))


def copy_synth(synth: Path, target: Path) -> Path:
    shutil.copytree(synth, target)
    return target
