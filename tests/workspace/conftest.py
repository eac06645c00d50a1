"""Fixtures of the workspace tests: one published home per backend for the whole package (the
extract tests' home and walk), and a researcher with a provisioned project and its extract."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from fivesafes.extracts import build_extract
from tests.extracts.conftest import OFFICER, Published, Walk, published_home, walk

__all__ = ["walk"]

MAGISTRATES = {"magistrates": [("offence_code", "offence_group"),
                               ("hearing_date", "hearing_date_year"),
                               ("age_at_hearing", "age_at_hearing_band"),
                               ("outcome", "outcome")],
               "prison": [("RECEPTION_DATE", "RECEPTION_DATE_year")]}


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Published]:
    with published_home(request.param, tmp_path_factory.mktemp("workspace")) as found:
        yield found


@dataclass
class Project:
    walk: Walk
    team: list[str]
    application: str
    project: str

    @property
    def lead(self) -> str:
        return self.team[0]


@pytest.fixture
def project(walk: Walk) -> Project:
    """A provisioned project of two researchers with its extract, the clock in its window."""
    team = walk.team()
    reference = walk.provisioned(team, MAGISTRATES)
    result = build_extract(walk.home, by=OFFICER, reference=reference)
    walk.in_window()
    return Project(walk, team, reference, result.project)
