"""A partner department and a home that has registered it (both backends through ``home``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pytest

from fivesafes.home import Deployment
from fivesafes.partner import agreement, kit, registry
from fivesafes.partner.agreement import Kit, PartnerKeys
from fivesafes.sources.contract import SourceContract, load_contracts
from fivesafes.synth import generate
from tests.conftest import Staff

PARTNER = "education"


@dataclass(frozen=True)
class Exchange:
    """A registered partner: its keys and kit (its side), its extract's contract."""

    home: Deployment
    staff: Staff
    keys: PartnerKeys
    kit: Kit
    contract: SourceContract
    folder: Path

    def prepare(self, out: str = "out") -> kit.PrepareResult:
        return kit.prepare(self.contract, self.keys, self.kit, self.folder / out)


@pytest.fixture(scope="session")
def partner_extract(tmp_path_factory: pytest.TempPathFactory) -> SourceContract:
    """A small synthetic extract (the probation one) standing in for a partner's, renamed."""
    out = tmp_path_factory.mktemp("partner-synth")
    generate(people=60, out=out, seed=5)
    contract = load_contracts(out / "contracts" / "probation.toml")[0]
    return dataclasses.replace(contract, name=PARTNER, owner="DfE", title="Pupil records")


@pytest.fixture
def exchange(home: Deployment, staff: Staff, tmp_path: Path,
             partner_extract: SourceContract) -> Exchange:
    folder = tmp_path / "partner-side"
    private, public = agreement.generate_keys(PARTNER, folder / "keys")
    _, made = registry.add_partner(home, by=staff.admin, name=PARTNER, organisation="DfE",
                                   public=agreement.read_public(public))
    return Exchange(home, staff, agreement.load_keys(private), made, partner_extract, folder)
