"""The data dictionary a researcher reads before applying: one self-contained HTML page (inline
CSS, no script, nothing fetched from anywhere, so it opens in a secure setting without internet)
and the same content as CSV, one row per field.

It describes the current version of every dataset (``all_versions`` adds the earlier ones still
held): coverage, row and person counts, the data owner, and every field with its type,
sensitivity class, description and coarser alternatives.
"""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path

from fivesafes.catalogue.listing import DatasetEntry, VersionEntry
from fivesafes.catalogue.models import CURRENT, REMOVED

CSV_COLUMNS = ["dataset", "version", "status", "owner", "position", "field", "type",
               "sensitivity", "origin", "derived_from", "coarser_alternatives", "description",
               "non_null", "distinct", "min", "max", "coverage_from", "coverage_to"]

SENSITIVITY_TEXT = {
    "quasi_identifier": "not identifying alone, but identifying in combination (dates, "
                        "places, age)",
    "special_category": "UK GDPR Article 9 data, e.g. ethnicity or health",
    "criminal_offence": "UK GDPR Article 10 data: offences, convictions, sentences",
    "other": "none of the above",
}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #1d70b8;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}
th,td{border:1px solid #b1b4b6;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f2f1}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f3f2f1;padding:0 .2rem}.muted{color:#505a5f}
.s{display:inline-block;border-radius:.3rem;padding:0 .35rem;font-size:.85em;white-space:nowrap}
.s-quasi_identifier{background:#fff2cc}.s-special_category{background:#fcd6c3}
.s-criminal_offence{background:#f6d7d2}.s-other{background:#e8f1f8}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
"""


def _versions(entry: DatasetEntry, all_versions: bool) -> list[VersionEntry]:
    return [v for v in entry.versions
            if v.status == CURRENT or (all_versions and v.status != REMOVED)]


def write_csv(entries: list[DatasetEntry], path: Path, *, all_versions: bool = False) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        for v in _versions(entry, all_versions):
            for position, f in enumerate(v.fields, start=1):
                writer.writerow([
                    entry.name, v.label, v.status, entry.owner, position, f.name, f.type,
                    f.sensitivity, f.origin, f.derived_from or "", " > ".join(f.coarser),
                    f.description, f.stats.get("non_null", ""), f.stats.get("distinct", ""),
                    f.stats.get("min", ""), f.stats.get("max", ""), v.date_from or "",
                    v.date_to or ""])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _field_rows(v: VersionEntry) -> str:
    rows = []
    for f in v.fields:
        coarser = " &rarr; ".join(f"<code>{escape(c)}</code>" for c in f.coarser) or ""
        derived = (f"<br><span class=muted>coarser level {f.level} of "
                   f"<code>{escape(f.derived_from)}</code></span>" if f.derived_from else "")
        rows.append(
            f"<tr><td><code>{escape(f.name)}</code>{derived}</td><td>{escape(f.type)}</td>"
            f"<td><span class='s s-{escape(f.sensitivity)}'>{escape(f.sensitivity)}</span></td>"
            f"<td>{escape(f.description)}</td><td>{coarser}</td>"
            f"<td class=n>{f.stats.get('non_null', 0):,}</td>"
            f"<td class=n>{f.stats.get('distinct', 0):,}</td></tr>")
    return "\n".join(rows)


def _version_html(entry: DatasetEntry, v: VersionEntry) -> str:
    coverage = (f"{escape(v.date_from)} to {escape(v.date_to)} (by "
                f"<code>{escape(v.date_field or '')}</code>)" if v.date_from else "&ndash;")
    status = "current" if v.status == CURRENT else f"{v.status} on {escape(v.superseded_at or '')}"
    return f"""
<h3>{escape(entry.name)} {escape(v.label)} <span class=muted>({status})</span></h3>
<dl class=meta>
<dt>Data owner</dt><dd>{escape(entry.owner)}</dd>
<dt>Coverage</dt><dd>{coverage}</dd>
<dt>Jurisdictions</dt><dd>{escape(", ".join(entry.jurisdictions)) or "&ndash;"}</dd>
<dt>Source systems</dt><dd>{escape(", ".join(entry.systems)) or "&ndash;"}</dd>
<dt>Rows</dt><dd>{v.rows:,}</dd><dt>People</dt><dd>{v.persons:,}</dd>
<dt>Release</dt><dd>{escape(v.release)}, published {escape(v.published_at[:10])}</dd>
<dt>File</dt><dd><code>{escape(v.folder)}/{escape(v.file_name)}</code>
 (SHA-256 <code>{escape(v.file_sha256[:16])}&hellip;</code>)</dd>
</dl>
<table><thead><tr><th>Field</th><th>Type</th><th>Sensitivity</th><th>Description</th>
<th>Coarser alternatives</th><th>Non-empty</th><th>Distinct</th></tr></thead>
<tbody>
{_field_rows(v)}
</tbody></table>"""


def render_html(entries: list[DatasetEntry], *, all_versions: bool = False,
                title: str = "fivesafes research-ready data dictionary") -> str:
    toc, body = [], []
    for entry in entries:
        versions = _versions(entry, all_versions)
        if not versions:
            continue
        toc.append(f"<li><a href='#{escape(entry.name)}'>{escape(entry.title)}</a> "
                   f"<span class=muted>({escape(entry.name)}, {escape(entry.owner)})</span></li>")
        body.append(f"<h2 id='{escape(entry.name)}'>{escape(entry.title)}</h2>"
                    f"<p>{escape(entry.description)}</p>"
                    + "".join(_version_html(entry, v) for v in versions))
    classes = "".join(f"<dt><span class='s s-{k}'>{k}</span></dt><dd>{escape(t)}</dd>"
                      for k, t in SENSITIVITY_TEXT.items())
    return f"""<!DOCTYPE html>
<html lang=en><head><meta charset=utf-8>
<meta name=viewport content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>Every dataset below is de-identified: names, dates of birth, addresses, postcodes and
case, prison and probation numbers were removed before publication. <code>person_id</code> is a
meaningless id that is the same for one person in every dataset and stays with them when the
data is refreshed; <code>replaced_&hellip;</code> fields are meaningless ids standing in for
case or other operational numbers, the same within one version only. The person-level index
says which datasets each person appears in.</p>
<p>Ask for the coarsest level of each field that answers your question: each field lists its
coarser alternatives (for example offence &rarr; offence group &rarr; offence category, date
&rarr; month &rarr; year). Your application needs a justification for every field.</p>
<h2>Sensitivity classes</h2><dl class=meta>{classes}</dl>
<h2>Datasets</h2><ul>{''.join(toc) or '<li>none published yet</li>'}</ul>
{''.join(body)}
</body></html>
"""


def write_dictionary(entries: list[DatasetEntry], folder: Path, *, all_versions: bool = False
                     ) -> tuple[Path, Path]:
    """Write ``data-dictionary.html`` and ``data-dictionary.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = folder / "data-dictionary.html", folder / "data-dictionary.csv"
    html_path.write_text(render_html(entries, all_versions=all_versions), encoding="utf-8")
    write_csv(entries, csv_path, all_versions=all_versions)
    return html_path, csv_path
