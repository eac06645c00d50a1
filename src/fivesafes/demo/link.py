"""The linkage step of ``make demo``: link the home and say what was found."""

from __future__ import annotations

from fivesafes.home import Deployment
from fivesafes.linkage.options import LinkOptions

__all__ = ["run_demo"]


def run_demo(deployment: Deployment, *, by: str = "demo:linkage-officer",
             options: LinkOptions | None = None) -> list[str]:
    """Link everything ingested into ``deployment``; lines to print: persons found, links per
    source pair, and where the quality report is."""
    options = options or LinkOptions()

    from fivesafes.linkage.runs import link_home

    result = link_home(deployment, by=by, options=options)
    summary = result.summary
    lines = [f"{result.label}: {summary['records']:,} records -> "
             f"{summary['clusters']:,} persons found"]
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE c AS SELECT * FROM read_parquet($1)", [str(result.clusters)])
        rows = con.sql("""
            WITH s AS (SELECT DISTINCT cluster_id, source FROM c)
            SELECT a.source, b.source, count(*) FROM s AS a JOIN s AS b
            ON a.cluster_id = b.cluster_id AND a.source <= b.source
            GROUP BY 1, 2 ORDER BY 1, 2""").fetchall()
    finally:
        con.close()
    lines.append("persons found in both sources of each pair (a source with itself: persons "
                 "found there):")
    for left, right, count in rows:
        lines.append(f"  {left:<14} {right:<14} {count:>10,}")
    split = summary.get("split") or {}
    if split:
        lines.append(f"over-merged clusters split: {split.get('split_clusters', 0):,}")
    lines.append(f"quality report: {result.report}")
    return lines
