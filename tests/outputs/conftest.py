"""Fixtures of the outputs service tests: a published home per backend for the package, a
provisioned project with its extract (the workspace tests' walk), and output checkers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fivesafes import accounts
from tests.extracts.conftest import ADMIN, PASSWORD, Published, Walk, published_home, walk
from tests.workspace.conftest import Project, project

__all__ = ["walk", "project", "Project"]

CHECKERS = ("c.one", "c.two", "c.three")


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Published]:
    with published_home(request.param, tmp_path_factory.mktemp("outputs")) as found:
        for username in CHECKERS:
            accounts.create_account(found.home, by=ADMIN, username=username,
                                    full_name=f"Checker {username}",
                                    email=f"{username}@example.org", password=PASSWORD,
                                    roles=(("output_checker", ""),))
        yield found


@pytest.fixture
def checkers(walk: Walk) -> tuple[str, ...]:
    return CHECKERS
