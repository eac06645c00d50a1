"""Deployment homes: layout and permissions, refusing to overwrite, cleaning up after a failed
init, opening (and refusing to open) a home, scratch space, and moving a finished run into place
(undone whole when a later step fails)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fivesafes import audit
from fivesafes.errors import HomeError, KeyMaterialError, StoreError
from fivesafes.home import (
    LINKAGE_FOLDERS,
    STORES,
    ZONES,
    Busy,
    Deployment,
    init_home,
    keys_folder,
    local_operator,
    move_all,
    moved,
    open_home,
    staging_beside,
)
from fivesafes.keys import RECORD_KEY_SECRET


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FIVESAFES_DB_URL", "FIVESAFES_HOME", "FIVESAFES_ACTOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_home(tmp_path: Path, clock) -> Iterator[Deployment]:
    """A home on the default store (SQLite in the home), for behaviour that does not depend on
    the database."""
    deployment = init_home(tmp_path / "local", by="test:officer", clock=clock)
    try:
        yield deployment
    finally:
        deployment.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sql(home: Deployment, statement: str, **params: object) -> None:
    with home.store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


# -- layout -----------------------------------------------------------------------------------
def test_layout_and_permissions(local_home: Deployment) -> None:
    root = local_home.root
    assert root.is_absolute()
    assert _mode(root) == 0o700
    for zone in ZONES:
        assert (root / zone).is_dir() and _mode(root / zone) == 0o700
    for folder in LINKAGE_FOLDERS:
        path = root / "linkage" / folder
        assert path.is_dir() and _mode(path) == 0o700
    assert _mode(root / ".work") == 0o700
    keys = root / "linkage" / "keys"
    assert _mode(keys / "master.key") == 0o600
    assert _mode(keys / f"{RECORD_KEY_SECRET}.wrapped") == 0o600
    assert (root / "fivesafes.toml").is_file()
    h = local_home
    assert (h.linkage, h.research, h.extracts, h.released, h.work) == (
        root / "linkage", root / "research", root / "extracts", root / "released",
        root / ".work",
    )
    assert local_home.relative(root / "research" / "x.parquet") == "research/x.parquet"


def test_every_zone_path_has_one_name(local_home: Deployment) -> None:
    h, linkage = local_home, local_home.root / "linkage"
    assert h.zones == {zone: h.root / zone for zone in ZONES}
    assert keys_folder(h.root) == h.keys.folder == linkage / "keys"
    assert h.ingest_stores == {store: linkage / store for store in STORES}
    assert (h.identifiers, h.attributes, h.quarantine) == tuple(h.ingest_stores.values())
    assert (h.links, h.digests, h.persons, h.releases, h.gate_reports) == (
        linkage / "links", linkage / "digests", linkage / "persons", linkage / "releases",
        linkage / "gate")
    assert h.data_dictionary == h.root / "research" / "data-dictionary"
    for store in h.ingest_stores.values():  # made by init, private
        assert store.is_dir() and _mode(store) == 0o700


def test_zones_stay_private_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        deployment = init_home(tmp_path / "h", by="test:officer")
    finally:
        os.umask(old)
    try:
        for zone in ZONES:
            assert _mode(deployment.root / zone) == 0o700
        assert _mode(deployment.root) == 0o700
        assert _mode(deployment.keys.folder / "master.key") == 0o600
    finally:
        deployment.close()


def test_init_writes_one_audit_entry(home: Deployment, clock) -> None:
    with home.store.reading() as session:
        entries = audit.as_dicts(audit.query(session))
        result = audit.verify(session)
    assert result.intact and result.entries == 1
    (entry,) = entries
    assert entry["actor"] == "test:officer" and entry["action"] == "home.init"
    assert entry["subject"] == "home:home"
    assert entry["at"] == "2026-01-05T09:00:00.000001Z"  # from the home's clock
    assert entry["details"] == {"zones": list(ZONES), "demo": True}  # the fixture: a demo home


def test_record_key_secret_is_created(local_home: Deployment) -> None:
    assert len(local_home.keys.load_key(RECORD_KEY_SECRET)) == 32


# -- init refuses to overwrite; failed init cleans up -----------------------------------------
def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    root = tmp_path / "busy"
    root.mkdir()
    (root / "data.csv").write_text("a,b\n")
    with pytest.raises(HomeError, match="not empty") as caught:
        init_home(root, by="test:officer", db_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert str(root) in str(caught.value)
    assert [p.name for p in root.iterdir()] == ["data.csv"]


def test_init_refuses_a_hidden_file_too(tmp_path: Path) -> None:
    root = tmp_path / "busy"
    root.mkdir()
    (root / ".keep").write_text("")
    with pytest.raises(HomeError):
        init_home(root, by="test:officer", db_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert [p.name for p in root.iterdir()] == [".keep"]


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(HomeError):
        init_home(target, by="test:officer", db_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert target.read_text() == "x"


def test_failed_init_leaves_nothing_behind(home: Deployment, tmp_path: Path,
                                           db_url: str) -> None:
    second = tmp_path / "second"
    with pytest.raises(HomeError, match="empty database"):  # the store belongs to ``home``
        init_home(second, by="test:officer", db_url=db_url)
    assert not second.exists()
    second.mkdir()  # an empty folder given by the user stays, emptied
    with pytest.raises(HomeError, match="empty database"):
        init_home(second, by="test:officer", db_url=db_url)
    assert second.is_dir() and list(second.iterdir()) == []
    with home.store.reading() as session:  # and the first home's log is untouched
        assert audit.verify(session) == audit.Verification(1)
    third = tmp_path / "third"
    with pytest.raises(ValueError, match="actor"):  # fails late, at the first audit entry
        init_home(third, by="", db_url=f"sqlite:///{tmp_path / 'third.db'}")
    assert not third.exists()


def test_init_failing_late_leaves_the_store_empty(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "h"
    with pytest.raises(ValueError, match="actor"):
        init_home(root, by="", db_url=db_url)
    init_home(root, by="test:officer", db_url=db_url).close()


def test_init_takes_the_store_from_the_environment(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db_url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    monkeypatch.setenv("FIVESAFES_DB_URL", db_url)
    deployment = init_home(tmp_path / "h", by="test:officer")
    deployment.close()
    assert deployment.settings.db_url == db_url
    assert not (tmp_path / "h" / "fivesafes.db").exists()
    monkeypatch.delenv("FIVESAFES_DB_URL")
    reopened = open_home(tmp_path / "h")
    try:
        assert reopened.settings.db_url == db_url
    finally:
        reopened.close()


# -- opening ----------------------------------------------------------------------------------
def test_open_home_sees_the_same_store_and_keys(home: Deployment, db_url: str) -> None:
    with home.store.transaction() as session:
        audit.record(session, by="test:officer", action="x.y", subject="z", at=home.clock())
    reopened = open_home(home.root)
    try:
        assert reopened.root == home.root
        assert reopened.settings.db_url == db_url
        with reopened.store.transaction() as session:
            audit.record(session, by="test:other", action="x.y", subject="z")
        with reopened.store.reading() as session:
            assert audit.verify(session) == audit.Verification(3)
        assert reopened.keys.load_key(RECORD_KEY_SECRET) == home.keys.load_key(RECORD_KEY_SECRET)
    finally:
        reopened.close()


def test_open_home_relative_path(local_home: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(local_home.root.parent)
    reopened = open_home(Path(local_home.root.name))
    try:
        assert reopened.root == local_home.root
    finally:
        reopened.close()


def test_open_a_folder_that_is_not_a_home(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    with pytest.raises(HomeError, match="not a fivesafes home") as caught:
        open_home(folder)
    assert str(folder) in str(caught.value)
    assert f"fivesafes init {folder}" in str(caught.value)


def test_open_a_home_with_an_unsafe_master_key(local_home: Deployment) -> None:
    key = local_home.keys.folder / "master.key"
    os.chmod(key, 0o644)
    with pytest.raises(KeyMaterialError, match=f"chmod 600 {key}"):
        open_home(local_home.root)


def test_open_a_home_without_its_master_key(local_home: Deployment) -> None:
    (local_home.keys.folder / "master.key").unlink()
    with pytest.raises(KeyMaterialError, match="master key missing"):
        open_home(local_home.root)


def test_open_a_home_with_another_homes_master_key(local_home: Deployment, tmp_path: Path) -> None:
    other = init_home(tmp_path / "other", by="test:officer",
                      db_url=f"sqlite:///{tmp_path / 'other.db'}")
    other.close()
    master = local_home.keys.folder / "master.key"
    master.unlink()
    master.write_bytes((other.keys.folder / "master.key").read_bytes())
    os.chmod(master, 0o600)
    reopened = open_home(local_home.root)
    try:
        with reopened.store.reading() as session:
            result = audit.verify(session)
        assert not result.intact and "seal" in result.problem
        with pytest.raises(KeyMaterialError, match="cannot be unwrapped"):
            reopened.keys.load_key(RECORD_KEY_SECRET)
    finally:
        reopened.close()


def test_open_a_home_whose_store_is_empty(local_home: Deployment, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESAFES_DB_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError) as caught:
        open_home(local_home.root)
    message = str(caught.value)
    assert "empty" in message and "fivesafes db upgrade" in message


def test_open_a_home_whose_store_lost_its_version(home: Deployment) -> None:
    _sql(home, "DELETE FROM alembic_version")
    with pytest.raises(StoreError, match="empty"):
        open_home(home.root)


def test_open_a_home_at_an_older_schema(home: Deployment) -> None:
    _sql(home, "UPDATE alembic_version SET version_num = :v", v="0000")
    with pytest.raises(StoreError) as caught:
        open_home(home.root)
    message = str(caught.value)
    assert "0000" in message and home.store.head_revision() in message
    assert "run 'fivesafes db upgrade'" in message


def test_open_a_home_whose_store_is_unreachable(local_home: Deployment,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESAFES_DB_URL",
                       "postgresql+psycopg://fivesafes:hunter2@127.0.0.1:1/nothing")
    with pytest.raises(StoreError, match="cannot reach") as caught:
        open_home(local_home.root)
    assert "hunter2" not in str(caught.value)


# -- scratch space ----------------------------------------------------------------------------
def test_work_folders_are_private_unique_and_inside_the_home(local_home: Deployment) -> None:
    one, two = local_home.new_work_folder("ingest"), local_home.new_work_folder("ingest")
    assert one != two
    for folder in (one, two):
        assert folder.parent == local_home.linkage / ".work"
        assert folder.name.startswith("ingest-")
        assert _mode(folder) == 0o700
        assert os.stat(folder).st_dev == os.stat(local_home.research).st_dev


def test_each_run_works_inside_the_zone_its_results_go_to(local_home: Deployment) -> None:
    """In-progress identifier stores, wrapped keys and quarantine copies never sit outside the
    linkage zone, and an extract in progress never outside the extracts zone."""
    for label in ("ingest", "link", "digests", "persons"):
        assert local_home.new_work_folder(label).parent == local_home.linkage / ".work"
    assert local_home.new_work_folder("publish").parent == local_home.research / ".work"
    assert local_home.new_work_folder("extract").parent == local_home.extracts / ".work"
    assert local_home.new_work_folder("other").parent == local_home.work
    assert _mode(local_home.linkage / ".work") == 0o700
    left = local_home.new_work_folder("ingest")
    assert local_home.relative(left) in local_home.clear_abandoned_work("ingest")
    assert not list(local_home.work_for("ingest").glob("ingest-*"))


def test_clear_abandoned_work_removes_that_kinds_scratch_folders(local_home: Deployment) -> None:
    ingest_runs = [local_home.new_work_folder("ingest") for _ in range(2)]
    for folder in ingest_runs:
        (folder / "nested" / "deeper").mkdir(parents=True)
        (folder / "nested" / "deeper" / "part.parquet").write_bytes(b"x" * 100)
    other = local_home.new_work_folder("link")
    (other / "model.json").write_text("{}")
    similar = local_home.new_work_folder("ingestion")  # a different kind whose name shares a prefix
    (local_home.research / "keep.parquet").write_bytes(b"keep")
    with Busy(local_home, "ingest"):
        local_home.clear_abandoned_work("ingest")
    assert not any(folder.exists() for folder in ingest_runs)
    assert (other / "model.json").read_text() == "{}"
    assert similar.is_dir()
    assert (local_home.research / "keep.parquet").read_bytes() == b"keep"
    assert (local_home.work / "ingest.lock").exists()  # the lock file is not scratch
    local_home.clear_abandoned_work("ingest")  # nothing to do is fine


def test_clear_abandoned_work_without_a_work_folder(local_home: Deployment) -> None:
    local_home.work.rmdir()
    local_home.clear_abandoned_work("ingest")
    assert not local_home.work.exists()


def test_clear_abandoned_work_never_follows_links_out_of_the_home(local_home: Deployment,
                                                                  tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    local_home.work_for("ingest").mkdir(exist_ok=True)
    (local_home.work_for("ingest") / "ingest-1-link").symlink_to(outside, target_is_directory=True)
    local_home.clear_abandoned_work("ingest")
    assert (outside / "precious").read_text() == "keep"


# -- the busy lock ----------------------------------------------------------------------------
def test_busy_lock_is_exclusive_per_kind(local_home: Deployment) -> None:
    with Busy(local_home, "ingest"):
        with pytest.raises(HomeError, match="another ingest run is in progress") as caught:
            with Busy(local_home, "ingest"):
                pass
        assert f"pid {os.getpid()}" in str(caught.value)
        with Busy(local_home, "link"):  # another kind is independent
            pass
    with Busy(local_home, "ingest"):  # released at the end of the block
        pass


def test_busy_lock_is_released_when_its_holder_is_killed(local_home: Deployment) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time\n"
         "fh = open(sys.argv[1], 'a+')\n"
         "fcntl.flock(fh, fcntl.LOCK_EX)\n"
         "fh.write('pid holder'); fh.flush()\n"
         "print('locked', flush=True)\n"
         "time.sleep(60)\n",
         str(local_home.work / "ingest.lock")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(HomeError, match="pid holder"):
            with Busy(local_home, "ingest"):
                pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
    with Busy(local_home, "ingest"):
        assert (local_home.work / "ingest.lock").read_text() == f"pid {os.getpid()}"


# -- the actor --------------------------------------------------------------------------------
def test_the_local_operator_is_the_login_and_never_a_claimed_account(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIVESAFES_ACTOR", raising=False)
    login = local_operator()
    assert login.startswith("os:") and len(login) > 3
    monkeypatch.setenv("FIVESAFES_ACTOR", "officer:jo")
    assert local_operator() == login


# -- moving a finished run into place ---------------------------------------------------------
def _folder(path: Path, text: str) -> Path:
    path.mkdir(parents=True)
    (path / "file.txt").write_text(text)
    return path


def _text(path: Path) -> str:
    return (path / "file.txt").read_text()


def _rename_failing_on(monkeypatch: pytest.MonkeyPatch, call: int) -> list[tuple[Path, Path]]:
    """Make the ``call``-th ``os.rename`` from now fail (once); every call is listed."""
    real, calls = os.rename, []

    def rename(origin, target):
        calls.append((Path(origin), Path(target)))
        if len(calls) == call:
            raise OSError("disk trouble")
        return real(origin, target)

    monkeypatch.setattr(os, "rename", rename)
    return calls


def test_move_all_moves_each_in_order_making_private_parents(tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "work" / "a", "A"), _folder(tmp_path / "work" / "b", "B")
    move_all([(a, tmp_path / "zone" / "x" / "a"), (b, tmp_path / "zone" / "b")])
    assert _text(tmp_path / "zone" / "x" / "a") == "A" and _text(tmp_path / "zone" / "b") == "B"
    assert not a.exists() and not b.exists()
    assert _mode(tmp_path / "zone" / "x") == 0o700


def test_a_failed_second_move_puts_the_first_back(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = _folder(tmp_path / "work" / "a", "A"), _folder(tmp_path / "work" / "b", "B")
    zone = tmp_path / "zone"
    calls = _rename_failing_on(monkeypatch, 2)
    with pytest.raises(OSError, match="disk trouble"):
        move_all([(a, zone / "a"), (b, zone / "b")])
    assert _text(a) == "A" and _text(b) == "B"
    assert not (zone / "a").exists() and not (zone / "b").exists()
    assert calls[-1] == (zone / "a", a)  # the undo


def test_a_failing_body_undoes_every_move(tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "work" / "a", "A"), _folder(tmp_path / "work" / "b", "B")
    zone = tmp_path / "zone"
    with pytest.raises(KeyboardInterrupt), moved([(a, zone / "a"), (b, zone / "b")]):
        assert _text(zone / "a") == "A" and _text(zone / "b") == "B"  # in place in the body
        raise KeyboardInterrupt  # e.g. killed as the transaction flushes
    assert _text(a) == "A" and _text(b) == "B" and not list(zone.iterdir())


def test_replacing_moves_the_old_target_aside_and_removes_it_after(tmp_path: Path) -> None:
    new, out = _folder(tmp_path / ".out.new", "new"), _folder(tmp_path / "out", "old")
    with moved([(new, out)], replace=True):
        assert _text(out) == "new"
        [aside] = tmp_path.glob(".out.old-*")
        assert _text(aside) == "old"
    assert _text(out) == "new" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_replacing_restores_the_old_target_when_the_move_in_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new, out = _folder(tmp_path / ".out.new", "new"), _folder(tmp_path / "out", "old")
    _rename_failing_on(monkeypatch, 2)  # the first moves the old aside
    with pytest.raises(OSError, match="disk trouble"):
        move_all([(new, out)], replace=True)
    assert _text(out) == "old" and _text(new) == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.new", "out"]


def test_replacing_restores_every_old_target_when_a_later_step_fails(tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "work" / "a", "new a"), _folder(tmp_path / "work" / "b", "new b")
    zone = tmp_path / "zone"
    _folder(zone / "a", "old a")
    with pytest.raises(RuntimeError), moved([(a, zone / "a"), (b, zone / "b")], replace=True):
        raise RuntimeError("the transaction failed")
    assert _text(zone / "a") == "old a" and not (zone / "b").exists()
    assert _text(a) == "new a" and _text(b) == "new b"
    assert sorted(p.name for p in zone.iterdir()) == ["a"]


def test_replacing_a_file(tmp_path: Path) -> None:
    (tmp_path / ".f.part").write_text("new")
    (tmp_path / "f").write_text("old")
    move_all([(tmp_path / ".f.part", tmp_path / "f")], replace=True)
    assert (tmp_path / "f").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_without_replace_a_full_target_is_refused_and_nothing_moves(tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "work" / "a", "A"), _folder(tmp_path / "work" / "b", "B")
    zone = tmp_path / "zone"
    _folder(zone / "b", "there already")
    with pytest.raises(OSError):
        move_all([(a, zone / "a"), (b, zone / "b")])
    assert _text(a) == "A" and _text(b) == "B" and _text(zone / "b") == "there already"
    assert not (zone / "a").exists()


def test_staging_beside_is_hidden_next_to_its_target(tmp_path: Path) -> None:
    assert staging_beside(tmp_path / "out", ".part") == tmp_path / ".out.part"
