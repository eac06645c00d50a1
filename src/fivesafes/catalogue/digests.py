"""Identifier digests: what the release gate and the replaced ids need from an identifier store,
kept in the linkage zone after the store itself is destroyed, without a single plaintext value.

For each ingest, ``linkage/digests/<ingest>/`` holds

``tokens.parquet`` (``kind``, ``h``)
    salted hashes of the identifier *tokens* the release gate looks for: record ids,
    operational ids and shared identifiers such as National Insurance numbers (``id``), postcodes, also those inside addresses (``postcode``), every
    ordered pair of two name tokens of one record (``name``), and a name token of a record next
    to its date of birth (``dob_name``). ``h`` is the first 64 bits of
    SHA-256(salt || form), where the salt is a secret of the home (``gate-salt``, wrapped by
    the master key) and the form is the normalised text (upper case, accents stripped, every run
    of other characters one space).
``operational.parquet`` (``source``, ``id_column``, ``record_key``, ``digest``)
    for each record, a salted hash of each operational id, so that a release can give records
    that share a case number the same replaced id without the case number.

Without the salt, the hashes cannot be tested against guesses; with it (linkage officers
only), they only answer "was this exact token an identifier?". They never map a record key to
a name. The digests are built while the identifiers are held, before they are destroyed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from fivesafes import audit
from fivesafes.accounts import Role, authorise
from fivesafes.errors import KeyMaterialError
from fivesafes.home import Busy, Deployment, move_all
from fivesafes.sources.contract import IdentifierColumn, SourceContract, contract_from_json
from fivesafes.sql import Fragment, Params, Statement, compose, fragments, quote, run, run_arrow
from fivesafes.store.models import IngestRun

DIGEST_SECRET = "gate-salt"
TOKENS_FILE = "tokens.parquet"
OPERATIONAL_FILE = "operational.parquet"
MIN_ID_CHARS = 5  # shorter ids cannot be told apart from ordinary numbers and codes
MAX_NAME_TOKENS = 6  # name tokens per record that form pairs
NAME_ROLES = ("forename", "middle_names", "surname", "full_name")

# Normalisation and hashing, shared by building the digests and scanning for them.
_MACROS = (
    r"CREATE OR REPLACE TEMP MACRO fs_norm(x) AS "
    r"trim(regexp_replace(strip_accents(upper(x)), '[^\pL\pN]+', ' ', 'g'))",
    "CREATE OR REPLACE TEMP MACRO fs_h(x) AS "
    "('0x' || left(sha256(getvariable('fs_salt') || x), 16))::UBIGINT",
    # a name token: letters only, at least two of them
    r"CREATE OR REPLACE TEMP MACRO fs_is_name(t) AS "
    r"length(t) >= 2 AND regexp_full_match(t, '\pL+')",
)


def digest_folder(deployment: Deployment, ingest_label: str) -> Path:
    return deployment.digests / ingest_label


def has_digests(deployment: Deployment, ingest_label: str) -> bool:
    return (digest_folder(deployment, ingest_label) / TOKENS_FILE).is_file()


def token_files(deployment: Deployment) -> list[Path]:
    """The token files of every ingest that has them, oldest first."""
    return sorted(deployment.digests.glob(f"ingest-*/{TOKENS_FILE}"))


def _salt(deployment: Deployment) -> str:
    keys = deployment.keys
    if not keys.has_key(DIGEST_SECRET):
        try:
            keys.create_secret(DIGEST_SECRET)
        except KeyMaterialError:
            pass  # created by a concurrent run a moment ago
    return keys.load_key(DIGEST_SECRET).hex()


_database: duckdb.DuckDBPyConnection | None = None


def cursor() -> duckdb.DuckDBPyConnection:
    """A connection of its own (temporary tables, macros and registered tables are private to
    it) to one in-memory DuckDB database shared by the process, opened once (2 threads)."""
    global _database
    if _database is None:
        _database = duckdb.connect()
        _database.execute("SET threads = 2")
        _database.execute("SET enable_progress_bar = false")
    return _database.cursor()


def connect(deployment: Deployment) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the normalising and hashing macros and this home's salt."""
    con = cursor()
    con.execute("SET VARIABLE fs_salt = $1", [_salt(deployment)])
    for macro in _MACROS:
        con.execute(macro)
    return con


# -- building ---------------------------------------------------------------------------------

def _list_of(columns: list[str]) -> Fragment:
    return Fragment("[" + ", ".join(quote(c) for c in columns) + "]")


