"""Fixtures for the web application: a governance ``world`` (as in the governance tests: example
catalogue, cheap argon2id) and a client per signed-in person, over HTTPS so the Secure cookies
travel, to an app given the example catalogue and data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fivesafes.governance.catalogue import Published
from fivesafes.home import Deployment
from fivesafes.web.app import create_app
from tests.governance.conftest import (  # noqa: F401 - fixtures used by these tests
    PASSWORD,
    World,
    cheap_hashing,
    example_datasets,
    example_published,
    world,
)

BASE = "https://testserver"


class Browser:
    """A TestClient that signs in like a person: it fetches the form for its token first."""

    def __init__(self, home: Deployment, published: Published | None = None) -> None:
        self.client = TestClient(create_app(home, published=published), base_url=BASE,
                                 follow_redirects=False)

    def csrf(self, path: str = "/") -> str:
        page = self.client.get(path)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start:page.text.index('"', start)]

    def sign_in(self, username: str, password: str = PASSWORD):
        token = self.csrf("/sign-in")
        return self.client.post("/sign-in", data={"username": username, "password": password,
                                                  "csrf_token": token, "next": "/"})

    def post(self, path: str, data: dict[str, str] | None = None, *, page: str = "/"):
        return self.client.post(path, data={"csrf_token": self.csrf(page), **(data or {})})

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)


@pytest.fixture
def browser(home: Deployment, example_datasets: Published  # noqa: F811 - the fixture
            ) -> Iterator[Browser]:
    b = Browser(home, example_datasets)
    with b.client:
        yield b


@pytest.fixture
def browsers(home: Deployment, example_datasets: Published):  # noqa: F811 - the fixture
    """A fresh browser per call (each its own cookies)."""
    made: list[Browser] = []

    def new() -> Browser:
        made.append(Browser(home, example_datasets))
        return made[-1]
    yield new
    for b in made:
        b.client.close()
