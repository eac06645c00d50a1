"""An ingest killed part-way leaves the home as it was; running it again completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from fivesafes.home import Deployment
from fivesafes.sources.contract import load_all
from fivesafes.sources.ingest import ingest

from .conftest import GOOD_ROWS, SourceFiles
from .test_ingest import snapshot

ROWS = 60_000


def _big_source(source_files: SourceFiles) -> Path:
    rows = []
    for i in range(ROWS):
        row = list(GOOD_ROWS[i % 3])
        row[0] = str(i + 1)
        rows.append(row)
    return source_files.write(rows)


def _small_chunks(home: Deployment, rows: int = 500) -> None:
    config = home.root / "fivesafes.toml"
    config.write_text(config.read_text().replace("chunk_rows = 200000", f"chunk_rows = {rows}"))


def test_killed_ingest_leaves_home_unchanged_and_rerun_completes(home, source_files):
    contract = _big_source(source_files)
    _small_chunks(home)
    before = snapshot(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fivesafes", "ingest", "--home", str(home.root),
         str(contract)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "FIVESAFES_ACTOR": "officer"},
    )
    deadline = time.monotonic() + 60
    partial = None
    while time.monotonic() < deadline and proc.poll() is None:
        found = list(home.work_for("ingest").glob("ingest-*/attributes/ingest-0001/mags.parquet"))
        if found and found[0].stat().st_size > 20_000:
            partial = found[0]
            break
        time.sleep(0.02)
    assert partial is not None, f"ingest never got going: {proc.stderr.read() if proc.stderr else ''}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert snapshot(home) == before  # nothing in the zones, nothing recorded, log unchanged

    result = ingest(home, load_all([contract]), by="officer")
    assert result.label == "ingest-0001"
    assert (result.read, result.accepted, result.quarantined) == (ROWS, ROWS, 0)
    assert list(home.work_for("ingest").glob("ingest-*")) == []  # the killed run's scratch folder is gone

    again = ingest(home, load_all([contract]), by="officer")
    first = pq.read_table(home.root / result.sources[0].attributes_path)
    second = pq.read_table(home.root / again.sources[0].attributes_path)
    assert first.equals(second)


def test_stores_moved_but_never_recorded_are_removed(home, source_files):
    contract = source_files.write()
    for store in ("identifiers", "attributes", "quarantine"):
        (home.linkage / store / "ingest-0001").mkdir()
        (home.linkage / store / "ingest-0001" / "mags.parquet").write_bytes(b"orphan")
    home.keys.store_key("ingest-0001", os.urandom(32))
    result = ingest(home, load_all([contract]), by="officer")
    assert result.label == "ingest-0001"
    assert (home.linkage / "attributes" / "ingest-0001" / "mags.parquet").read_bytes() != b"orphan"
    assert pq.read_table(home.linkage / "attributes" / "ingest-0001" / "mags.parquet").num_rows == 3