# the parts of the token query; ``{...}`` are quoted names or fragments this module writes
_ID_TOKENS = """SELECT 'id' AS kind, fs_h('g:' || form) AS h FROM (
              SELECT DISTINCT unnest([n, replace(n, ' ', '')]) AS form FROM (
                SELECT fs_norm(unnest({ids})) AS n FROM ids))
            WHERE length(replace(form, ' ', '')) >= {min_chars}
              AND regexp_matches(form, '[0-9]')"""
_POSTCODES = "SELECT fs_norm(unnest({postcodes})) AS pc FROM ids"
_ADDRESS_POSTCODES = ("SELECT unnest(regexp_extract_all(fs_norm(a), "
                      "'(?:^| )([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})(?: |$)', 1)) AS pc "
                      "FROM (SELECT unnest({addresses}) AS a FROM ids)")
_POSTCODE_TOKENS = ("SELECT 'postcode', fs_h('g:' || pc) FROM (SELECT DISTINCT "
                    "replace(pc, ' ', '') AS pc FROM ({found})) "
                    "WHERE regexp_full_match(pc, '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')")
_NAME_TOKENS = """
            WITH named AS MATERIALIZED (
              SELECT DISTINCT {tokens} AS t,
                     list_filter({dob_list}, lambda d: d IS NOT NULL) AS dobs FROM ids)
            SELECT 'name', fs_h('n:' || pair) FROM (SELECT DISTINCT unnest(flatten(
              list_transform(t, lambda a: list_transform(list_filter(t, lambda b: b <> a),
                                                         lambda b: a || ' ' || b)))) AS pair
              FROM named)
            UNION ALL
            SELECT 'dob_name', fs_h('d:' || pair) FROM (SELECT DISTINCT unnest(flatten(
              list_transform(t, lambda a: list_transform(dobs, lambda d: a || ' ' || d))))
              AS pair FROM named)"""
_OPERATIONAL = ("SELECT {source} AS source, {column} AS id_column, record_key, "
                "fs_h('o:' || {source} || ':' || {column} || ':' || trim({id})) AS digest "
                "FROM ids WHERE trim({id}) <> ''")


def _token_sql(contract: SourceContract, p: Params) -> str:
    """SELECT kind, h for one source's identifier table ``ids``."""
    roles: dict[str, list[IdentifierColumn]] = {}
    for ident in contract.identifiers:
        if ident.column != contract.record_id:
            roles.setdefault(ident.role, []).append(ident)
    ids = ["record_id"] + [i.column for role in ("operational_id", "shared_identifier")
                           for i in roles.get(role, [])]
    parts = [compose(_ID_TOKENS, ids=_list_of(ids), min_chars=Fragment(p(MIN_ID_CHARS)))]
    postcodes = [i.column for i in roles.get("postcode", [])]
    addresses = [i.column for i in roles.get("address", [])]
    if postcodes or addresses:
        found = []
        if postcodes:
            found.append(Fragment(compose(_POSTCODES, postcodes=_list_of(postcodes))))
        if addresses:
            found.append(Fragment(compose(_ADDRESS_POSTCODES, addresses=_list_of(addresses))))
        parts.append(compose(_POSTCODE_TOKENS, found=fragments(found, " UNION ALL ")))
    names = [i.column for role in NAME_ROLES for i in roles.get(role, [])]
    if names:
        tokens = (f"list_distinct(list_filter(string_split(fs_norm(concat_ws(' ', "
                  f"{', '.join(quote(c) for c in names)})), ' '), lambda t: fs_is_name(t)))"
                  f"[1:{p(MAX_NAME_TOKENS)}]")
        dobs = []
        for ident in roles.get("date_of_birth", []):
            fmt = ident.format or "%Y-%m-%d"
            dobs.append(f"strftime(coalesce(try_strptime({quote(ident.column)}, {p(fmt)}), "
                        f"try_strptime({quote(ident.column)}, '%Y-%m-%d')), '%Y%m%d')")
        dob_list = "[" + ", ".join(dobs) + "]" if dobs else "[]::VARCHAR[]"
        parts.append(compose(_NAME_TOKENS, tokens=Fragment(tokens), dob_list=Fragment(dob_list)))
    return " UNION ALL ".join(f"({part})" for part in parts)


def token_statement(source: str, contract: SourceContract) -> Statement:
    """The distinct tokens (``kind``, ``h``) of one source's identifier table ``ids``."""
    p = Params()
    sql = _token_sql(contract, p)
    return Statement(f"digests: tokens of {source}", sql, p.values)


