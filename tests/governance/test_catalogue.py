"""Which catalogue and published data governance reads: the home's, unless the caller passes
others in."""

from __future__ import annotations

import dataclasses

import pytest

from fivesafes.catalogue.listing import StoreCatalogue
from fivesafes.governance.catalogue import Published, catalogue_for, data_for
from fivesafes.risk.data import HomeData


def test_given_nothing_governance_reads_the_homes_catalogue_and_files(home) -> None:
    assert isinstance(catalogue_for(home), StoreCatalogue)
    assert isinstance(data_for(home), HomeData)


def test_what_is_passed_in_is_read_and_cannot_be_changed_afterwards(
        home, example_datasets: Published) -> None:
    assert catalogue_for(home, example_datasets) is example_datasets.catalogue
    assert data_for(home, example_datasets) is example_datasets.data
    with pytest.raises(dataclasses.FrozenInstanceError):
        example_datasets.catalogue = None  # type: ignore[misc]
