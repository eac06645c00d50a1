"""A deployment home: the folder that holds one deployment's settings, zones, keys and (by
default) its metadata store.

```
HOME/
  fivesafes.toml            settings
  fivesafes.db              metadata store (SQLite default; FIVESAFES_DB_URL points elsewhere)
  linkage/                  linkage zone: linkage officers only (mode 0700)
    keys/                   master key (0600), wrapped secrets and data keys
    identifiers/            identifier stores, encrypted, one folder per ingest
    attributes/             attribute stores: record key + non-identifying fields
    quarantine/             rows that failed validation, with the reason
    links/                  link runs: person key map, model, quality reports
    digests/                identifier digests the release gate checks against
    persons/                stable person ids, one folder per accepted link run
    releases/               each release's map of replaced operational ids
    gate/                   the release gate's reports of refused publishes
  research/                 research-ready datasets and the data dictionary
  extracts/                 one minimised extract per approved project
  released/                 checked aggregate outputs
  .work/                    locks, and scratch space of runs outside a zone (a run works in
                            ZONE/.work/ of the zone its results go to); cleared at the next run
```
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fivesafes import audit
from fivesafes.config import CONFIG_FILE, Settings, default_config_text, load_settings
from fivesafes.errors import HomeError
from fivesafes.keys import RECORD_KEY_SECRET, KeyRing
from fivesafes.store import Store
from fivesafes.store.models import AuditEntry

HOME_ENV = "FIVESAFES_HOME"
ACTOR_ENV = "FIVESAFES_ACTOR"
ZONES = ("linkage", "research", "extracts", "released")
#: The three stores an ingest (or a partner's received packages) writes in the linkage zone.
STORES = ("identifiers", "attributes", "quarantine")
LINKAGE_FOLDERS = ("keys", *STORES)
WORK = ".work"
#: The zone each kind of run works in: a run's scratch files sit in the zone its finished files
#: go to (so in-progress identifier stores, keys and quarantine copies never leave the linkage
#: zone); any other kind works in ``HOME/.work``, which also holds the locks.
WORK_ZONES = {"ingest": "linkage", "link": "linkage", "digests": "linkage",
              "persons": "linkage", "publish": "research", "extract": "extracts",
              "destroy-extract": "extracts"}

Clock = Callable[[], datetime]


def keys_folder(root: Path) -> Path:
    """The key folder of the home at ``root`` (``linkage/keys``), before it is opened."""
    return root / "linkage" / "keys"


def system_clock() -> datetime:
    return datetime.now(UTC)


def local_operator() -> str:
    """Who ran a bootstrap command, before any account exists (``init``, ``admin create``): the
    operating-system login, recorded as ``os:<login>``. Every other command names its account
    with ``--as``; none falls back to this."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"os:uid-{os.getuid()}"


