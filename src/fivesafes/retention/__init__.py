"""Retention: destroying identifier stores and removing what is no longer needed, on schedule.

* :mod:`fivesafes.retention.service` - destroying identifiers (with a deletion certificate), the
  status of each identifier store, and :func:`enforce`, the daily schedule;
* :mod:`fivesafes.retention.commands` - ``fivesafes identifiers`` and ``fivesafes retention``.

Reading a held identifier store is :mod:`fivesafes.sources.identifier_store`.
"""

from fivesafes.retention.service import (
    RETENTION_ACTOR,
    DestructionCertificate,
    destroy_identifiers,
    enforce,
    identifier_status,
)

__all__ = ["RETENTION_ACTOR", "DestructionCertificate", "destroy_identifiers", "enforce",
           "identifier_status"]
