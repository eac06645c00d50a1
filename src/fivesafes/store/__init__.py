"""The metadata store: governance, catalogue, ingest records and the audit log (SQLAlchemy 2)."""

from fivesafes.store.db import Store

__all__ = ["Store"]
