"""The standardised shape, and the whole-row Python reference that produces it without SQL.

:func:`standardise_record` produces exactly what :func:`~.engine.standardise` writes for the same
row (the tests hold the two to agreement), built from the per-rule reference functions.

Columns of the standardised table (:data:`OUTPUT_COLUMNS`), one row per source record:

=========================  =========  =====================================================
``record_key``             as source  the source table's record key, unchanged
``source``                 VARCHAR    the spec's source name
``forename``               VARCHAR    first given word, cleaned (``JOHN``, ``MARY-JANE``)
``middle_names``           VARCHAR    further given words, then the middle-names column
``surname``                VARCHAR    cleaned surname (``SMITH-JONES``, ``MC DONALD``)
``forename_initial``       VARCHAR    first letter of the forename
``surname_joined``         VARCHAR    surname without spaces or hyphens (``MCDONALD``)
``surname_tokens``         VARCHAR[]  surname split on spaces and hyphens
``name_tokens``            VARCHAR[]  sorted distinct tokens of all name parts: equal for
                                      swapped or reordered names
``forename_variant_group`` VARCHAR    lowest variant group of the forename's first token
``forename_variant_groups`` VARCHAR[] every variant group of it, sorted
``forename_phonetic``      VARCHAR    metaphone of the forename's first token
``surname_phonetic``       VARCHAR    metaphone of ``surname_joined``
``dob``                    DATE       date of birth, only when ``dob_flag`` is ``ok``
``dob_flag``               VARCHAR    ok, missing, bad_format, impossible, before_1900, future
``sex``                    VARCHAR    male, female or NULL
``sex_flag``               VARCHAR    ok, unknown, unknown_code, missing
``postcode``               VARCHAR    ``LS6 2AB``, from the postcode column, else the address
``postcode_area``          VARCHAR    ``LS``
``postcode_district``      VARCHAR    ``LS6``
``postcode_sector``        VARCHAR    ``LS6 2``
``postcode_flag``          VARCHAR    ok, corrected, from_address, invalid, missing
``postal_code``            VARCHAR    when ``postcode_flag`` is ``invalid``: the postcode
                                      column's letters and digits, upper case (a postal code
                                      of another country, ``4223``, or a mistyped one)
``address_tokens``         VARCHAR[]  address words without postcodes, abbreviations expanded
``operational_ids``        VARCHAR[]  operational ids, letters and digits only, upper case
``shared_ids``             MAP        shared identifier name -> its value, cleaned as an
                                      operational id (``ni_number`` -> ``QQ123456C``)
=========================  =========  =====================================================

Empty lists are NULL. A record's ``postcode_flag`` is ``invalid`` only when its postcode column
held something invalid and no postcode could be taken from its address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from fivesafes.standardise.addresses import address_tokens, extract_postcode
from fivesafes.standardise.dates import EARLIEST_DOB, parse_dob
from fivesafes.standardise.names import (
    all_name_tokens,
    combine_name_parts,
    first_token,
    joined_name,
    name_tokens,
)
from fivesafes.standardise.phonetic import phonetic_key
from fivesafes.standardise.postcodes import (
    compact_postcode,
    normalise_postcode,
    postcode_parts,
)
from fivesafes.standardise.sex import map_sex
from fivesafes.standardise.spec import StandardiseSpec
from fivesafes.standardise.variants import variant_groups

#: The standardised table's columns, in order.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "record_key",
    "source",
    "forename",
    "middle_names",
    "surname",
    "forename_initial",
    "surname_joined",
    "surname_tokens",
    "name_tokens",
    "forename_variant_group",
    "forename_variant_groups",
    "forename_phonetic",
    "surname_phonetic",
    "dob",
    "dob_flag",
    "sex",
    "sex_flag",
    "postcode",
    "postcode_area",
    "postcode_district",
    "postcode_sector",
    "postcode_flag",
    "postal_code",
    "address_tokens",
    "operational_ids",
    "shared_ids",
)

_NOT_ALNUM = re.compile("[^A-Za-z0-9]")


def clean_operational_id(value: str | None) -> str | None:
    """ASCII letters and digits of an operational id, upper case: ``ab/12 3`` -> ``AB123``."""
    if value is None:
        return None
    return _NOT_ALNUM.sub("", value).upper() or None


def _text(row: Mapping[str, Any], column: str | None) -> str | None:
    if column is None:
        return None
    value = row.get(column)
    return None if value is None else str(value)


def _typed_dob(value: Any, as_of: date) -> tuple[date | None, str]:
    day = value.date() if hasattr(value, "date") else value
    if day is None:
        return None, "missing"
    if day < EARLIEST_DOB:
        return None, "before_1900"
    if day > as_of:
        return None, "future"
    return day, "ok"


def standardise_record(
    row: Mapping[str, Any], spec: StandardiseSpec, as_of: date
) -> dict[str, Any]:
    """One source row (column -> raw value) standardised in pure Python: the reference engine."""
    parts = combine_name_parts(
        forename=_text(row, spec.forename),
        middle_names=_text(row, spec.middle_names),
        surname=_text(row, spec.surname),
        full_name=_text(row, spec.full_name),
        order=spec.full_name_order,
    )
    forename_key = first_token(parts.forename)
    groups = list(variant_groups(forename_key))
    raw_dob = row.get(spec.date_of_birth) if spec.date_of_birth else None
    if isinstance(raw_dob, date):
        dob, dob_flag = _typed_dob(raw_dob, as_of)
    else:
        dob, dob_flag = parse_dob(_text(row, spec.date_of_birth), spec.dob_format, as_of)
    sex, sex_flag = map_sex(_text(row, spec.sex), spec.codes)
    address_values = [_text(row, column) for column in spec.address]
    present = [value for value in address_values if value is not None]
    address = ", ".join(present) if present else None
    postcode, postcode_flag = normalise_postcode(_text(row, spec.postcode))
    if postcode is None:
        from_address = extract_postcode(address)
        if from_address is not None:
            postcode, postcode_flag = from_address, "from_address"
        elif postcode_flag != "invalid":
            postcode_flag = "missing"
    geography = postcode_parts(postcode)
    ids = [clean_operational_id(_text(row, column)) for column in spec.operational_ids]
    kept_ids = [value for value in ids if value is not None]
    shared = {name: value for name, column in spec.shared_ids  # type: ignore[misc]
              if (value := clean_operational_id(_text(row, column))) is not None}
    return {
        "record_key": row.get(spec.record_key),
        "source": spec.source,
        "forename": parts.forename,
        "middle_names": parts.middle_names,
        "surname": parts.surname,
        "forename_initial": parts.forename[:1] if parts.forename else None,
        "surname_joined": joined_name(parts.surname),
        "surname_tokens": name_tokens(parts.surname) or None,
        "name_tokens": all_name_tokens(parts),
        "forename_variant_group": groups[0] if groups else None,
        "forename_variant_groups": groups or None,
        "forename_phonetic": phonetic_key(forename_key),
        "surname_phonetic": phonetic_key(parts.surname),
        "dob": dob,
        "dob_flag": dob_flag,
        "sex": sex,
        "sex_flag": sex_flag,
        "postcode": postcode,
        "postcode_area": geography.area if geography else None,
        "postcode_district": geography.district if geography else None,
        "postcode_sector": geography.sector if geography else None,
        "postcode_flag": postcode_flag,
        "postal_code": (compact_postcode(_text(row, spec.postcode) or "") or None
                        if postcode_flag == "invalid" else None),
        "address_tokens": address_tokens(address),
        "operational_ids": kept_ids or None,
        "shared_ids": shared or None,
    }
