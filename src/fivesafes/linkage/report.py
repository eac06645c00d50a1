"""The linkage quality report: one self-contained HTML file (inline SVG charts, no scripts).

:func:`gather` reads what the report shows from a finished run's DuckDB tables; :func:`render`
turns it into HTML. The clerical-review sample and the largest clusters show identifiers, so
that report is written only into the linkage zone (or the standalone output folder) and must not
leave it. ``render(..., identifiers=False)`` is the same report without them: examples are shown
by record key, and a review pair says which identifiers agree instead of showing them. A home
link run keeps that version beside the full one, and it replaces the full one when the run's
identifiers are destroyed (:func:`fivesafes.linkage.runs.redact_reports`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

from fivesafes.linkage.charts import bar_chart, hbar_chart, line_chart
from fivesafes.linkage.evaluate import Accuracy
from fivesafes.linkage.pairs import REVIEW_COLUMNS
from fivesafes.linkage.pipeline import LinkOutcome, rule_comparisons
from fivesafes.sql import Fragment, Statement, compose, quote, run

__all__ = ["ReportData", "gather", "render"]

DuckDB = duckdb.DuckDBPyConnection

REVIEW_PAIRS = 30
LARGEST = 10
_SHOWN = REVIEW_COLUMNS


@dataclass
class ReportData:
    weights: list[tuple[str, float]] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    sizes: list[tuple[int, int]] = field(default_factory=list)
    largest: list[dict[str, Any]] = field(default_factory=list)
    blocking: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    kept_apart: list[dict[str, Any]] = field(default_factory=list)
    shown: tuple[str, ...] = ()
    accuracy: Accuracy | None = None


# -- the statements (pure builders; names quoted, values bound) -------------------------------

WEIGHTS = Statement("report: match weights",
                    "SELECT floor(match_weight) AS w, count(*) FROM pairs GROUP BY 1 ORDER BY 1")
SIZES = Statement("report: cluster sizes", """
    SELECT size, count(*) FROM (SELECT count(*) AS size FROM clusters GROUP BY cluster_id)
    GROUP BY 1 ORDER BY 1""")
LARGEST_CLUSTERS = Statement("report: largest clusters", """
    WITH big AS (SELECT cluster_id, count(*) AS size FROM clusters GROUP BY 1
                 ORDER BY size DESC, cluster_id LIMIT $1)
    SELECT b.cluster_id, b.size,
        string_agg(DISTINCT c.source, ', ' ORDER BY c.source) AS sources,
        string_agg(DISTINCT f.full_name, '; ' ORDER BY f.full_name) AS names,
        count(DISTINCT f.dob) AS dobs, count(DISTINCT f.full_name) AS name_count,
        list(c.source || ':' || c.record_key ORDER BY c.source, c.record_key) AS keys
    FROM big AS b JOIN clusters AS c USING (cluster_id)
    JOIN features AS f ON f.source_dataset || '-__-' || f.unique_id = c.node
    GROUP BY b.cluster_id, b.size ORDER BY b.size DESC, b.cluster_id""", [LARGEST])
KEPT_BY_RULE = Statement("report: pairs kept by each blocking rule",
                         "SELECT match_key, count(*) FROM pairs GROUP BY 1")
PAIR_COLUMNS = Statement("report: read the pairs' columns", "DESCRIBE pairs")
FEATURE_COLUMNS = Statement("report: read the features' columns", "DESCRIBE features")
PAIR_COUNT = Statement("report: count pairs", "SELECT count(*) FROM pairs")

def _with_sides(picked: str, columns: tuple[str, ...]) -> Fragment:
    """The pairs chosen by ``picked`` (a query over ``pairs``) with each record's key (pairs name
    records by link id, and the report shows the record key, as everywhere else) and both sides
    of each feature column in ``columns``, read from the features table for these pairs only."""
    sides = "".join(f", fl.{quote(c)} AS {quote(c + '_l')}, fr.{quote(c)} AS {quote(c + '_r')}"
                    for c in columns)
    return Fragment(compose(
        "(SELECT p.*, l.record_key AS key_l, r.record_key AS key_r{sides} FROM ({picked}) AS p "
        "JOIN records AS l ON l.source = p.source_dataset_l AND l.link_id = p.unique_id_l "
        "JOIN records AS r ON r.source = p.source_dataset_r AND r.link_id = p.unique_id_r "
        "LEFT JOIN features AS fl ON fl.source_dataset = p.source_dataset_l "
        "AND fl.unique_id = p.unique_id_l "
        "LEFT JOIN features AS fr ON fr.source_dataset = p.source_dataset_r "
        "AND fr.unique_id = p.unique_id_r)", sides=Fragment(sides), picked=Fragment(picked)))


def _both_sides(columns: tuple[str, ...]) -> list[str]:
    """Each feature column's two sides, as the report names them (``dob_l``, ``dob_r``)."""
    return [f"{c}_{side}" for c in columns for side in ("l", "r")]


