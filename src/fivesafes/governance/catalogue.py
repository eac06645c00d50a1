"""Which catalogue governance checks applications against, and which published data their risk
is assessed on.

By default those are the home's research-ready catalogue
(:class:`fivesafes.catalogue.listing.StoreCatalogue`: what ``fivesafes publish`` recorded) and
its published files (:class:`fivesafes.risk.data.HomeData`). The service functions that read
them take ``published``: a :class:`Published` to use in their place, passed in by whoever calls
(the tests pass the example catalogue and the example data made for it). Nothing here is set
for the whole process.
"""

from __future__ import annotations

from dataclasses import dataclass

from fivesafes.catalogue.listing import StoreCatalogue
from fivesafes.catalogue.refs import Catalogue
from fivesafes.home import Deployment
from fivesafes.risk.data import DataSource, HomeData


@dataclass(frozen=True)
class Published:
    """A catalogue to check applications against and the published data to assess their risk
    on, in place of a home's own."""

    catalogue: Catalogue
    data: DataSource


def catalogue_for(deployment: Deployment, published: Published | None = None) -> Catalogue:
    """The catalogue governance checks applications against: that of ``published`` if given,
    else the home's research-ready catalogue."""
    return published.catalogue if published is not None else StoreCatalogue(deployment)


def data_for(deployment: Deployment, published: Published | None = None) -> DataSource:
    """The published data risk assessments are computed on: that of ``published`` if given,
    else the home's research-ready files."""
    return published.data if published is not None else HomeData(deployment)
