"""What one source's identifier columns are: the input to standardisation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from fivesafes.errors import ContractError
from fivesafes.sources.contract import SHARED_IDENTIFIER_NAME
from fivesafes.standardise.dates import DobFormat, compile_dob_format
from fivesafes.standardise.names import NAME_ORDERS, NameOrder
from fivesafes.standardise.sex import SEX_VALUES


@dataclass(frozen=True)
class StandardiseSpec:
    """One source's identifier columns, by role, as its contract declares them.

    Column names are the source table's column names (any characters; they are always quoted).
    ``address`` and ``operational_ids`` may name several columns: address columns are joined with
    ``", "`` in the given order; operational ids are kept as a list. ``shared_ids`` maps the name
    of each shared identifier (``ni_number``) to the column holding it (stored as sorted pairs). ``sex_codes`` may be given as
    a mapping; it is stored as sorted ``(code, value)`` pairs so the spec stays hashable.
    ``date_of_birth_format`` is ignored when the column is already a DATE or TIMESTAMP.
    Bad combinations raise :class:`~fivesafes.errors.ContractError` naming the source.
    """

    source: str
    record_key: str = "record_key"
    forename: str | None = None
    middle_names: str | None = None
    surname: str | None = None
    full_name: str | None = None
    full_name_order: NameOrder = "surname_first"
    date_of_birth: str | None = None
    date_of_birth_format: str = "%Y-%m-%d"
    sex: str | None = None
    sex_codes: tuple[tuple[str, str], ...] | Mapping[str, str] = ()
    postcode: str | None = None
    address: tuple[str, ...] | str = ()
    operational_ids: tuple[str, ...] | str = ()
    shared_ids: tuple[tuple[str, str], ...] | Mapping[str, str] = ()
    dob_format: DobFormat = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        where = f"source {self.source!r}"
        if not self.source:
            raise ContractError("a standardisation spec needs a source name")
        if self.full_name_order not in NAME_ORDERS:
            raise ContractError(
                f"{where}: full name order must be one of {', '.join(NAME_ORDERS)}, "
                f"not {self.full_name_order!r}"
            )
        try:
            dob_format = compile_dob_format(self.date_of_birth_format)
        except ValueError as error:
            raise ContractError(f"{where}, column {self.date_of_birth!r}: {error}") from None
        object.__setattr__(self, "dob_format", dob_format)
        object.__setattr__(self, "sex_codes", _codes(where, self.sex_codes))
        object.__setattr__(self, "address", _columns(self.address))
        object.__setattr__(self, "operational_ids", _columns(self.operational_ids))
        object.__setattr__(self, "shared_ids", _shared(where, self.shared_ids))
        if self.sex is not None and not self.sex_codes:
            raise ContractError(f"{where}: sex column {self.sex!r} needs a code table")
        if not self.identifier_columns:
            raise ContractError(f"{where}: no identifier columns to standardise")

    @property
    def identifier_columns(self) -> tuple[str, ...]:
        """Every source column the spec reads, except the record key."""
        single = (
            self.forename,
            self.middle_names,
            self.surname,
            self.full_name,
            self.date_of_birth,
            self.sex,
            self.postcode,
        )
        named = tuple(column for column in single if column is not None)
        shared = tuple(column for _, column in self.shared_ids)  # type: ignore[misc]
        return named + tuple(self.address) + tuple(self.operational_ids) + shared

    @property
    def codes(self) -> dict[str, str]:
        """The sex code table as a dict."""
        return dict(self.sex_codes)


def _columns(value: Iterable[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _shared(where: str, ids: tuple[tuple[str, str], ...] | Mapping[str, str]
            ) -> tuple[tuple[str, str], ...]:
    pairs = sorted(ids.items()) if isinstance(ids, Mapping) else sorted(ids)
    names = [name for name, _ in pairs]
    for name in names:
        if not SHARED_IDENTIFIER_NAME.match(name):
            raise ContractError(f"{where}: shared identifier name {name!r} must be lower-case "
                                "letters, digits and underscores, starting with a letter")
    if len(set(names)) != len(names):
        raise ContractError(f"{where}: a shared identifier is named twice among {names}")
    return tuple(pairs)


def _codes(
    where: str, codes: tuple[tuple[str, str], ...] | Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    pairs = list(codes.items()) if isinstance(codes, Mapping) else list(codes)
    table: dict[str, str] = {}
    for code, value in pairs:
        key = str(code).strip(" ")
        if value not in SEX_VALUES:
            raise ContractError(
                f"{where}: sex code {code!r} maps to {value!r}; use one of {', '.join(SEX_VALUES)}"
            )
        if not key:
            raise ContractError(f"{where}: a sex code is empty")
        if table.get(key, value) != value:
            raise ContractError(f"{where}: sex code {key!r} maps to two different values")
        table[key] = value
    return tuple(sorted(table.items()))
