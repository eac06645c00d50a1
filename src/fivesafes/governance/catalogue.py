"""Which catalogue governance checks applications against.

By default that is the home's research-ready catalogue
(:class:`fivesafes.catalogue.listing.StoreCatalogue`: what ``fivesafes publish`` recorded).
:func:`use_catalogue` plugs in another one; the tests plug in the example catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

from fivesafes.catalogue.listing import StoreCatalogue
from fivesafes.catalogue.refs import Catalogue
from fivesafes.home import Deployment

CatalogueProvider = Callable[["Deployment"], Catalogue]
_provider: CatalogueProvider | None = None


def use_catalogue(provider: CatalogueProvider | None) -> None:
    """Make governance read datasets from ``provider(deployment)`` (None: the home's
    research-ready catalogue again)."""
    global _provider
    _provider = provider


def catalogue_for(deployment: Deployment) -> Catalogue:
    """The catalogue governance checks applications against: the home's research-ready
    catalogue, unless another was plugged in with :func:`use_catalogue`."""
    if _provider is not None:
        return _provider(deployment)
    return StoreCatalogue(deployment)
