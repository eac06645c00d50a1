"""Synthetic source extracts with ground truth, for demonstrations, tests and benchmarks.

``generate(people=N, out=DIR, seed=S)`` writes one extract per source system (magistrates' courts,
Crown Court, family court, prison, probation), each with its own columns, formats and record
numbering and with realistic recording errors, plus a source contract per extract, the ground
truth (which records belong to the same person) and reference lookups.
"""

from __future__ import annotations

from .generate import SynthPaths, SynthSummary, generate
from .systems import SOURCE_NAMES

__all__ = ["SOURCE_NAMES", "SynthPaths", "SynthSummary", "generate"]
