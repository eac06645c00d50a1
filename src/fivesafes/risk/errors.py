"""Errors of the risk assessment that are not problems of the request itself: a published file
that cannot be read, or that lacks a column the catalogue lists."""

from __future__ import annotations

from fivesafes.errors import FivesafesError


class RiskError(FivesafesError):
    """The published data cannot be assessed as the catalogue describes it; the message names
    the dataset, file and column."""
