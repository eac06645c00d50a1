"""Minimised, time-limited project extracts under project-specific pseudonyms.

* :mod:`fivesafes.extracts.plan` - what an approved application's extract holds: the approved
  fields at the approved level (and coarser ones), the rows inside the approved coverage;
* :mod:`fivesafes.extracts.build` - writing it with DuckDB: re-keyed ids, Parquet encrypted at
  rest, the manifest and the data dictionary of what is in it;
* :mod:`fivesafes.extracts.service` - the service functions: building (atomic, audited with the
  manifest's digest), reading (only by someone the access check allows, at that moment);
* :mod:`fivesafes.extracts.models` - the table of builds.

See ``docs/extracts.md``.
"""

from fivesafes.extracts.plan import ExtractError
from fivesafes.extracts.service import (
    ExtractResult,
    build_extract,
    extract_manifest,
    read_extract,
)

__all__ = ["ExtractError", "ExtractResult", "build_extract", "extract_manifest",
           "read_extract"]
