"""The route table: every page and API route, who may reach it, and the one gate they all pass.

A route names its access rule (public, signed in, or one of some roles); the gate checks it on
the server before the handler runs, and the handler then calls the same audited service
functions the command line uses, with the signed-in person as ``by`` (the services check project
membership, accreditation, approval and the access window). Nothing is reachable that is not in
``ROUTES`` (deny by default), and the authorisation tests walk this table.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from fivesafes.accounts import Role
from fivesafes.governance.catalogue import Published
from fivesafes.home import Deployment
from fivesafes.web.sessions import SignedIn


@dataclass(frozen=True)
class Rule:
    """Who may reach a route. ``roles`` empty: anyone signed in (or anyone, if not
    ``signed_in``); otherwise one of ``roles`` (a panel member of any panel counts)."""

    signed_in: bool = True
    roles: tuple[Role, ...] = ()

    def describe(self) -> str:
        if not self.signed_in:
            return "anyone"
        if not self.roles:
            return "anyone signed in"
        return "the " + " or ".join(str(r) for r in self.roles) + " role"


PUBLIC = Rule(signed_in=False)
SIGNED_IN = Rule()


def roles(*needed: Role) -> Rule:
    return Rule(roles=needed)


@dataclass
class Context:
    """What a handler gets: the request, the home, who is signed in, path values and the form;
    and the catalogue and published data the app was given in place of the home's, if any."""

    request: Request
    deployment: Deployment
    me: SignedIn | None
    path: dict[str, str]
    form: FormData | None = None
    #: set by handlers that sign in or out: (token or None to clear)
    new_token: tuple[str | None] | None = None
    published: Published | None = None

    @property
    def by(self) -> str:
        assert self.me is not None, "a route that needs no sign-in has no actor"
        return self.me.account.username

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name, default) if self.form is not None else default
        return value.strip() if isinstance(value, str) else default


Handler = Callable[[Context], Any]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    name: str
    rule: Rule
    handler: Handler
    api: bool = False
    summary: str = ""
    params: tuple[str, ...] = field(default=())

    def endpoint_signature(self) -> inspect.Signature:
        """The signature FastAPI documents: the request, and each path value as a string."""
        parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        annotation=Request)]
        parameters += [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=str)
                       for p in self.params]
        return inspect.Signature(parameters)


ROUTES: list[Route] = []


def route(method: str, path: str, *, rule: Rule, name: str, api: bool = False
          ) -> Callable[[Handler], Handler]:
    """Add the decorated handler to ``ROUTES``."""
    def add(handler: Handler) -> Handler:
        if any(r.name == name for r in ROUTES):
            raise ValueError(f"two routes are named {name}")
        ROUTES.append(Route(method, path, name, rule, handler, api,
                            (inspect.getdoc(handler) or "").split("\n")[0],
                            tuple(re.findall(r"{(\w+)}", path))))
        return handler
    return add