def _operational_sql(source: str, contract: SourceContract, p: Params) -> str | None:
    columns = [i.column for i in contract.identifier("operational_id")
               if i.column != contract.record_id]
    if not columns:
        return None
    return " UNION ALL ".join(
        compose(_OPERATIONAL, source=Fragment(p(source)), column=Fragment(p(c)), id=c)
        for c in columns
    )


def operational_statement(source: str, contract: SourceContract) -> Statement | None:
    """Each record's operational-id digests (``source``, ``id_column``, ``record_key``,
    ``digest``) from the identifier table ``ids``; None when the contract has none."""
    p = Params()
    sql = _operational_sql(source, contract, p)
    return None if sql is None else Statement(f"digests: operational ids of {source}", sql,
                                              p.values)


PARTS_TOKENS = Statement("digests: distinct tokens",
                         "SELECT DISTINCT kind, h FROM parts ORDER BY h")
PARTS_COUNTS = Statement("digests: count tokens",
                         "SELECT kind, count(*) FROM parts GROUP BY kind")


def build(deployment: Deployment, ingest: IngestRun, out: Path) -> dict[str, int]:
    """Write the digests of ``ingest``'s identifier store into the folder ``out``; the counts of
    distinct tokens by kind. Reads the identifiers, so they must still be held."""
    from fivesafes.sources.identifier_store import read_identifiers

    con = connect(deployment)
    token_parts: list[pa.Table] = []
    operational: list[pa.Table] = []
    try:
        for src in ingest.sources:
            contract = contract_from_json(src.contract)
            con.register("ids", read_identifiers(deployment, ingest.label, src.source))
            token_parts.append(run_arrow(con, token_statement(src.source, contract)))
            statement = operational_statement(src.source, contract)
            if statement is not None:
                operational.append(run_arrow(con, statement))
            con.unregister("ids")
        con.register("parts", pa.concat_tables(token_parts).rename_columns(["kind", "h"]))
        tokens = run_arrow(con, PARTS_TOKENS)
        counts = dict(run(con, PARTS_COUNTS).fetchall())
    finally:
        con.close()
    out.mkdir(parents=True, mode=0o700)
    pq.write_table(tokens, out / TOKENS_FILE, compression="zstd")
    schema = pa.schema([("source", pa.string()), ("id_column", pa.string()),
                        ("record_key", pa.string()), ("digest", pa.uint64())])
    ops = (pa.concat_tables([t.cast(schema) for t in operational]) if operational
           else schema.empty_table())
    pq.write_table(ops, out / OPERATIONAL_FILE, compression="zstd")
    return {k: int(v) for k, v in sorted(counts.items())}


def ensure_digests(deployment: Deployment, ingest_label: str, *, by: str) -> bool:
    """Build the digests of an ingest whose identifiers are held, unless they exist; True if
    they were built now. ``by`` is a linkage officer."""
    with deployment.store.reading() as session:
        authorise(session, by, (Role.LINKAGE_OFFICER,), "build identifier digests")
    with Busy(deployment, "identifiers"):
        return ensure_digests_locked(deployment, ingest_label, by=by)


def ensure_digests_locked(deployment: Deployment, ingest_label: str, *, by: str) -> bool:
    """:func:`ensure_digests` for a caller that holds the ``identifiers`` lock."""
    if has_digests(deployment, ingest_label):
        return False
    with deployment.store.reading() as session:
        ingest = session.execute(
            select(IngestRun).where(IngestRun.label == ingest_label)
        ).scalar_one()
        ingest.sources  # noqa: B018 - loaded before the session ends
    deployment.clear_abandoned_work("digests")
    work = deployment.new_work_folder("digests")
    try:
        counts = build(deployment, ingest, work / ingest_label)
        target = digest_folder(deployment, ingest_label)
        with deployment.store.transaction() as session:
            audit.record(session, by=by, action="identifiers.digested", subject=ingest_label,
                         at=deployment.clock(),
                         details={"tokens": counts, "folder": deployment.relative(target)})
            move_all([(work / ingest_label, target)])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


# -- looking up -------------------------------------------------------------------------------

def identifier_collisions(deployment: Deployment, values: list[str]) -> set[str]:
    """Those of ``values`` that equal a record id or operational id of any ingest (compared
    normalised, as the release gate does)."""
    files = token_files(deployment)
    if not values or not files:
        return set()
    con = connect(deployment)
    try:
        con.register("candidates", pa.table({"v": pa.array(values, pa.string())}))
        rows = con.sql(
            "SELECT DISTINCT c.v FROM candidates c JOIN read_parquet($1) t "
            "ON t.h = fs_h('g:' || fs_norm(c.v)) WHERE t.kind = 'id'",
            params=[[str(f) for f in files]],
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}
