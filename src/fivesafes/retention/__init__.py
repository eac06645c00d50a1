"""Retention: destroying identifier stores and removing what is no longer needed, on schedule.

* :mod:`fivesafes.retention.service` - the status of each identifier store, and
  :func:`enforce`, the daily schedule (destroying identifiers itself, with its deletion
  certificate, is :mod:`fivesafes.catalogue.destruction`, which publishing also uses);
* :mod:`fivesafes.retention.commands` - ``fivesafes identifiers`` and ``fivesafes retention``.

Reading a held identifier store is :mod:`fivesafes.sources.identifier_store`.
"""

from fivesafes.catalogue.destruction import DestructionCertificate, destroy_identifiers
from fivesafes.retention.service import RETENTION_ACTOR, enforce, identifier_status

__all__ = ["RETENTION_ACTOR", "DestructionCertificate", "destroy_identifiers", "enforce",
           "identifier_status"]