#: The clerical-review sample's pairs: the closest to the threshold, half on each side.
_CLOSEST = ("(SELECT * FROM pairs WHERE match_probability >= $1 "
            "ORDER BY match_probability, join_key_l LIMIT $2) UNION ALL "
            "(SELECT * FROM pairs WHERE match_probability < $1 "
            "ORDER BY match_probability DESC, join_key_l LIMIT $2)")


def review_statement(threshold: float, columns: tuple[str, ...]) -> Statement:
    """The clerical-review sample: the :data:`REVIEW_PAIRS` scored pairs closest to
    ``threshold``, half on each side, with both sides of each feature column in ``columns``."""
    shown = Fragment("".join(f", {quote(c)}" for c in _both_sides(columns)))
    return Statement("report: clerical review sample", compose("""
        SELECT match_probability, match_weight, source_dataset_l, key_l,
                source_dataset_r, key_r{shown} FROM {pairs}
        ORDER BY match_probability DESC, source_dataset_l, key_l""",
        shown=shown, pairs=_with_sides(_CLOSEST, columns)), [threshold, REVIEW_PAIRS // 2])


KEPT_APART = 20

_STRONGEST_APART = ("SELECT * FROM pairs WHERE contradicts "
                    "ORDER BY match_probability DESC, join_key_l, join_key_r LIMIT $1")


def kept_apart_statement(columns: tuple[str, ...]) -> Statement:
    """The :data:`KEPT_APART` highest-scoring pairs that contradict, with both sides of each
    feature column in ``columns``."""
    shown = Fragment("".join(f", {quote(c)}" for c in _both_sides(columns)))
    return Statement("report: pairs kept apart", compose("""
        SELECT match_probability, contradiction, source_dataset_l, key_l, source_dataset_r,
            key_r{shown}
        FROM {pairs}
        ORDER BY match_probability DESC, join_key_l, join_key_r""",
        shown=shown, pairs=_with_sides(_STRONGEST_APART, columns)), [KEPT_APART])


# -- reading them -----------------------------------------------------------------------------

def _weights(con: DuckDB) -> list[tuple[str, float]]:
    rows = run(con, WEIGHTS).fetchall()
    return [(f"{int(w)}", float(n)) for w, n in rows if w is not None]


def _parameters(model: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append({"comparison": comparison.get("output_column_name", ""),
                         "level": level.get("label_for_charts") or level.get("sql_condition"),
                         "m": m, "u": u, "weight": weight,
                         "tf": bool(level.get("tf_adjustment_column"))})
    return rows


def _sizes(con: DuckDB) -> list[tuple[int, int]]:
    return [(int(s), int(n)) for s, n in run(con, SIZES).fetchall()]


def _largest(con: DuckDB) -> list[dict[str, Any]]:
    rows = run(con, LARGEST_CLUSTERS).fetchall()
    return [{"cluster_id": r[0], "size": r[1], "sources": r[2], "names": (r[3] or "")[:200],
             "dobs": r[4], "name_count": r[5], "examples": " ".join(r[6][:3])} for r in rows]


def _blocking(con: DuckDB, rules: list[tuple[str, tuple[str, ...]]]) -> list[dict[str, Any]]:
    kept = dict(run(con, KEPT_BY_RULE).fetchall())
    rows = []
    for index, (name, columns) in enumerate(rules):
        compared = rule_comparisons(con, name, columns)
        rows.append({"rule": name, "comparisons": int(compared),
                     "kept_pairs": int(kept.get(index, 0))})
    return rows


def _review(con: DuckDB, threshold: float, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = run(con, review_statement(threshold, columns)).fetchall()
    labels = ["probability", "weight", "source_l", "record_l", "source_r", "record_r"]
    labels += _both_sides(columns)
    return [dict(zip(labels, row, strict=True)) for row in rows]


def _kept_apart(con: DuckDB, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """The highest-scoring pairs that cannot be one person: what the rules changed most."""
    rows = run(con, kept_apart_statement(columns)).fetchall()
    labels = ["probability", "reason", "source_l", "record_l", "source_r", "record_r"]
    labels += _both_sides(columns)
    return [dict(zip(labels, row, strict=True)) for row in rows]


def gather(outcome: LinkOutcome, accuracy: Accuracy | None) -> ReportData:
    """Everything the report shows, read from the run's tables."""
    con = outcome.con
    assert con is not None
    data = ReportData(accuracy=accuracy, parameters=_parameters(outcome.model))
    data.weights = _weights(con)
    data.sizes = _sizes(con)
    data.largest = _largest(con)
    present = {row[0] for row in run(con, PAIR_COLUMNS).fetchall()}
    features = {row[0] for row in run(con, FEATURE_COLUMNS).fetchall()}
    data.shown = tuple(c for c in _SHOWN if c in features)
    if data.shown and not run(con, PAIR_COUNT).fetchall()[0][0] == 0:
        data.review = _review(con, outcome.threshold, data.shown)
    if "contradicts" in present:
        data.kept_apart = _kept_apart(con, data.shown)
    data.blocking = _blocking(con, outcome.prediction_rules)
    return data


# -- rendering -------------------------------------------------------------------------------

_STYLE = """
body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;
font-size:12px;text-align:left}th{background:#eef}td.n{text-align:right}
.warn{background:#fff3cd;padding:.6em;border:1px solid #e0c36b}
"""


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, float):
                cells.append(f'<td class="n">{value:.6g}</td>')
            elif isinstance(value, int):
                cells.append(f'<td class="n">{value:,}</td>')
            else:
                cells.append(f"<td>{escape('' if value is None else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _accuracy_html(accuracy: Accuracy, threshold: float) -> str:
    rows = []
    for label, scores in (("clusters (final)", accuracy.clusters),
                          ("clusters before over-merge splitting", accuracy.before_split)):
        if scores is not None:
            rows.append([label, scores.precision, scores.recall, scores.f1, scores.predicted,
                         scores.true, scores.correct])
    by = accuracy.by_threshold
    chart = line_chart({"precision": [(t, s.precision) for t, s in by],
                        "recall": [(t, s.recall) for t, s in by],
                        "F1": [(t, s.f1) for t, s in by]},
                       title="Scored pairs at or above each match-probability threshold",
                       y_range=(min([0.9] + [min(s.precision, s.recall) for _, s in by]), 1.0))
    return (
        f"<h2>Accuracy against the truth file</h2><p>Pairwise: a true pair is two records of "
        f"the same person. Chosen threshold {threshold}.</p>"
        + _table(["grouping", "precision", "recall", "F1", "predicted pairs", "true pairs",
                  "correct pairs"], rows)
        + chart
        + _table(["threshold", "precision", "recall", "F1", "pairs at or above"],
                 [[t, s.precision, s.recall, s.f1, s.predicted] for t, s in by])
        + f"<p>True pairs that no prediction blocking rule reaches: "
          f"<b>{accuracy.true_pairs_unblocked:,}</b> of {accuracy.clusters.true:,} "
          "(they can still be linked through other records). Records without a truth row: "
          f"{accuracy.records_without_truth:,}.</p>"
    )


def _agreement(left: Any, right: Any) -> str:
    if left is None or right is None or left == "" or right == "":
        return "-"
    return "same" if left == right else "differs"


def _compared(rows: list[dict[str, Any]], shown: tuple[str, ...], identifiers: bool
              ) -> tuple[list[str], list[list[str]]]:
    """Column headings and cells comparing each pair's identifiers: both values, or (once the
    identifiers are destroyed) only whether they agree."""
    if identifiers:
        return ([f"{c} l / r" for c in shown],
                [[f"{r[c + '_l'] or '-'} / {r[c + '_r'] or '-'}" for c in shown] for r in rows])
    return list(shown), [[_agreement(r[c + "_l"], r[c + "_r"]) for c in shown] for r in rows]


def _contradictions_html(data: ReportData, summary: dict[str, Any], identifiers: bool
                         ) -> list[str]:
    from fivesafes.linkage.contradictions import REASONS

    counts = summary.get("contradictions") or {}
    if not any(counts.values()):
        return []
    parts = ["<h2>Records that cannot be one person</h2><p>Scored pairs whose identifiers "
             "contradict each other (docs/linkage.md): they are never linked, and over-merge "
             "splitting keeps them apart when other links would chain them together. "
             f"{(summary.get('split') or {}).get('links_refused', 0):,} of them scored at or "
             "above the threshold.</p>" + _table(
                 ["rule", "pairs"], [[REASONS[key], n] for key, n in counts.items()])]
    if data.kept_apart:
        headings, compared = _compared(data.kept_apart, data.shown, identifiers)
        header = ["probability", "rule", "record l", "record r", *headings]
        rows = [[r["probability"], REASONS.get(r["reason"], r["reason"]),
                 f"{r['source_l']}:{r['record_l']}", f"{r['source_r']}:{r['record_r']}"] + agree
                for r, agree in zip(data.kept_apart, compared, strict=True)]
        parts.append(f"<h3>The {len(rows)} highest-scoring pairs kept apart</h3>"
                     + _table(header, rows))
    return parts


def _partners_html(partners: list[dict[str, Any]]) -> list[str]:
    """One line per partner source linked by its encodings (:mod:`~.encoded`)."""
    if not partners:
        return []
    rows = [[p["source"], p["records"], p["home_records"], p["pairs"], p["matched"],
             p["records"] - p["matched"], p["seconds"].get("total", 0.0)] for p in partners]
    notes = [f"<p class='warn'>{escape(n)}</p>" for p in partners for n in p.get("notes", [])]
    return ["<h2>Partner sources (encoded identifiers)</h2><p>Each partner record was compared "
            "with every home record through keyed Bloom-filter encodings and joined the person "
            "of its best match at or above the threshold; a record matching none is a person of "
            "its own. The cluster charts below cover the home's own records.</p>" + _table(
                ["partner source", "records", "home records", "pairs scored", "matched",
                 "new persons", "seconds"], rows), *notes]


def render(data: ReportData, summary: dict[str, Any], title: str, *,
           identifiers: bool = True) -> str:
    """The report as one HTML document; without ``identifiers``, examples by record key."""
    threshold = summary["threshold"]
    warning = ("<p class='warn'>This report shows identifiers (clerical review sample, largest "
               "clusters). It belongs in the linkage zone: do not copy it out.</p>"
               if identifiers else
               "<p class='warn'>This version of the report holds no identifiers: examples are "
               "shown by record key, and a review pair says which identifiers agree. The "
               "identifiers themselves were destroyed when the run was accepted.</p>")
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
             f"fivesafes linkage report: {escape(title)}</title><style>{_STYLE}</style></head>"
             f"<body><h1>Linkage quality report: {escape(title)}</h1>", warning]
    per_source = [[s, n] for s, n in summary["records_per_source"].items()]
    parts.append("<h2>Summary</h2>" + _table(
        ["figure", "value"],
        [["records", summary["records"]], ["persons found (clusters)", summary["clusters"]],
         ["clusters before over-merge splitting", summary["clusters_before_split"]],
         ["engine", summary["engine"]], ["match-probability threshold", threshold],
         ["pairs kept (probability >= 0.01)", summary["pairs_kept"]]]))
    parts.append(_table(["source", "records"], per_source))
    parts.append(_table(["phase", "seconds"], [[k, float(v)] for k, v in
                                               summary["seconds"].items()]))
    parts += _partners_html(summary.get("partners") or [])
    split = summary.get("split")
    if split:
        parts.append("<h2>Over-merged clusters</h2><p>Clusters of three or more records had "
                     "every pair of members compared; a cluster whose members contradict each "
                     "other was rebuilt without joining contradicting groups.</p>" + _table(
                         ["figure", "value"], [[k.replace("_", " "), v] for k, v in split.items()]))
    parts += _contradictions_html(data, summary, identifiers)
    shared = {name: seen for name, seen in (summary.get("shared_identifiers") or {}).items()
              if seen}
    if shared:
        parts.append(
            "<h2>Shared identifiers</h2><p>How the scored pairs compared on each identifier the "
            "sources share. Linked pairs whose identifiers differ, and pairs that agree on one "
            "but were not linked, are worth a clerical look: a mistyped or borrowed number, or "
            "other identifiers that disagree.</p>" + _table(
                ["identifier", "linked, agree", "linked, one or two characters differ",
                 "linked, differ", "agree, not linked"],
                [[name, seen["linked_pairs_agreeing"], seen["linked_pairs_nearly_agreeing"],
                  seen["linked_pairs_differing"], seen["pairs_agreeing_not_linked"]]
                 for name, seen in shared.items()]))
    for note in summary.get("notes", []):
        parts.append(f"<p class='warn'>{escape(note)}</p>")
    parts.append("<h2>Match-weight distribution</h2>" + bar_chart(
        data.weights, title="Scored pairs by match weight (bits; pairs below probability 0.01 "
                            "are not kept)", log=True))
    parts.append("<h2>Model parameters</h2>" + hbar_chart(
        [(f"{p['comparison']}: {p['level']}", p["weight"]) for p in data.parameters
         if p["weight"] is not None], title="Match weight of each comparison level (log2 m/u)"))
    parts.append(_table(["comparison", "level", "m", "u", "weight", "term frequencies"],
                        [[p["comparison"], p["level"], p["m"], p["u"], p["weight"],
                          "yes" if p["tf"] else ""] for p in data.parameters]))
    parts.append("<h2>Cluster sizes</h2>" + bar_chart(
        [(str(s), float(n)) for s, n in data.sizes], title="Clusters by number of records",
        log=True))
    if identifiers:
        parts.append("<h3>Largest clusters</h3>" + _table(
            ["cluster", "records", "sources", "names", "distinct dates of birth"],
            [[c["cluster_id"], c["size"], c["sources"], c["names"], c["dobs"]]
             for c in data.largest]))
    else:
        parts.append("<h3>Largest clusters</h3>" + _table(
            ["cluster", "records", "sources", "distinct names", "distinct dates of birth",
             "example records"],
            [[c["cluster_id"], c["size"], c["sources"], c["name_count"], c["dobs"],
              c["examples"]] for c in data.largest]))
    parts.append("<h2>Blocking</h2><p>Pairs are compared when any rule holds. Comparisons: "
                 "pairs each rule generates on its own; kept: pairs scored at probability 0.01 "
                 "or more that the rule generated first.</p>" + _table(
                     ["rule", "comparisons", "kept pairs"],
                     [[b["rule"], b["comparisons"], b["kept_pairs"]] for b in data.blocking]))
    if data.review:
        headings, compared = _compared(data.review, data.shown, identifiers)
        header = ["probability", "weight", "record l", "record r", *headings]
        rows = [[r["probability"], r["weight"], f"{r['source_l']}:{r['record_l']}",
                 f"{r['source_r']}:{r['record_r']}"] + agree
                for r, agree in zip(data.review, compared, strict=True)]
        parts.append(f"<h2>Clerical review sample</h2><p>The {len(rows)} scored pairs closest "
                     f"to the threshold ({threshold}), half on each side.</p>"
                     + _table(header, rows))
    if data.accuracy is not None:
        parts.append(_accuracy_html(data.accuracy, threshold))
    parts.append("</body></html>")
    return "\n".join(parts)
