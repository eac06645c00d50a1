"""Imports every module that defines tables, so Alembic and ``Base.metadata`` see them all."""

from fivesafes.store import models  # noqa: F401
