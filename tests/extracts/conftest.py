"""Fixtures of the extract tests: one published home per backend and module (synthetic extracts
ingested, linked and published as ``make demo`` does), and a ``Walk`` that takes applications
for its research-ready fields through governance with the ordinary services.

Building the home is the slow part (synth, ingest, Splink, publish), so it is shared by the tests
of a module; each test makes its own project and application, and puts the clock back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.conftest import FakeClock, store_url

from fivesafes import accounts
from fivesafes.accounts import passwords
from fivesafes.accounts.panels import routing_for
from fivesafes.catalogue.listing import find_version
from fivesafes.demo.publish import run_demo as publish_demo
from fivesafes.governance import (
    access,
    agreements,
    applications,
    people,
    projects,
    reviews,
)
from fivesafes.governance.catalogue import catalogue_for
from fivesafes.home import Deployment, init_home
from fivesafes.linkage.runs import link_home
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest
from fivesafes.synth import generate

PASSWORD = "a long enough test passphrase"
OFFICER = "l.officer"
ADMIN = "admin"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACCESS = (date(2026, 3, 1), date(2027, 2, 28))
JUSTIFY = ("The project cannot answer its research question without this field, because the "
           "analysis compares outcomes across groups that only this field distinguishes.")
WHY = ("The coarser level merges the groups the analysis compares, so the estimates would be "
       "biased and the question could not be answered.")
DSA = "DSA-EXTRACTS-1"


@dataclass
class Published:
    home: Deployment
    clock: FakeClock


@contextmanager
def published_home(backend: str, folder: Path) -> Iterator[Published]:
    """A home with published research-ready datasets (120 synthetic people) on ``backend``."""
    clock = FakeClock(START)
    with store_url(backend, folder) as url, pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "HASHER",
                   PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        home = init_home(folder / "home", by="os:tester", db_url=url, clock=clock,
                         demo=True)
        try:
            accounts.create_first_administrator(home, by="os:tester", username=ADMIN,
                                                full_name="Ada Admin", email="a@example.org",
                                                password=PASSWORD)
            accounts.create_account(home, by=ADMIN, username=OFFICER, full_name="Lee Officer",
                                    email="lee@example.org", password=PASSWORD,
                                    roles=(("linkage_officer", ""),))
            synth = generate(people=120, out=folder / "data", seed=11)
            ingest(home, load_all(sorted(synth.paths.contracts.values())), by=OFFICER)
            publish_demo(home, link_home(home, by=OFFICER).label, by=OFFICER)
            agreements.record_agreement(home, by=ADMIN, form={
                "reference": DSA, "kind": "dsa", "title": "Data First research sharing",
                "parties": ["Ministry of Justice", "Example University"],
                "datasets": ["magistrates", "crown_court", "prison", "probation",
                             "family_court"],
                "permitted_uses": ["approved projects"], "legal_basis": "DEA 2017 s.64",
                "protections": ["secure setting"], "starts": date(2026, 1, 1),
                "ends": date(2028, 12, 31), "review": date(2027, 1, 1)})
            yield Published(home, clock)
        finally:
            home.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Published]:
    """A published home, on each backend, shared by the tests of a module."""
    with published_home(request.param, tmp_path_factory.mktemp("extracts")) as found:
        yield found


class Walk:
    """Takes applications through governance in ``published.home``, as the people who would."""

    def __init__(self, published: Published) -> None:
        self.home, self.clock = published.home, published.clock
        self.n = 0

    def researcher(self, username: str) -> str:
        accounts.create_account(self.home, by=ADMIN, username=username,
                                full_name=username.title(), email=f"{username}@example.org",
                                organisation="Example University", password=PASSWORD,
                                roles=(("researcher", ""),))
        people.record_accreditation(self.home, by=ADMIN, username=username,
                                    number=f"ACC-{username}", body="UK Statistics Authority",
                                    granted_on=date(2025, 6, 1), expires_on=date(2028, 6, 1))
        people.record_training(self.home, by=ADMIN, username=username,
                               course="Safe Researcher Training", passed_on=date(2025, 9, 1),
                               expires_on=date(2028, 6, 1))
        return username

    def team(self, size: int = 2) -> list[str]:
        self.n += 1
        tag = uuid.uuid4().hex[:6]
        return [self.researcher(f"r{i}.{tag}") for i in range(size)]

    def project(self, team: list[str]) -> str:
        return projects.create_project(self.home, by=team[0], form={
            "title": "Pathways through the courts", "lay_summary": "What happens after court.",
            "public_benefit": "Evidence for policy.", "research_questions": ["What happens?"],
            "lead": team[0], "organisation": "Example University", "funder": "ESRC",
            "start": date(2026, 2, 1), "end": date(2028, 1, 31), "sensitive_topic": False,
            "team": team[1:]})

    def form(self, project: str, wanted: dict[str, Iterable[tuple[str, str]]], *,
             coverage: tuple[date, date] = (date(2000, 1, 1), date(2030, 12, 31)),
             sources: list[str] | None = None, jurisdictions: list[str] | None = None
             ) -> dict[str, Any]:
        cat = catalogue_for(self.home)
        refs = {name: cat.dataset(name, cat.versions(name)[-1]) for name in wanted}
        return {
            "project": project,
            "datasets": [{"name": name, "version": refs[name].version, "fields": [
                {"name": f, "level": level, "justification": JUSTIFY, "why_not_coarser": WHY}
                for f, level in fields]} for name, fields in wanted.items()],
            "coverage": {"from": coverage[0], "to": coverage[1],
                         "jurisdictions": jurisdictions or sorted(
                             {j for r in refs.values() for j in r.jurisdictions}),
                         "sources": sources or sorted(
                             {s for r in refs.values() for s in r.sources})},
            "access": {"start": ACCESS[0], "end": ACCESS[1]},
            "legal_basis": {"gateway": "dea2017_research", "art6": "public_task",
                            "art9": "research", "art10": "research"},
            "ethics_reference": "ETH-1", "dpia_reference": "DPIA-1",
        }

    def _panel_member(self, panel: str) -> str:
        username = f"panel.{panel}"
        with self.home.store.reading() as session:
            exists = accounts.find_account(session, username) is not None
        if not exists:
            accounts.create_account(self.home, by=ADMIN, username=username,
                                    full_name=f"{panel} member", email=f"{panel}@example.org",
                                    password=PASSWORD, roles=(("panel_member", panel),))
        return username

    def accredited(self, team: list[str], wanted: dict[str, Iterable[tuple[str, str]]], *,
                   project: str | None = None, **coverage: Any) -> str:
        """An accredited application (agreement linked) for ``wanted``; its reference."""
        project = project or self.project(team)
        reference = applications.create_application(
            self.home, by=team[0], form=self.form(project, wanted, **coverage))
        applications.submit(self.home, by=team[0], reference=reference)
        route = applications.start_review(self.home, by=ADMIN, reference=reference)
        for panel in route[:-1]:
            reviews.approve(self.home, by=self._panel_member(panel), reference=reference)
        rap = routing_for(self.home).accreditation_panel
        reviews.accredit(self.home, by=self._panel_member(rap), reference=reference,
                         rap_reference=f"RAP-{reference}", expires_on=date(2027, 12, 31))
        agreements.link_agreement(self.home, by=ADMIN, agreement=DSA, application=reference)
        return reference

    def provisioned(self, team: list[str], wanted: dict[str, Iterable[tuple[str, str]]],
                    **kwargs: Any) -> str:
        reference = self.accredited(team, wanted, **kwargs)
        access.provision(self.home, by=OFFICER, reference=reference)
        return reference

    def state_of(self, reference: str) -> str:
        with self.home.store.reading() as session:
            return applications.get_application(session, reference).state

    def in_window(self) -> None:
        self.clock.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def research_file(self, dataset: str) -> Path:
        version = find_version(self.home, dataset)
        return self.home.root / version.folder / version.file_name


@pytest.fixture
def walk(published: Published) -> Iterator[Walk]:
    published.clock.now = START
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "HASHER",
                   PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield Walk(published)
    published.clock.now = START
