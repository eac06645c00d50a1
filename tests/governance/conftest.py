"""Fixtures for governance tests: a cheaper (still argon2id) password hasher, the example
catalogue and its data (``example_datasets``), and a ``world`` that builds accounts, projects and
applications through the public services, giving them the example catalogue and data."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher

from fivesafes import accounts
from fivesafes.accounts import passwords
from fivesafes.catalogue.refs import example_catalogue
from fivesafes.governance import (
    access,
    agreements,
    applications,
    people,
    projects,
    reviews,
)
from fivesafes.governance.catalogue import Published
from fivesafes.governance.lifecycle import State
from fivesafes.home import Deployment
from fivesafes.risk.data import StaticData
from tests.example_data import example_data

PASSWORD = "a long enough test passphrase"
LONG = ("The project cannot answer its research question without this field, because the "
        "analysis compares outcomes across groups that only this field distinguishes.")
WHY = ("The coarser level merges the groups the analysis compares, so the estimates would be "
       "biased and the question could not be answered.")
ACCESS = {"start": date(2026, 3, 1), "end": date(2027, 2, 28)}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small parameters, so tests that create many accounts stay fast."""
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def example_published(tmp_path_factory: pytest.TempPathFactory) -> StaticData:
    """Published files for the example catalogue, written once per test session."""
    return example_data(tmp_path_factory.mktemp("example-data"))


@pytest.fixture
def example_datasets(example_published: StaticData) -> Published:
    """Governance tests apply for the example catalogue's (fake) datasets, not a home's, and
    their risk is assessed on example data made for that catalogue: the services are given
    this."""
    return Published(example_catalogue(), example_published)


#: the services the governance commands call that read the catalogue or the published data
CATALOGUE_READERS = ((applications, "import_application"), (applications, "update_application"),
                     (applications, "submit"), (applications, "resubmit"),
                     (applications, "assess_risk"), (agreements, "import_agreement"))


@pytest.fixture
def example_commands(monkeypatch: pytest.MonkeyPatch, example_datasets: Published) -> Published:
    """The commands give the services nothing (so they read the home's catalogue); for the
    length of a test, the services they call are wrapped to be given the example datasets."""
    for module, name in CATALOGUE_READERS:
        monkeypatch.setattr(module, name, functools.partial(getattr(module, name),
                                                            published=example_datasets))
    return example_datasets


def field_request(dataset: str, name: str, level: str | None = None) -> dict[str, str]:
    ref = example_catalogue().datasets[dataset]
    fref = next(iter(ref.values())).fields[name]
    return {"name": name, "level": level or fref.levels[-1], "justification": LONG,
            "why_not_coarser": WHY}


def application_form(project: str, wanted: dict[str, Iterable[str | tuple[str, str]]]
                     ) -> dict[str, Any]:
    """A complete, valid application form for ``{dataset: [field or (field, level)]}``."""
    cat = example_catalogue()
    datasets, jurisdictions, sources = [], set(), set()
    for name, fields in wanted.items():
        version = cat.versions(name)[-1]
        ref = cat.dataset(name, version)
        assert ref is not None
        jurisdictions |= set(ref.jurisdictions)
        sources.add(ref.sources[0])
        datasets.append({"name": name, "version": version, "fields": [
            field_request(name, *((f,) if isinstance(f, str) else f)) for f in fields]})
    return {
        "project": project,
        "datasets": datasets,
        "coverage": {"from": date(2015, 1, 1), "to": date(2023, 12, 31),
                     "jurisdictions": sorted(jurisdictions), "sources": sorted(sources)},
        "access": dict(ACCESS),
        "legal_basis": {"gateway": "dea2017_research", "art6": "public_task",
                        "art9": "research", "art10": "research"},
        "ethics_reference": "ETH-2025-117",
        "dpia_reference": "DPIA-2025-009",
    }


