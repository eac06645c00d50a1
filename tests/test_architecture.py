"""The shape of the house: imports go down the floors of the walk, never up, and never in a circle.

Every ``import`` in ``src/fivesafes`` (including those inside functions) is read from the source
with :mod:`ast`. A room (a top-level module or package of ``fivesafes``) may import rooms on its
own floor or lower ones; ``docs/architecture.md`` draws the same floors, and a test below checks the
two agree.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

#: Floor of every room, lowest first. A room may import its own floor and the floors below.
FLOORS: dict[str, int] = {
    # the low rooms every stage may use
    "errors": 0, "sql": 0, "config": 0, "keys": 0, "encrypted_files": 0, "progress": 0,
    "store": 1, "audit": 1,
    "home": 2,
    "accounts": 3, "auditing": 3, "audit_anchors": 3, "pseudonyms": 3, "cli_support": 3,
    "listings": 3,
    # the walk, in order
    "synth": 4,
    "sources": 5,
    "standardise": 6,
    "partner": 6,
    "linkage": 6,
    "catalogue": 7,
    "risk": 8,
    "governance": 9,
    "extracts": 10,
    "workspace": 11,
    "outputs": 12,
    "retention": 13,
    # what assembles the whole house
    "demo": 14, "web": 14, "cli": 14, "tables": 14, "__main__": 15,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in SRC.rglob("*.py")}


def imported(module: str, path: Path) -> Iterator[str]:
    """The fivesafes modules that ``module`` imports (a package's own ancestors left out)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                targets.append(submodule if submodule in MODULES else origin)
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                yield target


GRAPH: dict[str, set[str]] = {m: set(imported(m, p)) for m, p in MODULES.items()}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<package>"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_round_a_circle() -> None:
    assert cycles(GRAPH) == [], "import cycles (break each by moving the shared part down)"


def test_every_room_has_a_floor() -> None:
    rooms = {room(m) for m in MODULES} - {"<package>"}
    assert rooms <= set(FLOORS), f"give these rooms a floor: {sorted(rooms - set(FLOORS))}"


def test_imports_only_go_down_the_floors() -> None:
    upward = sorted(
        f"{module} (floor {FLOORS[room(module)]}) imports {target} "
        f"(floor {FLOORS[room(target)]})"
        for module, targets in GRAPH.items() if room(module) in FLOORS
        for target in targets if room(target) in FLOORS
        and FLOORS[room(target)] > FLOORS[room(module)]
    )
    assert upward == []


def test_the_architecture_doc_draws_the_same_floors() -> None:
    text = DOCS.read_text(encoding="utf-8")
    drawn: dict[str, int] = {}
    for line in text.splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|([^|]+)\|", line)
        if match:
            for name in re.findall(r"`([a-z_]+)`", match.group(2)):
                drawn[name] = int(match.group(1))
    built = {r: f for r, f in FLOORS.items() if r in {room(m) for m in MODULES}}
    assert {r: drawn.get(r) for r in built} == built


def _is_command_line(module: str) -> bool:
    """A module that holds command-line commands or their helpers (not a service, not a view)."""
    last = module.rpartition(".")[2]
    return (module in {"fivesafes.cli", "fivesafes.cli_support", "fivesafes.__main__"}
            or last in {"cli", "commands", "command_line"} or ".commands." in module)


def test_the_demo_uses_services_and_views_not_the_command_line() -> None:
    """The demo walk calls the same service functions as any caller, and says their results
    through view modules: never a command, nor the command line's formatters."""
    demo = {m: sorted(t for t in GRAPH[m] if _is_command_line(t))
            for m in GRAPH if m.startswith("fivesafes.demo")}
    assert demo and {m: t for m, t in demo.items() if t} == {}


def test_command_line_modules_are_told_apart() -> None:
    assert _is_command_line("fivesafes.catalogue.commands")
    assert _is_command_line("fivesafes.governance.commands.people")
    assert _is_command_line("fivesafes.linkage.cli")
    assert not _is_command_line("fivesafes.catalogue.views")
    assert not _is_command_line("fivesafes.extracts.service")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_says_what_it_is(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    if tree.body:
        assert ast.get_docstring(tree), f"{module} has no docstring"


#: Modules that only run inside a tool: Alembic's migration environment, ``python -m``.
RUN_BY_A_TOOL = {"fivesafes.__main__", "fivesafes.store.migrations.env"}


@pytest.mark.parametrize("module", sorted(set(MODULES) - RUN_BY_A_TOOL
                                          - {m for m in MODULES if ".migrations.versions." in m}))
def test_every_module_imports(module: str) -> None:
    importlib.import_module(module)
