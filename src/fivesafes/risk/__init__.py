"""Disclosure risk of a requested combination of fields (see ``docs/risk.md``).

The entry point is :func:`fivesafes.risk.service.assess` (``assess_home`` for a home's
published data), returning a :class:`~fivesafes.risk.service.RiskAssessment`. Modules:
``request`` (what is assessed, checked against the catalogue), ``data`` (published files and
loading the coverage), ``classes`` (equivalence classes, k, uniques, prosecutor risk),
``diversity`` (l-diversity), ``persons`` (person-level classes across linked datasets),
``lattice`` (the generalisation lattice and its Flash-style search), ``service``, ``page``
(the assessment as a self-contained HTML page with a chart of class sizes).
The room is pure: it reads published data and the catalogue, and writes nothing.
"""

from fivesafes.risk.request import DatasetChoice, FieldChoice, Request
from fivesafes.risk.service import DEFAULT_K, RiskAssessment, assess, assess_home

__all__ = ["DEFAULT_K", "DatasetChoice", "FieldChoice", "Request", "RiskAssessment", "assess",
           "assess_home"]
