"""The synthetic source systems, each with its own columns, formats and record numbering."""

from __future__ import annotations

from . import crown_court, family_court, magistrates, prison, probation

SYSTEMS = (magistrates, crown_court, family_court, prison, probation)
SOURCE_NAMES = tuple(system.SPEC.name for system in SYSTEMS)

__all__ = ["SOURCE_NAMES", "SYSTEMS"]
