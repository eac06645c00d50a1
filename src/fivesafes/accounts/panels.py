"""Which panels must approve an application: configuration, not code.

The routing file (TOML) names the panels, the route of each data owner, and the panel that
accredits projects last. fivesafes ships a default (``routing.toml`` beside this module) describing
the Ministry of Justice's routes; a deployment replaces it with ``HOME/routing.toml``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from fivesafes.errors import InvalidForm, Problem, RoutingError, raise_problems

if TYPE_CHECKING:
    from fivesafes.home import Deployment

ROUTING_FILE = "routing.toml"
PANEL_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")
_TOP_KEYS = {"accreditation_panel", "panels", "owners"}
_PANEL_KEYS = {"name", "body", "escalates_to"}
_OWNER_KEYS = {"route"}


@dataclass(frozen=True)
class Panel:
    """A body that decides on applications. ``escalates_to`` names the panel it may refer an
    application to (empty if none)."""

    key: str
    name: str
    body: str = ""
    escalates_to: str = ""


@dataclass(frozen=True)
class Routing:
    """Panels, the route of each data owner, and the accreditation panel."""

    panels: Mapping[str, Panel]
    owners: Mapping[str, tuple[str, ...]]
    accreditation_panel: str
    source: str = "default"

    def route(self, owners: Iterable[str]) -> tuple[str, ...]:
        """The approval panels, in order, for data from ``owners``: each owner's route in the
        order the owners are configured, each panel once. Refuses an owner with no route."""
        wanted = set(owners)
        unknown = sorted(wanted - set(self.owners))
        if unknown:
            raise RoutingError(
                f"no route is configured for data owner(s) {', '.join(unknown)} (configured: "
                f"{', '.join(self.owners)}); add [owners.<name>] with its route to the routing "
                f"file ({self.source})"
            )
        route: list[str] = []
        for owner, panels in self.owners.items():
            if owner in wanted:
                route.extend(p for p in panels if p not in route)
        return tuple(route)

    def panel(self, key: str) -> Panel:
        try:
            return self.panels[key]
        except KeyError:
            raise RoutingError(
                f"no panel '{key}' is configured (panels: {', '.join(self.panels)})"
            ) from None


def _text(value: Any, path: str, problems: list[Problem], *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(Problem(path, "must be a non-empty string"))
        return ""
    return value.strip()


def _unknown(table: Mapping[str, Any], allowed: set[str], path: str, problems: list[Problem]
             ) -> None:
    for key in table:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            problems.append(Problem(where, f"unknown setting; expected one of {sorted(allowed)}"))


def parse_routing(raw: Mapping[str, Any], *, source: str) -> Routing:
    """Check a parsed routing file, reporting every problem at once."""
    problems: list[Problem] = []
    _unknown(raw, _TOP_KEYS, "", problems)
    panels: dict[str, Panel] = {}
    raw_panels = raw.get("panels")
    if not isinstance(raw_panels, dict) or not raw_panels:
        problems.append(Problem("panels", "at least one [panels.<key>] table is needed"))
        raw_panels = {}
    for key, table in raw_panels.items():
        path = f"panels.{key}"
        if not PANEL_KEY.fullmatch(key):
            problems.append(Problem(path, "a panel key is lower case letters, digits and _"))
        if not isinstance(table, dict):
            problems.append(Problem(path, "must be a table"))
            continue
        _unknown(table, _PANEL_KEYS, path, problems)
        panels[key] = Panel(
            key=key,
            name=_text(table.get("name"), f"{path}.name", problems),
            body=_text(table.get("body"), f"{path}.body", problems, required=False),
            escalates_to=_text(table.get("escalates_to"), f"{path}.escalates_to", problems,
                               required=False),
        )
    for panel in panels.values():
        if panel.escalates_to and panel.escalates_to not in panels:
            problems.append(Problem(f"panels.{panel.key}.escalates_to",
                                    f"names no configured panel ('{panel.escalates_to}')"))
        if panel.escalates_to == panel.key:
            problems.append(Problem(f"panels.{panel.key}.escalates_to",
                                    "a panel cannot escalate to itself"))
    accreditation = _text(raw.get("accreditation_panel"), "accreditation_panel", problems)
    if accreditation and accreditation not in panels:
        problems.append(Problem("accreditation_panel", f"names no configured panel "
                                                       f"('{accreditation}')"))
    owners: dict[str, tuple[str, ...]] = {}
    raw_owners = raw.get("owners")
    if not isinstance(raw_owners, dict) or not raw_owners:
        problems.append(Problem("owners", "at least one [owners.<name>] table is needed"))
        raw_owners = {}
    for owner, table in raw_owners.items():
        path = f"owners.{owner}"
        if not isinstance(table, dict):
            problems.append(Problem(path, "must be a table"))
            continue
        _unknown(table, _OWNER_KEYS, path, problems)
        route = table.get("route")
        if not isinstance(route, list) or not route or not all(isinstance(p, str) for p in route):
            problems.append(Problem(f"{path}.route", "must be a non-empty list of panel keys"))
            continue
        for panel_key in route:
            if panel_key not in panels:
                problems.append(Problem(f"{path}.route", f"names no configured panel "
                                                         f"('{panel_key}')"))
            elif panel_key == accreditation:
                problems.append(Problem(f"{path}.route", f"'{panel_key}' is the accreditation "
                                                         "panel, which every route ends with"))
        if len(set(route)) != len(route):
            problems.append(Problem(f"{path}.route", "lists a panel twice"))
        owners[owner] = tuple(route)
    raise_problems(f"routing file {source}", problems)
    return Routing(panels=MappingProxyType(panels), owners=MappingProxyType(owners),
                   accreditation_panel=accreditation, source=source)


def load_routing(path: Path) -> Routing:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidForm(f"routing file {path}", [Problem("", f"not valid TOML ({exc})")]
                          ) from None
    return parse_routing(raw, source=str(path))


@functools.cache
def default_routing() -> Routing:
    """The routing shipped with fivesafes (the MoJ, HMCTS, HMPPS and other-department routes);
    read once."""
    text = resources.files("fivesafes.accounts").joinpath(ROUTING_FILE).read_text("utf-8")
    return parse_routing(tomllib.loads(text), source="fivesafes default routing.toml")


def routing_for(deployment: Deployment) -> Routing:
    """The deployment's own ``HOME/routing.toml`` if it has one, otherwise the default."""
    own = deployment.root / ROUTING_FILE
    return load_routing(own) if own.is_file() else default_routing()