@dataclass
class Deployment:
    """An opened home: its paths, settings, metadata store, keys and clock."""

    root: Path
    settings: Settings
    store: Store
    keys: KeyRing
    clock: Clock = field(default=system_clock)
    _demo: bool | None = field(default=None, init=False, repr=False)

    @property
    def linkage(self) -> Path:
        return self.root / "linkage"

    @property
    def research(self) -> Path:
        return self.root / "research"

    @property
    def extracts(self) -> Path:
        return self.root / "extracts"

    @property
    def released(self) -> Path:
        return self.root / "released"

    @property
    def work(self) -> Path:
        return self.root / WORK

    @property
    def zones(self) -> dict[str, Path]:
        """Each zone's name (:data:`ZONES`) and folder."""
        return {zone: self.root / zone for zone in ZONES}

    # -- the linkage zone's folders --------------------------------------------------------
    @property
    def identifiers(self) -> Path:
        """The encrypted identifier stores, ``linkage/identifiers/<ingest>``."""
        return self.linkage / "identifiers"

    @property
    def attributes(self) -> Path:
        """The attribute stores, ``linkage/attributes/<ingest>``."""
        return self.linkage / "attributes"

    @property
    def quarantine(self) -> Path:
        """Quarantined rows and identifier warnings, ``linkage/quarantine/<ingest>``."""
        return self.linkage / "quarantine"

    @property
    def ingest_stores(self) -> dict[str, Path]:
        """Each of an ingest's :data:`STORES` and the folder that holds it for every ingest."""
        return {store: self.linkage / store for store in STORES}

    @property
    def links(self) -> Path:
        """Home link runs, ``linkage/links/<link>``."""
        return self.linkage / "links"

    @property
    def digests(self) -> Path:
        """Identifier digests, ``linkage/digests/<ingest>``."""
        return self.linkage / "digests"

    @property
    def persons(self) -> Path:
        """Stable person ids, ``linkage/persons/<link>``."""
        return self.linkage / "persons"

    @property
    def releases(self) -> Path:
        """Each release's map of replaced operational ids, ``linkage/releases/<release>``."""
        return self.linkage / "releases"

    @property
    def gate_reports(self) -> Path:
        """The release gate's reports of refused publishes, ``linkage/gate``."""
        return self.linkage / "gate"

    # -- the research zone -----------------------------------------------------------------
    @property
    def data_dictionary(self) -> Path:
        """The published data dictionary, ``research/data-dictionary``."""
        return self.research / "data-dictionary"

    @property
    def demo(self) -> bool:
        """Whether this is a demo home (``fivesafes init --demo``), where ``--as`` is taken on
        trust. Read from the audit log's first entry, ``home.init``, so it is fixed when the home
        is made and cannot be switched on later without breaking the log's chain."""
        if self._demo is None:
            with self.store.reading() as session:
                details = session.execute(
                    select(AuditEntry.details).where(AuditEntry.action == "home.init")
                    .order_by(AuditEntry.seq).limit(1)).scalar_one_or_none()
            self._demo = bool(details and json.loads(details).get("demo") is True)
        return self._demo

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def work_for(self, label: str) -> Path:
        """Where runs of kind ``label`` keep their scratch folders: ``ZONE/.work`` for the zone
        their results belong to (:data:`WORK_ZONES`), else ``HOME/.work``."""
        zone = WORK_ZONES.get(label)
        return self.root / zone / WORK if zone else self.work

    def new_work_folder(self, label: str) -> Path:
        """A fresh, private scratch folder for a run in progress, inside the zone its results
        go to (same file system, so finished results are moved into place with an atomic
        rename)."""
        parent = self.work_for(label)
        parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        folder = parent / f"{label}-{os.getpid()}-{os.urandom(4).hex()}"
        folder.mkdir(mode=0o700)
        return folder

    def clear_abandoned_work(self, label: str) -> list[str]:
        """Remove scratch folders that killed runs of kind ``label`` left behind; what was
        removed (relative to the home). Call it while holding that kind's :class:`Busy` lock,
        so no live run's folder is touched."""
        removed = []
        parent = self.work_for(label)
        if parent.exists():
            for child in sorted(parent.glob(f"{label}-*")):
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                    removed.append(self.relative(child))
        return removed

    def next_label(self, run_id: Any, prefix: str) -> str:
        """The label of the next run of a kind: ``prefix-NNNN`` after the highest ``run_id``."""
        with self.store.reading() as session:
            highest = session.execute(select(func.max(run_id))).scalar() or 0
        return f"{prefix}-{highest + 1:04d}"

    def remove_unrecorded(self, run_label: Any, parents: Iterable[Path], prefix: str
                          ) -> set[str]:
        """Remove the ``prefix-*`` folders under ``parents`` that a killed run moved into a
        zone but never recorded as a ``run_label``; the recorded labels."""
        with self.store.reading() as session:
            recorded = set(session.execute(select(run_label)).scalars())
        for parent in parents:
            for folder in parent.glob(f"{prefix}-*"):
                if folder.is_dir() and folder.name not in recorded:
                    shutil.rmtree(folder, ignore_errors=True)
        return recorded

    def close(self) -> None:
        self.store.dispose()


def in_work(path: Path) -> bool:
    """Whether ``path`` is inside a zone's (or the home's) scratch folder."""
    return WORK in path.parts


def staging_beside(target: Path, suffix: str) -> Path:
    """The hidden folder beside ``target`` (same file system) where it is written before it is
    moved into place: ``.<name><suffix>``; a killed run's is replaced by the next run's."""
    return target.with_name(f".{target.name}{suffix}")


