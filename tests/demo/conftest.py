"""The demo steps run on the catalogue tests' synthetic extracts, with cheap password hashing."""

from __future__ import annotations

from tests.catalogue.conftest import synth
from tests.governance.conftest import cheap_hashing

__all__ = ["cheap_hashing", "synth"]
