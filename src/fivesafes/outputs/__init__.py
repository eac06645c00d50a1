"""Safe outputs: aggregate outputs computed inside the workspace together with their disclosure
checks (threshold, dominance, class disclosure, extremes, degrees of freedom), suppression that
is verified by an interval attack, differencing across a project's outputs, and ACRO/SACRO
``results.json`` interchange.
"""

from fivesafes.outputs.checks import check
from fivesafes.outputs.data import Microdata, OutputError
from fivesafes.outputs.rules import CheckRecord, Finding, Severity, Thresholds
from fivesafes.outputs.safe import Output, checked
from fivesafes.outputs.tables import Table, frequency, histogram, magnitude

__all__ = ["CheckRecord", "Finding", "Microdata", "Output", "OutputError", "Severity", "Table",
           "Thresholds", "check", "checked", "frequency", "histogram", "magnitude"]
