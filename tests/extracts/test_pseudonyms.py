"""Project pseudonyms: the DuckDB computation is the standard HMAC-SHA256 (compared with the
standard library's), keyed per project, and keeps kinds of id apart."""

from __future__ import annotations

import hmac
import secrets

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from fivesafes.pseudonyms import project_pseudonym_sql, project_pseudonyms
from fivesafes.sql import Params


def _in_duckdb(key: bytes, kind: str, values: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    try:
        p = Params()
        expression = project_pseudonym_sql("v", key, kind, "PX", p)
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        sql = f"SELECT {expression} FROM t ORDER BY i"
        return [r[0] for r in con.execute(sql, p.values).fetchall()]
    finally:
        con.close()


@settings(max_examples=40, deadline=None)
@given(key=st.binary(min_size=16, max_size=64), kind=st.sampled_from(["person", "replaced/x"]),
       values=st.lists(st.text(max_size=40).filter(lambda s: "\x00" not in s), min_size=1,
                       max_size=20))
def test_duckdb_and_python_agree_with_hmac_sha256(key, kind, values) -> None:
    expected = ["PX" + hmac.new(key, kind.encode() + b"\x00" + v.encode(), "sha256")
                .hexdigest()[:20].upper() for v in values]
    assert project_pseudonyms(key, kind, "PX", values) == expected
    assert _in_duckdb(key, kind, values) == expected


def test_keys_and_kinds_keep_pseudonyms_apart() -> None:
    values = [f"P{i:012d}" for i in range(2000)]
    one, two = secrets.token_bytes(32), secrets.token_bytes(32)
    a = project_pseudonyms(one, "person", "PX", values)
    assert len(set(a)) == len(values)
    assert set(a).isdisjoint(project_pseudonyms(two, "person", "PX", values))
    assert set(a).isdisjoint(project_pseudonyms(one, "replaced", "PX", values))
    assert _in_duckdb(one, "person", [None, "x"])[0] is None
