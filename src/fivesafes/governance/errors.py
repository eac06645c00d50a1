"""Errors of the governance services. Each is a :class:`~fivesafes.errors.FivesafesError`, so the
command line prints its message and exits non-zero."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fivesafes.errors import FivesafesError, PermissionDenied


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form: where (a path such as ``datasets[0].fields[1].level``) and
    what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidForm(FivesafesError):
    """A form (an application, a project, an agreement, a configuration file) has problems; all
    of them are listed at once."""

    def __init__(self, what: str, problems: Sequence[Problem]) -> None:
        self.what = what
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what} has {count} problem{'s' if count != 1 else ''}:\n{lines}")


class NotFound(FivesafesError):
    """A named account, project, application, panel or agreement does not exist."""


class NotEligible(PermissionDenied):
    """A person lacks current accreditation or training (safe people), so may not be added to a
    team, approved or given access."""


class WeakPassword(FivesafesError):
    """A password does not meet the policy."""


class RoutingError(FivesafesError):
    """An application's datasets have an owner with no configured route."""
