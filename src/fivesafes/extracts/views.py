"""Extracts as people read them on the command line and in the demo walk.

The services (:mod:`fivesafes.extracts.service`) return an extract's manifest as the JSON it is
stored as; :func:`manifest_lines` says it in a few lines.
"""

from __future__ import annotations

from typing import Any


def manifest_lines(content: dict[str, Any]) -> list[str]:
    """A manifest in a few lines: coverage, then each dataset with its columns and counts."""
    coverage = content.get("coverage", {})
    lines = [f"extract of {content['application']} for {content['project']}, build "
             f"{content['build']}, built {content['built_at'][:19]} by {content['built_by']}",
             f"  coverage: {coverage.get('from')} to {coverage.get('to')}"]
    for d in content["datasets"]:
        columns = ", ".join(c["name"] + (" (pseudonym)" if c["pseudonym"] else "")
                            for c in d["columns"])
        lines.append(f"  {d['name']} (research-ready {d['research_ready']['version']}): "
                     f"{d['rows']:,} rows, {d['persons']:,} persons; columns {columns}")
        if d.get("excluded_because"):
            lines.append(f"    no rows: {d['excluded_because']}")
    lines.append(f"  persons in the extract: {content['persons']:,}")
    if "manifest_sha256" in content:
        lines.append(f"  manifest sha256 {content['manifest_sha256']}")
    return lines
