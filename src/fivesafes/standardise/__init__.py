"""Identifier standardisation: every source's identifiers into one common shape.

Pure Python reference functions (one per rule) live in the small modules below; their DuckDB SQL
twins are in :mod:`.sql`; :func:`standardise` and :func:`standardise_many` run the SQL over whole
tables. See each module's docstring for the exact rules.
"""

from fivesafes.standardise.addresses import address_text, address_tokens, extract_postcode
from fivesafes.standardise.dates import DobFlag, DobFormat, compile_dob_format, parse_dob
from fivesafes.standardise.engine import standardise, standardise_many
from fivesafes.standardise.names import (
    NameOrder,
    NameParts,
    all_name_tokens,
    clean_name,
    combine_name_parts,
    first_token,
    joined_name,
    name_tokens,
    names_swapped,
    split_full_name,
)
from fivesafes.standardise.phonetic import phonetic_key
from fivesafes.standardise.postcodes import (
    PostcodeFlag,
    PostcodeParts,
    normalise_postcode,
    postcode_parts,
)
from fivesafes.standardise.reference import (
    OUTPUT_COLUMNS,
    clean_operational_id,
    standardise_record,
)
from fivesafes.standardise.sex import SexFlag, map_sex
from fivesafes.standardise.spec import StandardiseSpec
from fivesafes.standardise.sql import swapped_names_sql
from fivesafes.standardise.variants import variant_group, variant_groups

__all__ = [
    "OUTPUT_COLUMNS",
    "DobFlag",
    "DobFormat",
    "NameOrder",
    "NameParts",
    "PostcodeFlag",
    "PostcodeParts",
    "SexFlag",
    "StandardiseSpec",
    "address_text",
    "address_tokens",
    "all_name_tokens",
    "clean_name",
    "clean_operational_id",
    "combine_name_parts",
    "compile_dob_format",
    "extract_postcode",
    "first_token",
    "joined_name",
    "map_sex",
    "name_tokens",
    "names_swapped",
    "normalise_postcode",
    "parse_dob",
    "phonetic_key",
    "postcode_parts",
    "split_full_name",
    "standardise",
    "standardise_many",
    "standardise_record",
    "swapped_names_sql",
    "variant_group",
    "variant_groups",
]
