"""Settings: defaults, validation naming the bad key, and FIVESAFES_DB_URL overriding the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from fivesafes.config import CONFIG_FILE, Settings, default_config_text, load_settings
from fivesafes.errors import HomeError
from fivesafes.home import _toml_string
from fivesafes.outputs.rules import Thresholds


@pytest.fixture(autouse=True)
def _no_db_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIVESAFES_DB_URL", raising=False)


def _home(tmp_path: Path, text: str) -> Path:
    (tmp_path / CONFIG_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def test_default_config_gives_safe_defaults(tmp_path: Path) -> None:
    settings = load_settings(_home(tmp_path, default_config_text()))
    written = tomllib.loads(default_config_text())["outputs"]
    assert settings == Settings(db_url=f"sqlite:///{tmp_path / 'fivesafes.db'}",
                                ingest_chunk_rows=200_000, identifier_retention_days=30,
                                output_thresholds=written)
    # the output thresholds written are the checks' own defaults
    defaults = Thresholds().to_dict()
    assert {k: defaults[k] for k in written} == written
    # every default written to the file is one load_settings knows
    raw = tomllib.loads(default_config_text())
    assert set(raw) == {"store", "cli", "ingest", "retention", "risk", "workspace", "outputs"}
    assert (settings.risk_k, settings.risk_key_classes) == (10, ("quasi_identifier",))
    assert settings.cli_session_minutes == raw["cli"]["session_minutes"] == 8 * 60


def test_the_command_line_session_lifetime_is_read_and_checked(tmp_path: Path) -> None:
    assert load_settings(_home(tmp_path, "[cli]\nsession_minutes = 15\n")).cli_session_minutes == 15
    for text in ("[cli]\nsession_minutes = 0\n", "[cli]\nsession_minutes = 1441\n",
                 "[cli]\nsession_minutes = 2.5\n", "[cli]\nsession_minutes = true\n",
                 "[cli]\nsessions = 5\n"):
        with pytest.raises(HomeError, match="cli"):
            load_settings(_home(tmp_path, text))


def test_output_thresholds_are_read_and_checked(tmp_path: Path) -> None:
    settings = load_settings(_home(tmp_path, "[outputs]\nmin_cell = 5\np_percent = 0.2\n"))
    assert settings.output_thresholds == {"min_cell": 5, "p_percent": 0.2}
    for text in ("[outputs]\nmin_cell = 1\n", "[outputs]\nmin_cell = 2.5\n",
                 "[outputs]\nnk_k = 2\n", "[outputs]\nmin_dof = true\n",
                 "[outputs]\nthreshold = 3\n"):
        with pytest.raises(HomeError, match="outputs"):
            load_settings(_home(tmp_path, text))


def test_workspace_settings_are_read_and_checked(tmp_path: Path) -> None:
    settings = load_settings(_home(tmp_path, "[workspace]\nmax_rows = 50\ntimeout_seconds = 2.5\n"
                                             "suspend_after = 5\n"))
    assert (settings.workspace_max_rows, settings.workspace_timeout_seconds,
            settings.workspace_suspend_after, settings.workspace_threads) == (50, 2.5, 5, 2)
    for text in ("[workspace]\nmax_rows = 0\n", "[workspace]\ntimeout_seconds = -1\n",
                 '[workspace]\nmemory_limit = "lots"\n', "[workspace]\nsuspend_after = true\n"):
        with pytest.raises(HomeError, match="workspace"):
            load_settings(_home(tmp_path, text))


@pytest.mark.parametrize("text", ["[risk]\nk = 1\n", "[risk]\nk = true\n",
                                  '[risk]\nkey_classes = ["names"]\n',
                                  "[risk]\nkey_classes = []\n"])
def test_risk_settings_are_checked(tmp_path: Path, text: str) -> None:
    with pytest.raises(HomeError, match="risk"):
        load_settings(_home(tmp_path, text))


def test_risk_settings_are_read(tmp_path: Path) -> None:
    settings = load_settings(_home(tmp_path, '[risk]\nk = 5\nkey_classes = '
                                             '["quasi_identifier", "special_category"]\n'))
    assert settings.risk_k == 5
    assert settings.risk_key_classes == ("quasi_identifier", "special_category")


def test_empty_file_gives_the_same_defaults(tmp_path: Path) -> None:
    settings = load_settings(_home(tmp_path, ""))
    assert settings == Settings(db_url=f"sqlite:///{tmp_path / 'fivesafes.db'}")
    assert (settings.ingest_chunk_rows, settings.identifier_retention_days) == (200_000, 30)


def test_values_from_the_file(tmp_path: Path) -> None:
    settings = load_settings(_home(tmp_path, (
        '[store]\nurl = "postgresql+psycopg://fs@db:5432/fs"\n'
        "[ingest]\nchunk_rows = 5000\n"
        "[retention]\nidentifier_days = 0\n"
    )))
    assert settings.db_url == "postgresql+psycopg://fs@db:5432/fs"
    assert settings.ingest_chunk_rows == 5000
    assert settings.ingest_shrink_share == 0.2
    assert settings.identifier_retention_days == 0


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(tmp_path, '[store]\nurl = "sqlite:////from/file.db"\n')
    monkeypatch.setenv("FIVESAFES_DB_URL", "postgresql+psycopg://fs@env:5432/fs")
    assert load_settings(home).db_url == "postgresql+psycopg://fs@env:5432/fs"
    monkeypatch.setenv("FIVESAFES_DB_URL", "")  # empty means unset
    assert load_settings(home).db_url == "sqlite:////from/file.db"
    monkeypatch.delenv("FIVESAFES_DB_URL")
    assert load_settings(home).db_url == "sqlite:////from/file.db"


def test_environment_overrides_the_default(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESAFES_DB_URL", "sqlite:////elsewhere.db")
    assert load_settings(_home(tmp_path, default_config_text())).db_url == "sqlite:////elsewhere.db"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[colour]\nscheme = 'dark'\n", ["colour"]),
        ("[store]\npassword = 'x'\n", ["store.password"]),
        ("[ingest]\nchunk_row = 10\n", ["ingest.chunk_row"]),
        ("top = 1\n[retention]\nidentifier_day = 3\n", ["retention.identifier_day", "top"]),
    ],
    ids=["section", "store-key", "ingest-key", "two"],
)
def test_unknown_settings_are_named(tmp_path: Path, text: str, named: list[str]) -> None:
    with pytest.raises(HomeError, match="unknown setting") as caught:
        load_settings(_home(tmp_path, text))
    message = str(caught.value)
    assert str(tmp_path / CONFIG_FILE) in message
    assert ", ".join(named) in message


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[ingest]\nchunk_rows = 0\n", "ingest.chunk_rows"),
        ("[ingest]\nchunk_rows = -5\n", "ingest.chunk_rows"),
        ("[ingest]\nchunk_rows = 'many'\n", "ingest.chunk_rows"),
        ("[ingest]\nchunk_rows = 1.5\n", "ingest.chunk_rows"),
        ("[retention]\nidentifier_days = -1\n", "retention.identifier_days"),
        ("[retention]\nidentifier_days = '30'\n", "retention.identifier_days"),
        ("[retention]\nidentifier_days = 2.0\n", "retention.identifier_days"),
        ("[ingest]\nshrink_share = 1\n", "ingest.shrink_share"),
        ("[ingest]\nshrink_share = -0.1\n", "ingest.shrink_share"),
        ("[ingest]\nshrink_share = true\n", "ingest.shrink_share"),
    ],
    ids=["zero", "negative", "text", "fraction", "days-negative", "days-text", "days-float",
         "shrink-whole", "shrink-negative", "shrink-boolean"],
)
def test_invalid_values_are_named(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(HomeError) as caught:
        load_settings(_home(tmp_path, text))
    assert named in str(caught.value)
    assert str(tmp_path / CONFIG_FILE) in str(caught.value)


@pytest.mark.parametrize("text", ["[ingest]\nchunk_rows = true\n",
                                  "[retention]\nidentifier_days = false\n"],
                         ids=["chunk_rows", "identifier_days"])
def test_booleans_are_not_numbers(tmp_path: Path, text: str) -> None:
    with pytest.raises(HomeError):
        load_settings(_home(tmp_path, text))


@pytest.mark.parametrize("text", ["store = 'sqlite:///x.db'\n", "ingest = 5\n",
                                  "retention = [1]\n"], ids=["store", "ingest", "retention"])
def test_a_section_that_is_not_a_table_is_named(tmp_path: Path, text: str) -> None:
    with pytest.raises(HomeError) as caught:
        load_settings(_home(tmp_path, text))
    assert text.split(" ")[0] in str(caught.value)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(HomeError, match="not valid TOML") as caught:
        load_settings(_home(tmp_path, "[store\nurl = 1\n"))
    assert str(tmp_path / CONFIG_FILE) in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HomeError, match="not a fivesafes home") as caught:
        load_settings(tmp_path)
    assert f"fivesafes init {tmp_path}" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////tmp/with space/fivesafes.db",
        'sqlite:////tmp/quote"d/fivesafes.db',
        "sqlite:///C:\\data\\fivesafes.db",
        "postgresql+psycopg://fs:p%40ss@db:5432/fs?options=-csearch_path%3Dx",
        "sqlite:////tmp/ünïcødé.db",
    ],
)
def test_url_written_by_init_reads_back_unchanged(tmp_path: Path, url: str) -> None:
    text = default_config_text().replace("[store]\n", f"[store]\nurl = {_toml_string(url)}\n", 1)
    assert load_settings(_home(tmp_path, text)).db_url == url
