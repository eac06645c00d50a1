"""Audit entries are append-only in the database itself (migration 0010): an UPDATE or DELETE
of ``audit_entry`` through any connection is refused, on SQLite and on PostgreSQL, while the
application keeps appending."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fivesafes import audit
from fivesafes.home import Deployment

_ATTEMPTS = [
    "UPDATE audit_entry SET actor = 'mallory' WHERE seq = 1",
    "UPDATE audit_entry SET details = '{}'",
    "DELETE FROM audit_entry WHERE seq = 1",
    "DELETE FROM audit_entry",
]


@pytest.mark.parametrize("statement", _ATTEMPTS)
def test_changing_or_deleting_an_entry_is_refused(home: Deployment, statement: str) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with home.store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    with home.store.reading() as session:
        assert audit.verify(session).intact
        assert audit.query(session)[0].actor == "test:officer"


def test_emptying_the_table_is_refused(home: Deployment) -> None:
    """TRUNCATE on PostgreSQL (which skips row triggers); SQLite has only DELETE."""
    postgres = home.store.engine.dialect.name == "postgresql"
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with home.store.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_entry" if postgres
                                 else "DELETE FROM audit_entry WHERE seq >= 1"))


def test_appending_still_works(home: Deployment) -> None:
    for i in range(3):
        with home.store.transaction() as session:
            audit.record(session, by="test:officer", action="thing.done", subject=f"t:{i}",
                         at=home.clock())
    with home.store.reading() as session:
        assert audit.verify(session).entries == 4
