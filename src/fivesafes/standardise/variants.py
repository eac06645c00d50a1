"""Given-name variant groups from the shipped table ``standardise/data/name_variants.csv``.

The table has columns ``group,name``: every row puts one name into one group, and a group's id is
its canonical name (``WILLIAM`` holds ``WILLIAM``, ``BILL``, ``LIAM`` ...). Names are stored
cleaned (:func:`~.names.clean_name`), and lookups clean the name first.

A name may belong to several groups (``ALEX`` is in ``ALEXANDER`` and ``ALEXANDRA``). Both views
are kept: :func:`variant_groups` returns every group, sorted, for overlap comparisons, and
:func:`variant_group` returns the first of them (the alphabetically lowest group id), so the
single-valued group is deterministic and never depends on file order.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from fivesafes.standardise.names import clean_name, first_token

_PACKAGE = "fivesafes.standardise"
_RESOURCE = ("data", "name_variants.csv")


@cache
def variant_table() -> dict[str, tuple[str, ...]]:
    """Every name in the shipped table mapped to its sorted group ids (read once, cached)."""
    text = resources.files(_PACKAGE).joinpath(*_RESOURCE).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["group", "name"]:
        raise ValueError(f"name_variants.csv must have columns group,name, not {reader.fieldnames}")
    groups: dict[str, set[str]] = {}
    for line_number, row in enumerate(reader, start=2):
        group, name = clean_name(row["group"]), clean_name(row["name"])
        if group is None or name is None or " " in name or " " in group:
            raise ValueError(f"name_variants.csv line {line_number}: bad row {row!r}")
        groups.setdefault(name, set()).add(group)
    return {name: tuple(sorted(ids)) for name, ids in groups.items()}


def variant_groups(name: str | None) -> tuple[str, ...]:
    """Every variant group of a given name, sorted; empty when the name is not in the table.

    The name is cleaned and only its first token is looked up (``Mary-Jane`` -> ``MARY``).
    """
    key = first_token(clean_name(name))
    if key is None:
        return ()
    return variant_table().get(key, ())


def variant_group(name: str | None) -> str | None:
    """The lowest variant group id of a given name (``Bill`` -> ``WILLIAM``), or ``None``."""
    groups = variant_groups(name)
    return groups[0] if groups else None
