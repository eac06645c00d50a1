"""Settings of one deployment, read from ``fivesafes.toml`` in its home.

Environment variables override the file: ``FIVESAFES_DB_URL`` names the metadata store (default:
the SQLite file ``fivesafes.db`` in the home).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fivesafes.errors import HomeError

CONFIG_FILE = "fivesafes.toml"
DB_URL_ENV = "FIVESAFES_DB_URL"

KNOWN_KEYS: dict[str, set[str]] = {
    "store": {"url"},
    "cli": {"session_minutes"},
    "ingest": {"chunk_rows", "shrink_share"},
    "retention": {"identifier_days", "superseded_version_days"},
    "risk": {"k", "key_classes"},
    "workspace": {"max_rows", "timeout_seconds", "memory_limit", "threads", "suspend_after",
                  "refusals_allowed"},
    "outputs": {"min_cell", "nk_n", "nk_k", "p_percent", "min_dof", "protection_ratio",
                "survival_min"},
}
#: The disclosure checks' thresholds that ``[outputs]`` may set: name -> (whole number?, low,
#: high); the defaults are those of :class:`fivesafes.outputs.rules.Thresholds`.
OUTPUT_THRESHOLDS: dict[str, tuple[bool, float, float]] = {
    "min_cell": (True, 2, 10_000), "nk_n": (True, 1, 10), "nk_k": (False, 0.01, 1.0),
    "p_percent": (False, 0.0, 1.0), "min_dof": (True, 1, 10_000),
    "protection_ratio": (False, 0.0, 1.0), "survival_min": (True, 1, 10_000)}
RISK_KEY_CLASSES = ("quasi_identifier",)
#: the longest a command-line sign-in may be configured to last: sessions stay short-lived
MAX_SESSION_MINUTES = 24 * 60


@dataclass(frozen=True)
class Settings:
    """What a deployment is configured to do; defaults are safe and need no server."""

    db_url: str
    ingest_chunk_rows: int = 200_000
    #: a re-ingest that reads more than this share fewer rows of a source than its last ingest
    #: is refused unless confirmed (``--accept-shrink``)
    ingest_shrink_share: float = 0.2
    identifier_retention_days: int = 30
    superseded_version_retention_days: int = 365
    risk_k: int = 10
    risk_key_classes: tuple[str, ...] = RISK_KEY_CLASSES
    workspace_max_rows: int = 1000
    workspace_timeout_seconds: float = 30.0
    workspace_memory_limit: str = "2GB"
    workspace_threads: int = 2
    #: monitoring violations after which a researcher's access is suspended automatically
    workspace_suspend_after: int = 3
    #: refused statements within an hour that make a violation (repeated refusals)
    workspace_refusals_allowed: int = 3
    #: how long a ``fivesafes login`` lasts (minutes after signing in)
    cli_session_minutes: int = 480
    #: the ``[outputs]`` thresholds set in the file (the rest take the checks' defaults)
    output_thresholds: dict[str, float] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def default_config_text() -> str:
    """The commented configuration written by ``fivesafes init``."""
    return (
        "# fivesafes deployment settings. Environment variables override these.\n"
        "\n"
        "[store]\n"
        "# Metadata store (governance, catalogue, audit log). FIVESAFES_DB_URL overrides it.\n"
        "# Default: the SQLite file fivesafes.db in this home. For PostgreSQL, e.g.\n"
        '# url = "postgresql+psycopg://fivesafes@db.internal:5432/fivesafes"\n'
        "\n"
        "[cli]\n"
        "# Minutes a command-line sign-in (fivesafes login) lasts; then sign in again.\n"
        "session_minutes = 480\n"
        "\n"
        "[ingest]\n"
        "# Rows read and validated per batch; lower it to use less memory.\n"
        "chunk_rows = 200000\n"
        "# A re-ingest reading more than this share fewer rows of a source than its last ingest\n"
        "# is refused unless confirmed with --accept-shrink (0.2 = 20% fewer).\n"
        "shrink_share = 0.2\n"
        "\n"
        "[retention]\n"
        "# Days that identifiers kept for a quality review survive before automatic destruction.\n"
        "identifier_days = 30\n"
        "# Days a superseded research-ready version is kept before it is removed.\n"
        "superseded_version_days = 365\n"
        "\n"
        "[risk]\n"
        "# The disclosure risk threshold: a requested combination of fields should put every\n"
        "# person in a class of at least k persons (k-anonymity).\n"
        "k = 10\n"
        "# Sensitivity classes whose fields count as quasi-identifiers (key variables).\n"
        'key_classes = ["quasi_identifier"]\n'
        "\n"
        "[workspace]\n"
        "# Rows a query shows at most, and seconds it may run before it is stopped.\n"
        "max_rows = 1000\n"
        "timeout_seconds = 30\n"
        "# Memory and threads of each researcher's session engine (DuckDB).\n"
        'memory_limit = "2GB"\n'
        "threads = 2\n"
        "# Monitoring violations (pseudonym look-ups, differencing, repeated refusals) after\n"
        "# which a researcher's access to the project is suspended automatically.\n"
        "suspend_after = 3\n"
        "# Refused statements within an hour that count as a violation.\n"
        "refusals_allowed = 3\n"
        "\n"
        "[outputs]\n"
        "# The disclosure checks of outputs leaving the workspace (UK TRE guidance and ACRO):\n"
        "# persons per cell, N-K dominance (n, k), the p% rule, residual degrees of freedom,\n"
        "# and how far a withheld cell's feasible interval must reach (a share of its value).\n"
        "min_cell = 10\n"
        "nk_n = 2\n"
        "nk_k = 0.9\n"
        "p_percent = 0.1\n"
        "min_dof = 10\n"
        "protection_ratio = 0.5\n"
    )


def load_settings(home: Path) -> Settings:
    """Read ``home/fivesafes.toml``; reject unknown sections and keys by name."""
    path = home / CONFIG_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HomeError(
            f"{home}: not a fivesafes home ({CONFIG_FILE} missing); create one with "
            f"'fivesafes init {home}'"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise HomeError(f"{path}: not valid TOML ({exc}); fix the file") from None
    unknown = [s for s in raw if s not in KNOWN_KEYS]
    unknown += [
        f"{s}.{k}"
        for s, table in raw.items()
        if s in KNOWN_KEYS and isinstance(table, dict)
        for k in table
        if k not in KNOWN_KEYS[s]
    ]
    if unknown:
        raise HomeError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; remove them")
    not_tables = [s for s in KNOWN_KEYS if s in raw and not isinstance(raw[s], dict)]
    if not_tables:
        raise HomeError(f"{path}: [{not_tables[0]}] must be a table of settings, e.g. "
                        f"[{not_tables[0]}] on its own line followed by its keys")
    store = raw.get("store", {})
    url = os.environ.get(DB_URL_ENV) or store.get("url") or f"sqlite:///{home / 'fivesafes.db'}"
    ingest = raw.get("ingest", {})
    retention = raw.get("retention", {})
    chunk = ingest.get("chunk_rows", 200_000)
    days = retention.get("identifier_days", 30)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise HomeError(f"{path}: ingest.chunk_rows must be a positive whole number")
    shrink = ingest.get("shrink_share", 0.2)
    if isinstance(shrink, bool) or not isinstance(shrink, int | float) or not 0 <= shrink < 1:
        raise HomeError(f"{path}: ingest.shrink_share must be a number from 0 up to (not "
                        "including) 1, e.g. 0.2 for 20% fewer rows")
    superseded = retention.get("superseded_version_days", 365)
    for key, value in (("identifier_days", days), ("superseded_version_days", superseded)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise HomeError(f"{path}: retention.{key} must be a whole number of days")
    risk = raw.get("risk", {})
    k = risk.get("k", 10)
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise HomeError(f"{path}: risk.k must be a whole number of at least 2")
    key_classes = risk.get("key_classes", list(RISK_KEY_CLASSES))
    known = ("quasi_identifier", "special_category", "criminal_offence", "other")
    if (not isinstance(key_classes, list) or not key_classes
            or any(c not in known for c in key_classes)):
        raise HomeError(f"{path}: risk.key_classes must be a list of sensitivity classes, "
                        f"each one of {', '.join(known)}")
    minutes = raw.get("cli", {}).get("session_minutes", 480)
    if (isinstance(minutes, bool) or not isinstance(minutes, int)
            or not 1 <= minutes <= MAX_SESSION_MINUTES):
        raise HomeError(f"{path}: cli.session_minutes must be a whole number of minutes from 1 "
                        f"to {MAX_SESSION_MINUTES} (a day)")
    workspace = _workspace_settings(path, raw.get("workspace", {}))
    thresholds = _output_thresholds(path, raw.get("outputs", {}))
    return Settings(db_url=url, ingest_chunk_rows=chunk, ingest_shrink_share=float(shrink),
                    identifier_retention_days=days, **workspace,
                    superseded_version_retention_days=superseded, risk_k=k,
                    risk_key_classes=tuple(key_classes), output_thresholds=thresholds,
                    cli_session_minutes=minutes,
                    raw=raw)


def _output_thresholds(path: Path, table: dict[str, Any]) -> dict[str, float]:
    values: dict[str, float] = {}
    for key, value in table.items():
        whole, low, high = OUTPUT_THRESHOLDS[key]
        kind = "a whole number" if whole else "a number"
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or (whole and not isinstance(value, int)) or not low <= value <= high):
            raise HomeError(f"{path}: outputs.{key} must be {kind} from {low:g} to {high:g}")
        values[key] = value
    return values


def _workspace_settings(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, default in (("max_rows", 1000), ("threads", 2), ("suspend_after", 3),
                         ("refusals_allowed", 3)):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise HomeError(f"{path}: workspace.{key} must be a whole number of at least 1")
        values[f"workspace_{key}"] = value
    timeout = table.get("timeout_seconds", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise HomeError(f"{path}: workspace.timeout_seconds must be a positive number")
    memory = table.get("memory_limit", "2GB")
    if not isinstance(memory, str) or not memory[:1].isdigit():
        raise HomeError(f"{path}: workspace.memory_limit must be a size such as \"2GB\"")
    values["workspace_timeout_seconds"] = float(timeout)
    values["workspace_memory_limit"] = memory
    return values
