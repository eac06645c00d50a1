"""Errors of publishing and of the catalogue; each message names what and says what to do."""

from __future__ import annotations

from fivesafes.errors import FivesafesError


class PublishError(FivesafesError):
    """Publishing cannot start or go on (no link run, already published, missing inputs)."""


class ReleaseGateError(FivesafesError):
    """The release gate found identifier values in research-ready columns; nothing was
    published. ``report`` is the CSV of findings in the linkage zone."""

    exit_code = 5

    def __init__(self, message: str, report: str = "") -> None:
        super().__init__(message)
        self.report = report


class CatalogueError(FivesafesError):
    """A dataset, version or reference lookup does not exist or cannot be registered."""
