"""User-facing errors.

A :class:`FivesafesError` carries a message written for the person at the keyboard: what was wrong
(which file, row, field) and what to do. The command line prints it on one line and exits non-zero,
without a traceback. Anything else escaping is a bug.
"""

from __future__ import annotations


class FivesafesError(Exception):
    """A problem the user can fix; the message says what and how."""

    exit_code = 1


class ContractError(FivesafesError):
    """A source contract is malformed or does not match its file."""


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
    """The actor may not do this."""

    exit_code = 4


class InvalidTransition(FivesafesError):
    """The requested state change is not allowed from the current state."""
