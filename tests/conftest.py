"""Shared fixtures. Every test that touches the metadata store runs twice: on SQLite and on
PostgreSQL (a fresh schema per test in the ``test`` database on 127.0.0.1:5432).

With ``FIVESAFES_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) an unreachable PostgreSQL fails those
tests instead of skipping them, and the run fails if no PostgreSQL test passed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from fivesafes.home import Deployment, init_home

PG_ADMIN_URL = os.environ.get(
    "FIVESAFES_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("FIVESAFES_REQUIRE_POSTGRES") == "1"
_pg_passed = 0
_pg_engine: sa.Engine | None = None


def _pg() -> sa.Engine | None:
    global _pg_engine
    if _pg_engine is None:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("select 1"))
        except sa.exc.OperationalError as exc:
            if REQUIRE_PG:
                pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}: {exc}")
            return None
        _pg_engine = engine
    return _pg_engine


@contextmanager
def store_url(backend: str, folder: Path) -> Iterator[str]:
    """A database URL for an empty metadata store on ``backend`` (``sqlite``: a file in
    ``folder``; ``postgresql``: a schema of its own, dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    engine = _pg()
    if engine is None:
        pytest.skip("PostgreSQL not reachable")
    schema = f"fs_{uuid.uuid4().hex[:16]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty metadata store, on each backend."""
    with store_url(request.param, tmp_path) as url:
        yield url


class FakeClock:
    """A clock tests can move: ``clock.advance(days=30)``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1)
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def _private_token_folder(tmp_path_factory: pytest.TempPathFactory,
                          monkeypatch: pytest.MonkeyPatch) -> Path:
    """Command-line session tokens of this test, in a folder of its own (never the tester's
    ~/.config); ``fivesafes login`` makes it, private."""
    folder = tmp_path_factory.mktemp("tokens-parent") / "tokens"
    monkeypatch.setenv("FIVESAFES_TOKEN_DIR", str(folder))
    return folder


@pytest.fixture
def home(tmp_path: Path, db_url: str, clock: FakeClock) -> Iterator[Deployment]:
    """A freshly initialised deployment home on each backend. It is a demo home: commands take
    ``--as`` on trust there (and say so), as the tests of each stage expect; signing in on a
    real home is tested in tests/accounts/test_command_line.py with :func:`real_home`."""
    deployment = init_home(tmp_path / "home", by="test:officer", db_url=db_url, clock=clock,
                           demo=True)
    try:
        yield deployment
    finally:
        deployment.close()


@pytest.fixture
def real_home(tmp_path: Path, db_url: str, clock: FakeClock) -> Iterator[Deployment]:
    """A freshly initialised home that is not a demo home: ``--as`` must be signed in."""
    deployment = init_home(tmp_path / "real-home", by="test:officer", db_url=db_url, clock=clock)
    try:
        yield deployment
    finally:
        deployment.close()


def without_demo_notice(text: str) -> str:
    """A command's output without the line a demo home adds to every command acting ``--as``
    (that line is tested in tests/accounts/test_command_line.py)."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not (line.startswith("notice: ") and "is a demo home" in line))


ADMIN, OFFICER, AUDITOR = "admin", "officer", "auditor"
TEST_PASSWORD = "a long test passphrase 42"


@dataclass(frozen=True)
class Staff:
    admin: str = ADMIN
    officer: str = OFFICER
    auditor: str = AUDITOR


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small parameters, so tests that create accounts stay fast."""
    from argon2 import PasswordHasher

    from fivesafes.accounts import passwords

    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def staff(home: Deployment, cheap_passwords: None) -> Staff:
    """An administrator, a linkage officer and an auditor in ``home``."""
    from fivesafes import accounts

    accounts.create_first_administrator(home, by="os:test", username=ADMIN, full_name="Ada Admin",
                                        email="admin@example.org", password=TEST_PASSWORD)
    for username, role in ((OFFICER, "linkage_officer"), (AUDITOR, "auditor")):
        accounts.create_account(home, by=ADMIN, username=username, full_name=username.title(),
                                email=f"{username}@example.org", password=TEST_PASSWORD,
                                roles=((role, ""),))
    return Staff()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    global _pg_passed
    if report.when == "call" and report.passed and "[postgresql" in report.nodeid:
        _pg_passed += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under xdist the controller sees every worker's reports through pytest_runtest_logreport.
    if not REQUIRE_PG or hasattr(session.config, "workerinput"):
        return
    if _pg_passed == 0:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "FAILED: FIVESAFES_REQUIRE_POSTGRES=1 but no PostgreSQL test passed", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
