"""The pages and API routes, one module per part of the walk; importing this package fills the
route table (:data:`fivesafes.web.routing.ROUTES`)."""

from fivesafes.web.pages import (  # noqa: F401
    account,
    api,
    applications,
    apply,
    outputs,
    panel,
    public,
    staff,
)
