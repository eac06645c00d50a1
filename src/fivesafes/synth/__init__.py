"""Synthetic source extracts with ground truth, for demonstrations, tests and benchmarks.

``generate(people=N, out=DIR, seed=S)`` writes one extract per source system (magistrates' courts,
Crown Court, family court, prison, probation), each with its own columns, formats and record
numbering and with realistic recording errors, plus a source contract per extract, the ground
truth (which records belong to the same person), the people easily confused with each other
(``relations.csv``: households, twins, junior/senior, common names) and reference lookups.
``variant="heldback"`` uses a second error model, with its own seed, that the linkage is never
tuned on (``rates.VARIANTS``).
"""

from __future__ import annotations

from .generate import SynthPaths, SynthSummary, generate
from .systems import SOURCE_NAMES

__all__ = ["SOURCE_NAMES", "SynthPaths", "SynthSummary", "generate"]
