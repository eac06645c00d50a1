"""One of the home's own sources as a partner department would send it (tests, benchmarks).

:func:`as_partner` standardises a source's identifier table the way linkage (and the partner's
kit) does and encodes it with :func:`fivesafes.partner.records.encode_table`, giving the table a
received partner source holds: ``record_key``, ``record_id`` and the encoded columns. Linking the
result against the other sources and comparing with the plaintext link of the same data measures
what the encoding costs in accuracy.
"""

from __future__ import annotations

import duckdb
import numpy as np

from fivesafes.linkage.encoded import PartnerEncoding
from fivesafes.linkage.inputs import IdentifierTable
from fivesafes.partner.encoding import Encoder
from fivesafes.partner.records import encode_table
from fivesafes.standardise import standardise_many
from fivesafes.standardise.specs import reading_iso_dates, spec_for

__all__ = ["as_partner"]


def as_partner(item: IdentifierTable, encoding: PartnerEncoding,
               rng: np.random.Generator | None = None) -> IdentifierTable:
    """``item`` standardised and encoded under ``encoding`` (BLIP noise from ``rng``)."""
    con = duckdb.connect()
    try:
        con.register("partner_arrow", item.table)
        con.execute("CREATE TABLE partner_raw AS SELECT * FROM partner_arrow")
        spec = reading_iso_dates(spec_for(item.contract), item.iso_dates, con, "partner_raw")
        standardise_many(con, [("partner_raw", spec)], "partner_std")
        std = con.sql("SELECT s.*, CAST(s.dob AS VARCHAR) AS dob_text, r.record_id FROM "
                      "partner_std AS s JOIN partner_raw AS r USING (record_key) "
                      "ORDER BY r.record_id").to_arrow_table()
    finally:
        con.close()
    std = std.drop_columns(["dob"]).rename_columns(
        ["dob" if n == "dob_text" else n for n in std.drop_columns(["dob"]).column_names])
    encoder = Encoder(encoding.secret, encoding.parameters, rng=rng)
    encoded = encode_table(std, encoder)
    table = encoded.append_column("record_id", std.column("record_id").cast("string"))
    return IdentifierTable(item.contract, table, ingest=item.ingest, encoding=encoding)
