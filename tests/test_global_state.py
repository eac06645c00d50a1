"""Nothing is plugged in for the whole process: no module of ``src/fivesafes`` rebinds one of its
globals with the ``global`` statement (a catalogue, a data source or any other part is passed in
by the caller instead), except the few named below, each for a reason that is not a plug-in.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: module -> why it keeps a global; a module here must still need it (see the last test)
JUSTIFIED = {
    "fivesafes.pseudonyms": "one in-memory DuckDB database, opened once and then shared through "
                            "cursors of their own (a cache of a connection, not a plug-in)",
    "fivesafes.catalogue.digests": "the same: one in-memory DuckDB database opened once, whose "
                                   "cursors each hold their own macros and salt",
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def globals_rebound(source: str) -> list[str]:
    """The names ``source`` rebinds with ``global`` statements, in order."""
    return [name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Global)
            for name in node.names]


def _rebinding() -> dict[str, list[str]]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        names = globals_rebound(path.read_text(encoding="utf-8"))
        if names:
            found[_module(path)] = names
    return found


def test_the_scan_finds_a_global_statement_wherever_it_is() -> None:
    source = ("_provider = None\n\n"
              "def use(p):\n    global _provider\n    _provider = p\n\n"
              "class Holder:\n    def set(self, d):\n        def inner():\n"
              "            global _data, _more\n        inner()\n")
    assert globals_rebound(source) == ["_provider", "_data", "_more"]
    assert globals_rebound("_provider = None\n\ndef read():\n    return _provider\n") == []


def test_no_module_rebinds_a_global_but_the_justified_ones() -> None:
    unexpected = {m: names for m, names in _rebinding().items() if m not in JUSTIFIED}
    assert unexpected == {}, (
        "pass what the caller chooses in (a keyword argument, a value made once) instead of "
        f"setting it for the whole process with 'global': {unexpected}")


def test_every_justified_exception_is_still_needed() -> None:
    assert sorted(JUSTIFIED) == sorted(m for m in _rebinding() if m in JUSTIFIED)
    assert not any(m.startswith(("fivesafes.governance", "fivesafes.risk"))
                   for m in JUSTIFIED)