@contextmanager
def moved(moves: Iterable[tuple[Path, Path]], *, replace: bool = False) -> Iterator[None]:
    """Rename each ``(origin, target)`` in order (making the target's parents, private), then
    run the ``with`` body; if a rename or the body fails, put back what was moved and re-raise.
    With ``replace``, a target that exists is first moved aside (to ``.<name>.old-<pid>-<random>``
    beside it), put back on failure, and removed once the body is done.

    This is the one way a finished run goes into place: use it inside the transaction that
    records what was moved, so a failure rolls back both; whatever must not happen unless the
    moves stand (shredding a key, a last flush) goes in the body."""
    undo: list[tuple[Path, Path]] = []  # (where it is now, where it goes back to)
    aside: list[Path] = []
    try:
        for origin, target in moves:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if replace and (target.exists() or target.is_symlink()):
                old = staging_beside(target, f".old-{os.getpid()}-{os.urandom(4).hex()}")
                os.rename(target, old)
                undo.append((old, target))
                aside.append(old)
            os.rename(origin, target)
            undo.append((target, origin))
        yield
    except BaseException:
        for now, before in reversed(undo):
            os.rename(now, before)
        raise
    for old in aside:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def move_all(moves: Iterable[tuple[Path, Path]], *, replace: bool = False) -> None:
    """:func:`moved` with nothing more to do once the moves are made."""
    with moved(moves, replace=replace):
        pass


def _mkdir_private(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def init_home(root: Path, *, by: str, db_url: str | None = None, clock: Clock = system_clock,
              demo: bool = False) -> Deployment:
    """Create a new home at ``root``; refuses to touch an existing non-empty folder. A ``demo``
    home (synthetic data only) takes ``--as`` on trust: no command asks for a sign-in there, and
    each one says so; the flag is recorded in the ``home.init`` audit entry, for good."""
    root = root.expanduser().absolute()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise HomeError(
            f"{root}: already exists and is not empty; fivesafes never overwrites a home. "
            "Choose a new folder."
        )
    if db_url is None and os.environ.get("FIVESAFES_DB_URL"):
        db_url = os.environ["FIVESAFES_DB_URL"]
    created_root = not root.exists()
    migrated: Store | None = None
    try:
        _mkdir_private(root)
        for zone in ZONES:
            _mkdir_private(root / zone)
        for folder in LINKAGE_FOLDERS:
            _mkdir_private(root / "linkage" / folder)
        _mkdir_private(root / WORK)
        config = default_config_text()
        if db_url:
            config = config.replace(
                "[store]\n", f"[store]\nurl = {_toml_string(db_url)}\n", 1
            )
        (root / CONFIG_FILE).write_text(config, encoding="utf-8")
        keys = KeyRing(keys_folder(root))
        keys.create_master_key()
        keys.create_secret(RECORD_KEY_SECRET)
        settings = load_settings(root)
        store = Store(settings.db_url, seal_key=keys.audit_seal_key())
        if store.current_revision() is not None:
            raise HomeError(
                "the metadata store already holds a fivesafes schema; a new home needs an empty "
                "database (or schema)"
            )
        store.upgrade()
        migrated = store
        deployment = Deployment(root, settings, store, keys, clock)
        with store.transaction() as session:
            audit.record(
                session, by=by, action="home.init", subject=f"home:{root.name}",
                details={"zones": list(ZONES), "demo": demo}, at=clock(),
            )
        return deployment
    except BaseException:
        if migrated is not None:
            try:
                migrated.drop_schema()
            finally:
                migrated.dispose()
        if created_root:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for child in list(root.iterdir()):
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def open_home(root: Path, clock: Clock = system_clock) -> Deployment:
    """Open an existing home and check its metadata store's schema."""
    root = root.expanduser().absolute()
    if not (root / CONFIG_FILE).is_file():
        raise HomeError(
            f"{root}: not a fivesafes home; create one with 'fivesafes init {root}' or point "
            f"--home / {HOME_ENV} at an existing one"
        )
    settings = load_settings(root)
    keys = KeyRing(keys_folder(root))
    store = Store(settings.db_url, seal_key=keys.audit_seal_key())
    store.check_schema()
    return Deployment(root, settings, store, keys, clock)


class Busy:
    """An exclusive lock on one kind of work in a home (e.g. writing the linkage zone), held
    with ``flock`` so it is released even if the process is killed."""

    def __init__(self, deployment: Deployment, name: str) -> None:
        self.path = deployment.work / f"{name}.lock"
        self.name = name
        self._fh = None

    def __enter__(self) -> Busy:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise HomeError(
                f"another {self.name} run is in progress in this home ({holder}); wait for it "
                "to finish, then try again"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
