"""From standardised identifiers to encoded ones: the same function on both sides of a link.

The partner's kit and the home both standardise their identifiers with :mod:`fivesafes.standardise`
and then call :func:`encode_table` with an :class:`~fivesafes.partner.encoding.Encoder` made from
the agreed secret and parameters, so a name written the same way in both departments sets the same
bits (up to BLIP noise). The record fields the encoder reads are taken from the standardised
columns: ``forename``, ``surname``, ``dob`` (ISO text), ``sex``, ``postcode_district`` and
``birth_year`` (the year of ``dob``, the default salt).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyarrow as pa

from fivesafes.partner.encoding import Encoder, encoded_columns

__all__ = ["ENCODED_FIELDS", "encode_table", "encoded_schema", "record_fields"]

#: The standardised columns an encoder may read (beside ``birth_year``, derived from ``dob``).
ENCODED_FIELDS = ("forename", "surname", "dob", "sex", "postcode_district")


def encoded_schema(encoder: Encoder, key_column: str = "record_key") -> pa.Schema:
    """The encoded table's schema: the key, Bloom filters (binary), keyed hashes (text)."""
    fields = [pa.field(key_column, pa.string(), nullable=False)]
    for name in encoded_columns(encoder.parameters):
        kind = pa.string() if name.endswith("_hash") else pa.binary()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text or None


def record_fields(row: dict[str, Any]) -> dict[str, Any]:
    """One standardised row as the fields an encoder reads (missing columns are ``None``)."""
    dob = _iso(row.get("dob"))
    fields = {name: row.get(name) for name in ENCODED_FIELDS}
    fields["dob"] = dob
    fields["birth_year"] = dob[:4] if dob else None
    return fields


def encode_table(standardised: pa.Table, encoder: Encoder,
                 key_column: str = "record_key", batch_rows: int = 20_000) -> pa.Table:
    """Every row of ``standardised`` encoded: ``key_column`` and the encoded columns (the Bloom
    filters a batch of rows at a time, see :meth:`~.encoding.Encoder.bloom_many`)."""
    schema = encoded_schema(encoder, key_column)
    p = encoder.parameters
    present = [c for c in (key_column, *ENCODED_FIELDS) if c in standardised.column_names]
    batches = []
    for batch in standardised.select(present).to_batches(max_chunksize=batch_rows):
        rows = [record_fields(row) for row in batch.to_pylist()]
        columns: dict[str, list[Any]] = {key_column: [str(k) for k in
                                                      batch.column(key_column).to_pylist()]}
        salts = [encoder.salt_of(row) for row in rows]
        if p.clk:
            columns["clk"] = [encoder.clk(row) for row in rows]
        else:
            for field in p.fuzzy_fields:
                values = [None if r.get(field) is None else str(r[field]) for r in rows]
                columns[f"{field}_bf"] = encoder.bloom_many(field, values, salts)
        for field in p.exact_fields:
            columns[f"{field}_hash"] = [encoder.exact(field, r.get(field)) for r in rows]
        batches.append(pa.table(columns, schema=schema))
    return pa.concat_tables(batches) if batches else schema.empty_table()
