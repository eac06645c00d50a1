"""The hash-chained audit log: appends are transactional, the chain verifies, and every kind of
tampering (edit, delete, reorder, truncate, rewrite without the key, head edit) is detected and
names the first bad entry. Every test runs on SQLite and on PostgreSQL (the ``home`` fixture)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from fivesafes import audit
from fivesafes.home import Deployment
from tests.tampering import lift_append_only_guard


# -- helpers ----------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _tamperable(home: Deployment) -> None:
    """Every test here edits the log as an operator who has lifted the append-only triggers
    (the triggers themselves are tested in test_audit_guard.py)."""
    lift_append_only_guard(home.store.engine)


def _append(home: Deployment, count: int, **overrides: object) -> None:
    """Append ``count`` entries, each in its own transaction, at the home's clock."""
    for i in range(count):
        fields: dict = {
            "by": "test:officer", "action": "thing.done", "subject": f"thing:{i}",
            "details": {"i": i},
        }
        fields.update(overrides)
        with home.store.transaction() as session:
            audit.record(session, at=home.clock(), **fields)


def _sql(home: Deployment, statement: str, **params: object) -> None:
    """Tamper with the store behind the application's back (bound parameters only)."""
    with home.store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _row(home: Deployment, seq: int) -> dict:
    with home.store.engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT * FROM audit_entry WHERE seq = :seq"), {"seq": seq}
        ).mappings().one()
    return dict(row)


def _head(home: Deployment) -> dict:
    with home.store.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT * FROM audit_head")).mappings().one())


def _verify(home: Deployment) -> audit.Verification:
    with home.store.reading() as session:
        return audit.verify(session)


def _all(home: Deployment, flt: audit.EntryFilter | None = None) -> list:
    """Matching entries as plain records."""
    fields = ("seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash")
    with home.store.reading() as session:
        return [SimpleNamespace(**{f: getattr(e, f) for f in fields})
                for e in audit.query(session, flt or audit.EntryFilter())]


def _rehash_from(home: Deployment, start: int) -> str:
    """What an attacker without the key can do: recompute every hash from ``start`` on so the
    chain is internally consistent again. Returns the new last hash."""
    with home.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            sa.text("SELECT * FROM audit_entry ORDER BY seq")).mappings()]
    prev = audit.GENESIS
    for row in rows:
        if row["seq"] >= start:
            digest = audit.entry_hash(row["seq"], row["at"], row["actor"], row["action"],
                                      row["subject"], row["details"], prev)
            _sql(home, "UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE seq = :s",
                 p=prev, h=digest, s=row["seq"])
            prev = digest
        else:
            prev = row["hash"]
    return prev


# -- appending --------------------------------------------------------------------------------
def test_entry_rolled_back_with_its_transaction(home: Deployment) -> None:
    with pytest.raises(RuntimeError, match="change failed"):
        with home.store.transaction() as session:
            audit.record(session, by="test:officer", action="thing.done", subject="thing:1",
                         at=home.clock())
            raise RuntimeError("change failed")
    entries = _all(home)
    assert [e.action for e in entries] == ["home.init"]
    assert _verify(home) == audit.Verification(1)
    assert _head(home)["seq"] == 1
    # the sequence number of the rolled-back entry is reused: no gap in the chain
    _append(home, 1)
    assert [e.seq for e in _all(home)] == [1, 2]
    assert _verify(home).intact


def test_entry_holds_exactly_what_was_recorded(home: Deployment) -> None:
    moment = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with home.store.transaction() as session:
        entry = audit.record(session, by="test:officer", action="dataset.publish",
                             subject="dataset:courts/v1", details={"b": 2, "a": ["é", 1]},
                             at=moment)
        assert entry.seq == 2
    (stored,) = _all(home, audit.EntryFilter(action="dataset.publish"))
    assert stored.at == "2026-03-01T10:30:15.123456Z"
    assert stored.details == '{"a":["é",1],"b":2}'
    assert stored.actor == "test:officer" and stored.subject == "dataset:courts/v1"
    first = _all(home)[0]
    assert stored.prev_hash == first.hash
    assert stored.hash == audit.entry_hash(2, stored.at, stored.actor, stored.action,
                                           stored.subject, stored.details, first.hash)
    assert audit.as_dict(stored)["details"] == {"a": ["é", 1], "b": 2}


def test_record_refuses_an_empty_actor_and_a_naive_time(home: Deployment) -> None:
    with pytest.raises(ValueError, match="actor"):
        with home.store.transaction() as session:
            audit.record(session, by="", action="thing.done", subject="thing:1")
    with pytest.raises(ValueError, match="timezone"):
        with home.store.transaction() as session:
            audit.record(session, by="test:officer", action="x", subject="y",
                         at=datetime(2026, 1, 1, 9, 0))
    assert len(_all(home)) == 1
    assert _verify(home).intact


