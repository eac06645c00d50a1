"""User-facing errors.

A :class:`FivesafesError` carries a message written for the person at the keyboard: what was wrong
(which file, row, field) and what to do. The command line prints it on one line and exits non-zero,
without a traceback. Anything else escaping is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class FivesafesError(Exception):
    """A problem the user can fix; the message says what and how."""

    exit_code = 1


class ContractError(FivesafesError):
    """A source contract is malformed or does not match its file. ``problems`` holds each
    problem on its own (``FILE: where: what``); the message lists them all."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems) or [message]


class SourceFileError(FivesafesError):
    """A source extract cannot be read as its contract says."""


class StoreError(FivesafesError):
    """The metadata store is missing, unreachable or at the wrong schema version."""


class HomeError(FivesafesError):
    """The deployment home is missing, incomplete or would be overwritten."""


class AuditTamperedError(FivesafesError):
    """The audit log failed verification."""

    exit_code = 3


class KeyMaterialError(FivesafesError):
    """A key is missing, unreadable, has unsafe permissions or was shredded."""


class PermissionDenied(FivesafesError):
    """The actor may not do this. A refusal raised inside a unit of work of the metadata store is
    recorded there as a security event (``security.refused``), in a transaction of its own, so it
    survives the rollback of the attempted change; ``audited`` says it was."""

    exit_code = 4
    audited = False


class InvalidTransition(FivesafesError):
    """The requested state change is not allowed from the current state."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form or file: where (a path such as
    ``datasets[0].fields[1].level``) and what."""

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


def raise_problems(what: str, problems: list[Problem]) -> None:
    """Refuse ``what`` with every problem found, if there is any."""
    if problems:
        raise InvalidForm(what, problems)


class NotFound(FivesafesError):
    """A named account, project, application, panel or agreement does not exist."""


class NotEligible(PermissionDenied):
    """A person lacks current accreditation or training (safe people), so may not be added to a
    team, approved or given access."""


class WeakPassword(FivesafesError):
    """A password does not meet the policy."""


class RoutingError(FivesafesError):
    """An application's datasets have an owner with no configured route."""


class StepFailed(FivesafesError):
    """An SQL statement of a named step failed in the engine (:func:`fivesafes.sql.run`). The
    message names the step, the engine's complaint and the opening of the statement, never the
    values bound to it (they may be secrets or identifiers)."""

    def __init__(self, step: str, statement: str, reason: str) -> None:
        self.step = step
        self.statement = statement
        self.reason = reason
        super().__init__(f"{step} failed: {reason} (statement: {statement})")
