"""Every table of every stage, imported together so that ``Base.metadata`` holds them all (the
schema test compares it with the migrations). It sits on the top floor: it knows every room."""

from fivesafes.accounts import models as accounts_models  # noqa: F401
from fivesafes.catalogue import models as catalogue_models  # noqa: F401
from fivesafes.extracts import models as extracts_models  # noqa: F401
from fivesafes.governance import models as governance_models  # noqa: F401
from fivesafes.outputs import records as outputs_records  # noqa: F401
from fivesafes.partner import models as partner_models  # noqa: F401
from fivesafes.store import models  # noqa: F401