def test_record_refuses_a_blank_actor(home: Deployment) -> None:
    with pytest.raises(ValueError, match="actor"):
        with home.store.transaction() as session:
            audit.record(session, by="   ", action="thing.done", subject="thing:1")


def test_chain_verifies_after_many_entries(home: Deployment) -> None:
    _append(home, 30)
    with home.store.transaction() as session:  # several entries in one transaction too
        for i in range(30):
            audit.record(session, by="test:batch", action="row.done", subject=f"row:{i}",
                         at=home.clock())
    result = _verify(home)
    assert result == audit.Verification(61)
    entries = _all(home)
    assert [e.seq for e in entries] == list(range(1, 62))
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    head = _head(home)
    assert (head["seq"], head["hash"]) == (61, entries[-1].hash)


# -- tampering --------------------------------------------------------------------------------
# Each test runs several attacks on one home; ``_attack`` puts both tables back afterwards and
# checks that the restored log verifies again, so every attack starts from an intact log.
_COLUMNS = ("seq", "at", "actor", "action", "subject", "details", "prev_hash", "hash")


@contextmanager
def _attack(home: Deployment) -> Iterator[None]:
    with home.store.engine.connect() as conn:
        entries = [dict(r) for r in conn.execute(sa.text("SELECT * FROM audit_entry")).mappings()]
        heads = [dict(r) for r in conn.execute(sa.text("SELECT * FROM audit_head")).mappings()]
    assert _verify(home).intact
    try:
        yield
    finally:
        with home.store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_entry"))
            conn.execute(sa.text("DELETE FROM audit_head"))
            conn.execute(sa.text(
                f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join(':' + c for c in _COLUMNS)})"), entries)
            conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash, seal) "
                                 "VALUES (:id, :seq, :hash, :seal)"), heads)
    assert _verify(home).intact


def test_a_wiped_log_is_not_intact(home: Deployment) -> None:
    with _attack(home):
        with home.store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_entry"))
            conn.execute(sa.text("DELETE FROM audit_head"))
        result = _verify(home)
        assert (result.intact, result.first_bad) == (False, 1)
        assert "empty" in result.problem


def test_edited_entry_is_named(home: Deployment) -> None:
    _append(home, 5)  # entries 1..6
    edits = [
        ("details", '{"i":99}'), ("actor", "someone:else"),
        ("at", "2026-01-05T09:00:00.000009Z"), ("action", "thing.undone"),
        ("subject", "thing:other"), ("hash", "f" * 64),
    ]
    for column, value in edits:
        with _attack(home):
            _sql(home, f"UPDATE audit_entry SET {column} = :v WHERE seq = 3", v=value)
            result = _verify(home)
            assert (result.first_bad, result.entries) == (3, 2), column
            assert "entry 3 " in result.problem, column
    with _attack(home):
        _sql(home, "UPDATE audit_entry SET prev_hash = :v WHERE seq = 4", v="0" * 64)
        result = _verify(home)
        assert result.first_bad == 4 and "does not follow" in result.problem
    with _attack(home):  # an edit in the newest entry too
        _sql(home, "UPDATE audit_entry SET details = :v WHERE seq = 6", v="{}")
        assert _verify(home).first_bad == 6


def test_deleted_entries_are_named(home: Deployment) -> None:
    _append(home, 5)  # entries 1..6
    for seq in (1, 2, 4):
        with _attack(home):
            _sql(home, "DELETE FROM audit_entry WHERE seq = :s", s=seq)
            result = _verify(home)
            assert (result.first_bad, result.entries) == (seq, seq - 1)
            assert f"entry {seq} is missing" in result.problem
    with _attack(home):
        _sql(home, "DELETE FROM audit_entry WHERE seq IN (3, 4)")
        assert _verify(home).first_bad == 3


def test_deleted_last_entries_are_detected_by_the_head(home: Deployment) -> None:
    _append(home, 5)  # entries 1..6
    for removed in (1, 2, 6):
        with _attack(home):
            _sql(home, "DELETE FROM audit_entry WHERE seq > :keep", keep=6 - removed)
            result = _verify(home)
            assert (result.first_bad, result.entries) == (7 - removed, 6 - removed), removed
            assert f"entries {7 - removed}..6 were deleted" in result.problem
    with _attack(home):  # and the attacker moves the head back: the seal gives it away
        _sql(home, "DELETE FROM audit_entry WHERE seq = 6")
        _sql(home, "UPDATE audit_head SET seq = 5, hash = :h", h=_row(home, 5)["hash"])
        result = _verify(home)
        assert not result.intact and "seal" in result.problem