class World:
    """Builds governance records through the services, as the people who would make them."""

    def __init__(self, home: Deployment, clock: Any, published: Published | None = None) -> None:
        """``published``: the catalogue and data applications are checked and assessed on
        (None: the home's own)."""
        self.home, self.clock, self.published = home, clock, published
        accounts.create_first_administrator(home, by="os:tester", username="admin",
                                            full_name="Ada Admin", email="admin@example.org",
                                            password=PASSWORD)

    def account(self, username: str, *roles: str | tuple[str, str]) -> str:
        pairs = tuple((r, "") if isinstance(r, str) else r for r in roles)
        accounts.create_account(self.home, by="admin", username=username,
                                full_name=username.title(), email=f"{username}@example.org",
                                organisation="Example University", password=PASSWORD,
                                roles=pairs)
        return username

    def accredit(self, username: str, *, expires: date = date(2027, 6, 1),
                 level: str = "full", supervisor: str | None = None) -> None:
        people.record_accreditation(self.home, by="admin", username=username,
                                    number=f"ACC-{username}-{expires}", body="UK Statistics "
                                    "Authority", granted_on=date(2025, 6, 1), expires_on=expires,
                                    level=level, supervisor=supervisor)

    def train(self, username: str, *, expires: date = date(2026, 9, 1)) -> None:
        people.record_training(self.home, by="admin", username=username,
                               course="Safe Researcher Training", passed_on=date(2025, 9, 1),
                               expires_on=expires)

    def researcher(self, username: str, **kwargs: Any) -> str:
        self.account(username, "researcher")
        self.accredit(username, **kwargs)
        self.train(username)
        return username

    def project(self, lead: str, *, team: Iterable[str] = (), sensitive: bool = False,
                title: str = "Reoffending after short sentences") -> str:
        return projects.create_project(self.home, by=lead, form={
            "title": title, "lay_summary": "We study what happens after short sentences.",
            "public_benefit": "Better evidence for sentencing policy.",
            "research_questions": ["Do short sentences change reoffending?"],
            "lead": lead, "organisation": "Example University", "funder": "ESRC",
            "start": date(2026, 2, 1), "end": date(2028, 1, 31), "sensitive_topic": sensitive,
            "team": list(team),
        })

    def apply(self, lead: str, project: str,
              wanted: dict[str, Iterable[str | tuple[str, str]]] | None = None) -> str:
        form = application_form(project, wanted or {"magistrates": ["offence_code", "sex"]})
        return applications.create_application(self.home, by=lead, form=form,
                                               published=self.published)

    def agreement(self, reference: str = "DSA-2026-001", *, datasets: Iterable[str] = (
            "magistrates", "crown_court", "prison", "probation", "reoffending", "dwp_benefits"),
            ends: date = date(2028, 12, 31)) -> str:
        return agreements.record_agreement(self.home, by="admin", form={
            "reference": reference, "kind": "dsa", "title": "Data First research sharing",
            "parties": ["Ministry of Justice", "Example University"],
            "datasets": list(datasets), "permitted_uses": ["the approved project only"],
            "legal_basis": "Digital Economy Act 2017 s.64", "protections": ["secure setting"],
            "starts": date(2026, 1, 1), "ends": ends, "review": date(2027, 1, 1),
        }, published=self.published)

    def state(self, reference: str) -> str:
        with self.home.store.reading() as session:
            return applications.get_application(session, reference).state


def drive(world: World, reference: str, target: State, *, lead: str, panel: str,
          rap: str, linkage: str) -> None:
    """Take a draft application (single approval panel ``panel``) to ``target``."""
    h, given = world.home, world.published
    steps: dict[State, list[Callable[[], Any]]] = {
        State.DRAFT: [],
        State.SUBMITTED: [lambda: applications.submit(h, by=lead, reference=reference,
                                                      published=given)],
    }
    steps[State.IN_REVIEW] = steps[State.SUBMITTED] + [
        lambda: applications.start_review(h, by="admin", reference=reference)]
    steps[State.MORE_INFORMATION] = steps[State.IN_REVIEW] + [
        lambda: applications.request_information(h, by=panel, reference=reference,
                                                 reasons="Say more about the coverage.")]
    steps[State.RESUBMITTED] = steps[State.MORE_INFORMATION] + [
        lambda: applications.resubmit(h, by=lead, reference=reference, reasons="Explained.",
                                      published=given)]
    steps[State.APPROVED] = steps[State.IN_REVIEW] + [
        lambda: reviews.approve(h, by=panel, reference=reference)]
    steps[State.REJECTED] = steps[State.IN_REVIEW] + [
        lambda: reviews.reject(h, by=panel, reference=reference, reasons="Not in scope.")]
    steps[State.WITHDRAWN] = [
        lambda: applications.withdraw(h, by=lead, reference=reference, reasons="Changed plan.")]
    steps[State.ACCREDITED] = steps[State.APPROVED] + [
        lambda: reviews.accredit(h, by=rap, reference=reference, rap_reference="RAP-2026-17",
                                 expires_on=date(2027, 12, 31)),
        lambda: agreements.link_agreement(h, by="admin", agreement="DSA-2026-001",
                                          application=reference)]
    steps[State.PROVISIONED] = steps[State.ACCREDITED] + [
        lambda: access.provision(h, by=linkage, reference=reference)]
    steps[State.CLOSED] = steps[State.PROVISIONED] + [
        lambda: applications.close(h, by="admin", reference=reference)]
    for step in steps[target]:
        step()
    assert world.state(reference) == target


@pytest.fixture
def world(home: Deployment, clock: Any, example_datasets: Published) -> World:
    return World(home, clock, example_datasets)


def staff(world: World) -> None:
    """The panel members and linkage officer the single-panel route (magistrates: the HMCTS
    Data Access Panel, then the accreditation panel) needs."""
    world.account("reviewer", ("panel_member", "hmcts_dap"))
    world.account("rap", ("panel_member", "rap"))
    world.account("linkage", "linkage_officer")


def provisioned(world: World, *, lead: str = "lead", team: Iterable[str] = (),
                to: State = State.PROVISIONED) -> str:
    """A provisioned application (magistrates) for a new project of ``lead`` and ``team``, or
    one taken only as far as state ``to``."""
    staff(world)
    project = world.project(lead, team=team)
    world.agreement()
    ref = world.apply(lead, project)
    drive(world, ref, to, lead=lead, panel="reviewer", rap="rap", linkage="linkage")
    return ref
