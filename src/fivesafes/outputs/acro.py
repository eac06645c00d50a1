"""ACRO/SACRO interchange: a request's outputs and checks as an ACRO-style ``results.json`` (so an
output checker can open it in the SACRO viewer), and reading one back (so an ACRO user's outputs
can be checked here).

The file has ACRO's shape: ``version``, ``tool`` and ``results``, one entry per output with its
``uid``, ``status`` (pass, review, fail), ``type``, ``properties`` (``method``), ``files`` (each
a CSV with its ``sdc``: per rule the number of failing cells in ``summary`` and their
``[row, column]`` positions in ``cells``), ``outcome``, ``command``, ``summary``, ``timestamp``,
``comments`` and ``exception``. Our own check record rides along under ``fivesafes`` so nothing
is lost on the way back.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fivesafes.outputs import rules as r
from fivesafes.outputs.checks import TOTAL
from fivesafes.outputs.rules import CheckRecord, Finding, Severity, Thresholds, cell_key
from fivesafes.outputs.safe import Output

RESULTS = "results.json"
VERSION = "1.0"
#: ACRO's sdc summary keys, in its order.
ACRO_RULES = ("threshold", "p-ratio", "nk-rule", "all-values-are-same", "negative", "missing")
#: ACRO 1.0's check names in its ``sdc`` blocks, as our rules.
ACRO_NAMES = {"MinimumThresholdCheck": r.THRESHOLD, "NKCheck": r.NK, "PPercentCheck": r.P_RATIO,
              "PresenceOfZeroCheck": r.ZERO, "MinimumDoFCheck": r.DOF,
              "MissingCheck": r.MISSING}
METHODS = {"frequency": "crosstab", "magnitude": "pivot_table", "histogram": "histogram",
           "regression": "regression", "survival": "surv_func"}


@dataclass
class Exchanged:
    """One output as read from a ``results.json``."""

    uid: str
    name: str
    status: str
    kind: str
    method: str
    files: list[Path]
    record: CheckRecord
    comments: list[str] = field(default_factory=list)
    exception: str = ""


def _positions(output: Output) -> dict[tuple, tuple[int, int]]:
    table = output.table
    if not 1 <= len(table.groups) <= 2 or table.kind not in ("frequency", "magnitude",
                                                               "histogram"):
        return {cell_key(table.cell(i)): (i, 0) for i in range(len(table.cells))}
    grid = table.grid()
    return {cell_key(grid.cell(table.groups, i, j)): (i, j)
            for i in range(len(grid.rows)) for j in range(len(grid.cols))}


def sdc_of(output: Output) -> dict[str, Any]:
    """ACRO's ``sdc`` block: counts and positions of failing cells per rule."""
    at = _positions(output)
    cells: dict[str, list[list[int]]] = {rule: [] for rule in ACRO_RULES}
    summary: dict[str, Any] = {"suppressed": bool(output.record.suppressed)}
    for f in output.record.findings:
        rule = {r.ZERO: r.THRESHOLD, r.CLASS: r.THRESHOLD}.get(f.rule, f.rule)
        if rule not in cells:
            cells[rule] = []
        if f.cell and TOTAL not in f.cell and cell_key(f.cell) in at:
            cells[rule].append(list(at[cell_key(f.cell)]))
        elif not f.cell:  # a finding about the whole output (dof, negative, missing...)
            cells[rule].append([])
    for rule, found in cells.items():
        unique = {tuple(c) for c in found if c}
        summary[rule] = len(unique) or (1 if found else 0)
        cells[rule] = [list(c) for c in sorted(unique)]
    return {"summary": summary, "cells": cells}


def csv_text(output: Output) -> str:
    """What may be published of ``output`` as CSV: a two-way table as rows by columns, withheld
    cells blank."""
    table = output.table
    column = "n" if table.kind != "magnitude" else "value"
    rows = output.published.to_pylist()
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\n")
    if table.kind not in ("frequency", "magnitude", "histogram"):
        names = [n for n in output.published.column_names if not n.startswith("_")]
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row[n] is None else row[n] for n in names])
    elif len(table.groups) == 2:
        a, b = table.groups
        cols = sorted({row[b] for row in rows}, key=str)
        by = {(row[a], row[b]): row[column] for row in rows}
        writer.writerow([f"{a} / {b}", *cols])
        for x in sorted({row[a] for row in rows}, key=str):
            writer.writerow([x, *("" if by.get((x, y)) is None else by[(x, y)]
                                  for y in cols)])
    else:
        writer.writerow([*table.groups, column])
        for row in rows:
            writer.writerow([*(row[g] for g in table.groups),
                             "" if row[column] is None else row[column]])
    return handle.getvalue()