def test_reordered_entries_name_the_first_of_them(home: Deployment) -> None:
    _append(home, 5)  # entries 1..6
    with _attack(home):  # swap the contents of entries 3 and 5
        a, b = _row(home, 3), _row(home, 5)
        columns = _COLUMNS[1:]
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        for target, source in ((3, b), (5, a)):
            _sql(home, f"UPDATE audit_entry SET {assignments} WHERE seq = :seq",
                 seq=target, **{c: source[c] for c in columns})
        result = _verify(home)
        assert result.first_bad == 3 and "entry 3 " in result.problem
    with _attack(home):  # swap the sequence numbers of entries 2 and 3
        _sql(home, "UPDATE audit_entry SET seq = -1 WHERE seq = 2")
        _sql(home, "UPDATE audit_entry SET seq = 2 WHERE seq = 3")
        _sql(home, "UPDATE audit_entry SET seq = 3 WHERE seq = -1")
        assert _verify(home).first_bad == 2
    with _attack(home):  # move the newest entry to the front
        _sql(home, "UPDATE audit_entry SET seq = -seq")
        _sql(home, "UPDATE audit_entry SET seq = 1 - seq")
        _sql(home, "UPDATE audit_entry SET seq = 1 WHERE seq = 7")
        assert _verify(home).first_bad == 1


def _forge_append(home: Deployment) -> int:
    """Append an entry with a correct chain hash behind the application's back."""
    last = _all(home)[-1]
    seq = last.seq + 1
    at, details = "2026-01-05T10:00:00.000000Z", "{}"
    digest = audit.entry_hash(seq, at, "mallory", "evidence.plant", "case:1", details,
                              last.hash)
    _sql(home, "INSERT INTO audit_entry (seq, at, actor, action, subject, details, prev_hash, "
               "hash) VALUES (:s, :at, 'mallory', 'evidence.plant', 'case:1', :d, :p, :h)",
         s=seq, at=at, d=details, p=last.hash, h=digest)
    return seq


def test_rewriting_without_the_key_is_detected(home: Deployment) -> None:
    _append(home, 5)  # entries 1..6
    with _attack(home):  # rewrite entry 3, recompute every later hash, leave the head
        _sql(home, "UPDATE audit_entry SET details = :d WHERE seq = 3", d='{"i":"forged"}')
        last = _rehash_from(home, 3)
        assert _all(home)[-1].hash == last  # the rewritten chain is itself consistent
        assert not _verify(home).intact
    with _attack(home):  # ... and also point the head at the new chain, keeping the old seal
        _sql(home, "UPDATE audit_entry SET actor = :a WHERE seq = 2", a="someone:else")
        _sql(home, "UPDATE audit_head SET hash = :h", h=_rehash_from(home, 2))
        result = _verify(home)
        assert not result.intact and "seal" in result.problem
        assert result.first_bad is not None and 1 <= result.first_bad <= 6
    with _attack(home):  # append a well-chained entry
        _forge_append(home)
        assert not _verify(home).intact
    with _attack(home):  # ... and move the head to it, keeping the old seal
        forged = _forge_append(home)
        _sql(home, "UPDATE audit_head SET seq = :s, hash = :h", s=forged,
             h=_row(home, forged)["hash"])
        result = _verify(home)
        assert result.first_bad == forged and "seal" in result.problem


def test_rewritten_chain_with_untouched_head_names_a_present_entry(home: Deployment) -> None:
    _append(home, 5)  # entries 1..6
    _sql(home, "UPDATE audit_entry SET actor = :a WHERE seq = 2", a="someone:else")
    _rehash_from(home, 2)
    result = _verify(home)
    assert result.first_bad is not None and 1 <= result.first_bad <= 6
    assert "deleted" not in result.problem


def test_forged_appended_entry_is_named(home: Deployment) -> None:
    _append(home, 3)  # entries 1..4
    forged = _forge_append(home)
    result = _verify(home)
    assert result.first_bad == forged
    assert "deleted" not in result.problem


def test_edited_head_is_detected(home: Deployment) -> None:
    _append(home, 3)  # entries 1..4
    changes = [
        "UPDATE audit_head SET seq = seq - 1",
        "UPDATE audit_head SET seq = seq + 1",
        "UPDATE audit_head SET hash = '" + "a" * 64 + "'",
        "UPDATE audit_head SET seal = '" + "0" * 64 + "'",
        "DELETE FROM audit_head",
    ]
    for change in changes:
        with _attack(home):
            _sql(home, change)
            result = _verify(home)
            assert not result.intact, change
            assert result.first_bad is not None and 1 <= result.first_bad <= 5, change
            assert "head" in result.problem, change
    with _attack(home):  # a seal made with some other key
        _sql(home, "UPDATE audit_head SET seal = :s",
             s=audit._seal(b"k" * 32, 4, _head(home)["hash"]))
        assert "seal" in _verify(home).problem


