"""Imports every module that defines tables, so Alembic and ``Base.metadata`` see them all."""

from fivesafes.catalogue import models as catalogue_models  # noqa: F401
from fivesafes.governance import models as governance_models  # noqa: F401
from fivesafes.store import models  # noqa: F401