def entry_of(output: Output, uid: str, csv_name: str | None = None) -> dict[str, Any]:
    """The ``results.json`` entry of one output (its CSV named ``csv_name``)."""
    name = output.table.name
    record = output.record
    status = record.status
    summary = f"{status}; " + "; ".join(f"{rule}: {n} cells"
                                        for rule, n in sorted(record.summary().items()))
    return {
        "uid": uid, "status": status,
        "type": "regression" if output.table.kind == "regression" else "table",
        "properties": {"method": METHODS.get(output.table.kind, output.table.kind),
                       "name": name},
        "files": [{"name": csv_name or f"{uid}.csv", "sdc": sdc_of(output)}],
        "outcome": _outcome(output),
        "command": _command(output),
        "summary": summary.rstrip("; "),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "comments": [],
        "exception": "",
        "fivesafes": {"name": name, "groups": list(output.table.groups),
                      "statistic": output.table.statistic, "value": output.table.value,
                      "population": output.table.population, "check": record.to_dict()},
    }


def write_document(entries: dict[str, dict[str, Any]], csvs: dict[str, str],
                   folder: Path) -> Path:
    """Write ``folder/results.json`` of ``entries`` (uid -> entry) and the CSV files
    (file name -> text); returns the JSON's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, text in csvs.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    document = {"version": VERSION,
                "tool": {"@type": "SoftwareApplication", "name": "fivesafes", "version": VERSION},
                "results": entries}
    path = folder / RESULTS
    path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return path


def write_results(outputs: list[Output], folder: Path, comments: dict[str, list[str]] | None = None,
                  exceptions: dict[str, str] | None = None) -> Path:
    """Write ``folder/results.json`` and one CSV per output; returns the JSON's path."""
    entries: dict[str, dict[str, Any]] = {}
    csvs: dict[str, str] = {}
    for k, output in enumerate(outputs):
        uid = f"output_{k}"
        name = output.table.name
        entry = entry_of(output, uid)
        entry["comments"] = list((comments or {}).get(name, []))
        entry["exception"] = (exceptions or {}).get(name, "")
        entries[uid] = entry
        csvs[f"{uid}.csv"] = csv_text(output)
    return write_document(entries, csvs, folder)


def _command(output: Output) -> str:
    t = output.table
    if t.kind == "magnitude":
        return f"{t.statistic}({t.value}) by {', '.join(t.groups)}"
    return f"{t.kind} by {', '.join(t.groups)}"


def _outcome(output: Output) -> dict[str, dict[str, str]]:
    """Per cell the rules it fails (``ok`` when none), as ACRO's outcome frame."""
    failing: dict[tuple, list[str]] = {}
    for f in output.record.findings:
        if f.cell and TOTAL not in f.cell:
            failing.setdefault(cell_key(f.cell), []).append(f.rule)
    out: dict[str, dict[str, str]] = {"outcome": {}}
    for i in range(len(output.table.cells)):
        cell = output.table.cell(i)
        label = ", ".join(str(v) for v in cell.values())
        out["outcome"][label] = "; ".join(failing.get(cell_key(cell), [])) or "ok"
    return out


def read_results(path: Path) -> list[Exchanged]:
    """Read an ACRO or fivesafes ``results.json`` (the file or its folder)."""
    path = path / RESULTS if path.is_dir() else path
    document = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for uid, entry in document.get("results", {}).items():
        ours = entry.get("fivesafes")
        files = entry.get("files", [])
        if ours:
            record = CheckRecord.from_dict(ours["check"])
        else:
            record = CheckRecord(uid, entry.get("type", "table"), Thresholds())
            for file in files:
                record.findings += _acro_findings(file.get("sdc", {}))
            record.notes.append(f"read from {document.get('tool', {}).get('name', 'ACRO')} "
                                f"{document.get('version', '')}: {entry.get('summary', '')}")
        found.append(Exchanged(
            uid=uid, name=(ours or {}).get("name") or entry.get("properties", {}).get("name", uid),
            status=entry.get("status", ""), kind=entry.get("type", ""),
            method=entry.get("properties", {}).get("method", ""),
            files=[path.parent / f["name"] for f in files], record=record,
            comments=list(entry.get("comments", [])), exception=entry.get("exception", "")))
    return found


def _acro_findings(sdc: dict[str, Any]) -> list[Finding]:
    out = []
    for name, positions in sdc.get("cells", {}).items():
        rule = ACRO_NAMES.get(name, name)
        for position in positions:
            if len(position) < 2:
                continue
            out.append(Finding(rule, Severity.FAIL, {"row": position[0], "column": position[1]},
                               {}, f"cell [{position[0]}, {position[1]}] fails {rule} (ACRO)",
                               r.ACTIONS.get(rule, ())))
    for name, count in sdc.get("summary", {}).items():
        rule = ACRO_NAMES.get(name, name)
        if rule in (r.NEGATIVE, r.MISSING, r.DOF) and count and not sdc.get("cells", {}).get(name):
            severity = Severity.FAIL if rule == r.DOF else Severity.REVIEW
            out.append(Finding(rule, severity, {}, {"cells": count},
                               f"{name} failed (ACRO)", r.ACTIONS.get(rule, ())))
    return out