# -- query ------------------------------------------------------------------------------------
@pytest.fixture
def varied(home: Deployment) -> Deployment:
    """Entries 2..9 (1 is home.init at 09:00) spread over three days."""
    plan = [
        ("alice", "ingest.start", "ingest:1"),
        ("bob", "ingest.finish", "ingest:1"),
        ("alice", "link.run", "case:1"),
        ("alice", "link.run", "case:10"),
        ("bob", "link.review", "case_2"),
        ("carol", "ingest.start", "case%3"),
        ("bob", "release", "casex4"),
        ("alice", "release", "ingest:12"),
    ]
    for n, (actor, action, subject) in enumerate(plan):
        if n in (3, 6):
            home.clock.advance(days=1)
        _append(home, 1, by=actor, action=action, subject=subject, details={"n": n})
    return home


def _seqs(home: Deployment, **kwargs: object) -> list[int]:
    return [e.seq for e in _all(home, audit.EntryFilter(**kwargs))]


def test_query_filters(varied: Deployment) -> None:
    assert _seqs(varied) == list(range(1, 10))
    # actor and action
    assert _seqs(varied, actor="alice") == [2, 4, 5, 9]
    assert _seqs(varied, actor="ali") == []
    assert _seqs(varied, action="release") == [8, 9]
    assert _seqs(varied, action="ingest.*") == [2, 3, 7]
    assert _seqs(varied, actor="bob", action="link.*") == [6]
    # subject, exact and prefix
    assert _seqs(varied, subject="case:1") == [4]
    assert _seqs(varied, subject="case:1*") == [4, 5]
    assert _seqs(varied, subject="ingest:1*") == [2, 3, 9]
    assert _seqs(varied, subject="*") == list(range(1, 10))
    # SQL wildcards in a prefix or a value are literal characters
    assert _seqs(varied, subject="case_*") == [6]
    assert _seqs(varied, subject="case%*") == [7]
    assert _seqs(varied, subject="case%3") == [7]
    assert _seqs(varied, subject="case_2") == [6]


def test_query_times_and_limit(varied: Deployment) -> None:
    entries = _all(varied)
    day2 = datetime.fromisoformat(entries[4].at.replace("Z", "+00:00"))  # seq 5
    day3 = datetime.fromisoformat(entries[7].at.replace("Z", "+00:00"))  # seq 8
    # since and until are inclusive
    assert _seqs(varied, since=day2) == [5, 6, 7, 8, 9]
    assert _seqs(varied, until=day2) == [1, 2, 3, 4, 5]
    assert _seqs(varied, since=day2, until=day3) == [5, 6, 7, 8]
    assert _seqs(varied, since=day3 + timedelta(days=5)) == []
    # a time given in another zone means the same instant
    plus_two = timezone(timedelta(hours=2))
    assert _seqs(varied, since=day3.astimezone(plus_two)) == [8, 9]
    assert _seqs(varied, since=day2, action="release") == [8, 9]
    # limit: the newest N, oldest first
    assert _seqs(varied, limit=3) == [7, 8, 9]
    assert _seqs(varied, limit=1) == [9]
    assert _seqs(varied, limit=100) == list(range(1, 10))
    assert _seqs(varied, actor="alice", limit=2) == [5, 9]
    assert _seqs(varied, action="ingest.*", limit=2) == [3, 7]
    assert _seqs(varied, until=day2, limit=2) == [4, 5]


# -- concurrency ------------------------------------------------------------------------------
def test_concurrent_appends_form_one_contiguous_chain(home: Deployment) -> None:
    per_thread, threads = 20, 2
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait(timeout=30)
            for i in range(per_thread):
                with home.store.transaction() as session:
                    audit.record(session, by=name, action="thing.done", subject=f"thing:{i}",
                                 at=datetime.now(UTC))
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(f"worker:{n}",)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not errors, errors
    entries = _all(home)
    assert [e.seq for e in entries] == list(range(1, 2 + per_thread * threads))
    for n in range(threads):
        mine = [e.subject for e in entries if e.actor == f"worker:{n}"]
        assert mine == [f"thing:{i}" for i in range(per_thread)]
    assert _verify(home) == audit.Verification(1 + per_thread * threads)


def test_verify_during_a_concurrent_append_is_not_a_false_alarm(
    home: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(home, 3)
    original = audit._entries

    def entries_then_someone_appends(session, batch: int = 5000):
        yield from original(session, batch)
        _append(home, 1, by="test:concurrent")  # commits on its own connection

    monkeypatch.setattr(audit, "_entries", entries_then_someone_appends)
    result = _verify(home)
    assert result == audit.Verification(4)
    monkeypatch.setattr(audit, "_entries", original)
    assert _verify(home) == audit.Verification(5)
