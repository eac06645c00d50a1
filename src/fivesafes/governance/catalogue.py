"""Which catalogue governance checks applications against, and which published data their risk
is assessed on.

By default those are the home's research-ready catalogue
(:class:`fivesafes.catalogue.listing.StoreCatalogue`: what ``fivesafes publish`` recorded) and
its published files (:class:`fivesafes.risk.data.HomeData`). :func:`use_catalogue` plugs in
others; the tests plug in the example catalogue and example data made for it.
"""

from __future__ import annotations

from collections.abc import Callable

from fivesafes.catalogue.listing import StoreCatalogue
from fivesafes.catalogue.refs import Catalogue
from fivesafes.home import Deployment
from fivesafes.risk.data import DataSource, HomeData

CatalogueProvider = Callable[["Deployment"], Catalogue]
DataProvider = Callable[["Deployment"], DataSource]
_provider: CatalogueProvider | None = None
_data: DataProvider | None = None


def use_catalogue(provider: CatalogueProvider | None, data: DataProvider | None = None) -> None:
    """Make governance read datasets from ``provider(deployment)`` and assess risk on
    ``data(deployment)`` (None: the home's research-ready catalogue and files again)."""
    global _provider, _data
    _provider, _data = provider, data


def catalogue_for(deployment: Deployment) -> Catalogue:
    """The catalogue governance checks applications against: the home's research-ready
    catalogue, unless another was plugged in with :func:`use_catalogue`."""
    if _provider is not None:
        return _provider(deployment)
    return StoreCatalogue(deployment)


def data_for(deployment: Deployment) -> DataSource:
    """The published data risk assessments are computed on: the home's research-ready files,
    unless other data was plugged in with :func:`use_catalogue`."""
    if _data is not None:
        return _data(deployment)
    return HomeData(deployment)
