"""A received partner source is read for linkage with its encoding and the secret from the key
ring (and the secret shows in no repr)."""

from __future__ import annotations

from sqlalchemy import select

from fivesafes.linkage.inputs import ingested_tables
from fivesafes.partner.encoding import encoded_columns
from fivesafes.partner.models import Partner
from fivesafes.partner.receive import receive
from tests.partner.conftest import PARTNER, Exchange, exchange, partner_extract  # noqa: F401


def test_ingested_tables_reads_a_partner_source(exchange: Exchange) -> None:  # noqa: F811
    result = exchange.prepare()
    receive(exchange.home, by=exchange.staff.officer, partner=PARTNER,
            folders=[result.identifiers, result.attributes])
    (table,) = ingested_tables(exchange.home)
    assert table.source == PARTNER and table.encoding is not None
    assert table.encoding.parameters == exchange.kit.encoding
    with exchange.home.store.reading() as session:
        name = session.execute(select(Partner.linkage_secret)).scalar_one()
    secret = exchange.home.keys.load_key(name)
    assert table.encoding.secret == secret
    assert secret.hex() not in repr(table) and repr(secret) not in repr(table)
    assert table.table.column_names == ["record_key", "record_id",
                                        *encoded_columns(exchange.kit.encoding)]
    assert table.table.num_rows == result.sent
