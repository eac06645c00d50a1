"""The commands of safe outputs (``fivesafes output ...``): making tables, histograms,
regressions and time-to-event counts in the workspace, asking for their release, the output
checkers' reviews, and the released outputs. Added to ``fivesafes`` by
:func:`register_commands`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from fivesafes.cli_support import actor_option, console, user_errors, with_home
from fivesafes.errors import FivesafesError
from fivesafes.home import Deployment
from fivesafes.listings import Column, json_option, listing_table, print_json, print_listing
from fivesafes.outputs.records import DECISIONS
from fivesafes.outputs.service import (
    OutputView,
    RequestView,
    check_results,
    export_results,
    list_outputs,
    list_requests,
    make_output,
    released,
    request_release,
    review_request,
    show_output,
    show_request,
)
from fivesafes.workspace.service import open_workspace


def _say(text: str) -> None:
    console.print(text, markup=False, soft_wrap=True, highlight=False)


def _numbers(text: str, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise FivesafesError(
            f"{option} takes numbers separated by commas, e.g. 0,18,25,40") from None
    if len(values) < 2:
        raise FivesafesError(f"{option} needs at least two numbers, e.g. 0,18,25,40")
    return [int(v) if v.is_integer() else v for v in values]


def _population(where: str | None) -> dict[str, Any] | None:
    if not where:
        return None
    try:
        value = json.loads(where)
    except json.JSONDecodeError as exc:
        raise FivesafesError(f"--where is JSON, e.g. '{{\"age_band\": [\"18-20\", \"21-24\"]}}' "
                             f"or '{{\"age\": {{\">=\": 18}}}}' ({exc.msg})") from None
    if not isinstance(value, dict):
        raise FivesafesError("--where is a JSON object: {field: value}, {field: [values]} or "
                             "{field: {\">=\": value}}")
    return value


def _cells(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return
    columns = [Column(str(i), name) for i, name in enumerate(rows[0])]
    console.print(listing_table([{str(i): v if v != "" else "(withheld)" for i, v in enumerate(row)}
                                 for row in rows[1:]], columns, None, console.width))


def show_output_view(view: OutputView, limit: int | None = 3) -> None:
    """The output, its published cells, and its findings (``limit`` per rule; None: all)."""
    _say(f"{view.reference} {view.name!r} ({view.kind} of {view.spec.get('table')}), "
         f"{view.status}; checks: {view.check_status}")
    _cells(view.csv)
    record = view.record
    by_rule: dict[str, list[Any]] = {}
    for f in record.findings:
        by_rule.setdefault(f.rule, []).append(f)
    for rule, found in by_rule.items():
        for f in found[:limit]:
            actions = f"  -> {'; '.join(f.actions)}" if f.actions else ""
            _say(f"  {f.severity}: [{f.rule}] {f.message}{actions}")
        if limit is not None and len(found) > limit:
            _say(f"  ... and {len(found) - limit} more [{rule}] finding(s): "
                 f"`fivesafes output show {view.reference}` lists them all")
    if record.suppressed:
        primary = sum(1 for c in record.suppressed if c.get("reason") == "primary")
        unprotected = [i for i in record.intervals if not i.get("protected", True)]
        _say(f"  withheld: {len(record.suppressed)} cell(s), {primary} failing a rule and "
             f"{len(record.suppressed) - primary} more so that they cannot be worked out; "
             f"interval attack: {len(record.intervals) - len(unprotected)} protected, "
             f"{len(unprotected)} not")
    for i in record.intervals[:limit] if limit is not None else record.intervals:
        _say(f"  interval attack on {', '.join(f'{k}={v}' for k, v in i['cell'].items())}: "
             f"feasible {i['low']:g} to {i['high']:g}, "
             f"{'protected' if i.get('protected', True) else 'NOT protected'}")
    for note in record.notes:
        _say(f"  note: {note}")


def _show_request(view: RequestView) -> None:
    _say(f"{view.reference} for {view.project} ({view.application}): {view.status}; asked by "
         f"{view.requested_by} at {view.requested_at[:19]}")
    _say(f"  purpose: {view.purpose}")
    _say(f"  justification: {view.justification}")
    if view.exception:
        _say(f"  exception asked for: {view.exception}")
    for f in view.findings:
        _say(f"  {f['severity']}: [{f['rule']}] {f['message']}")
    for review in view.reviews:
        _say(f"  review by {review.checker}: {review.decision}"
             + (f": {review.comments}" if review.comments else ""))
    if view.folder:
        _say(f"  released to {view.folder}")
    for output in view.outputs:
        _say("")
        show_output_view(output, limit=None)


@click.group("output")
def output_group() -> None:
    """Safe outputs: make checked outputs in the workspace, ask for release, review, read."""


def _make(deployment: Deployment, actor: str, project: str, kind: str, table: str,
          name: str, spec: dict[str, Any], where: str | None) -> None:
    with open_workspace(deployment, by=actor, project=project) as workspace:
        view = make_output(workspace, kind, table=table, name=name, spec=spec,
                           population=_population(where))
    show_output_view(view)


_name = click.option("--name", required=True, help="What the output shows, in a few words.")
_where = click.option("--where", default=None,
                      help="The population, as JSON: {field: value}, {field: [values]} or "
                           "{field: {\">=\": value}}.")


@output_group.command("table")
@click.argument("project")
@click.argument("table")
@click.option("--by", "groups", multiple=True, required=True,
              help="A field to group by (once or twice: a crosstab).")
@click.option("--value", default=None, help="A numeric field: makes a magnitude table.")
@click.option("--statistic", default="mean", show_default=True,
              help="Of --value: count, sum, mean, median, min, max, p5 ... p95.")
@_name
@_where
@actor_option
@with_home
@user_errors
def output_table(deployment: Deployment, project: str, table: str, groups: tuple[str, ...],
                 value: str | None, statistic: str, name: str, where: str | None,
                 actor: str) -> None:
    """A frequency table (persons by --by) or, with --value, a magnitude table of TABLE of
    PROJECT's extract, checked and kept as a draft output."""
    if value is None:
        _make(deployment, actor, project, "frequency", table, name,
              {"groups": list(groups)}, where)
    else:
        _make(deployment, actor, project, "magnitude", table, name,
              {"groups": list(groups), "value": value, "statistic": statistic}, where)


@output_group.command("histogram")
@click.argument("project")
@click.argument("table")
@click.argument("field")
@click.option("--bins", required=True, help="Bin edges, e.g. 0,18,25,40,65,120.")
@_name
@_where
@actor_option
@with_home
@user_errors
def output_histogram(deployment: Deployment, project: str, table: str, field: str, bins: str,
                     name: str, where: str | None, actor: str) -> None:
    """A histogram of FIELD of TABLE (persons per bin), checked and kept as a draft."""
    _make(deployment, actor, project, "histogram", table, name,
          {"value": field, "bins": _numbers(bins, "--bins")}, where)


@output_group.command("regression")
@click.argument("project")
@click.argument("table")
@click.argument("outcome")
@click.option("--predictor", "predictors", multiple=True, required=True,
              help="A predictor (repeat for each).")
@click.option("--logistic", is_flag=True, help="A logistic regression (OUTCOME is 0/1).")
@_name
@_where
@actor_option
@with_home
@user_errors
def output_regression(deployment: Deployment, project: str, table: str, outcome: str,
                      predictors: tuple[str, ...], logistic: bool, name: str,
                      where: str | None, actor: str) -> None:
    """A linear (or logistic) regression of OUTCOME on the predictors; its coefficient table
    is checked (residual degrees of freedom, persons, separation) and kept as a draft."""
    _make(deployment, actor, project, "regression", table, name,
          {"outcome": outcome, "predictors": list(predictors),
           "model": "logistic" if logistic else "linear"}, where)


@output_group.command("survival")
@click.argument("project")
@click.argument("table")
@click.option("--time", "time_field", required=True, help="The time field (e.g. days).")
@click.option("--event", required=True, help="The event field (true/1 when it happened).")
@click.option("--periods", required=True, help="Period starts, e.g. 0,90,180,365.")
@_name
@_where
@actor_option
@with_home
@user_errors
def output_survival(deployment: Deployment, project: str, table: str, time_field: str,
                    event: str, periods: str, name: str, where: str | None, actor: str) -> None:
    """Time-to-event counts (at risk, events, censored per period), checked, as a draft."""
    _make(deployment, actor, project, "survival", table, name,
          {"time": time_field, "event": event, "periods": _numbers(periods, "--periods")},
          where)


OUTPUT_COLUMNS = (Column("reference", "output", whole=True), Column("name"),
                  Column("kind", whole=True), Column("check_status", "checks", whole=True),
                  Column("status", whole=True), Column("request", whole=True),
                  Column("created_by", "made by", whole=True))


def _output_row(o: OutputView) -> dict[str, Any]:
    return {"reference": o.reference, "project": o.project, "application": o.application,
            "name": o.name, "kind": o.kind, "check_status": o.check_status, "status": o.status,
            "request": o.request, "created_by": o.created_by, "created_at": o.created_at}


@output_group.command("list")
@click.argument("project")
@json_option
@actor_option
@with_home
@user_errors
def output_list(deployment: Deployment, project: str, as_json: bool, actor: str) -> None:
    """PROJECT's outputs and where each stands (its team)."""
    rows = [_output_row(o) for o in list_outputs(deployment, by=actor, project=project)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, OUTPUT_COLUMNS,
                  empty=f"{project} has no outputs yet: make one with `fivesafes output table`")


@output_group.command("show")
@click.argument("reference")
@actor_option
@with_home
@user_errors
def output_show(deployment: Deployment, reference: str, actor: str) -> None:
    """An output (O-nnnn) with every finding, or a release request (R-nnnn) with its
    outputs and reviews."""
    if reference.upper().startswith("R-"):
        _show_request(show_request(deployment, by=actor, reference=reference))
    else:
        show_output_view(show_output(deployment, by=actor, reference=reference), limit=None)


@output_group.command("request")
@click.argument("project")
@click.argument("outputs", nargs=-1, required=True)
@click.option("--justification", required=True, help="Why these outputs should leave.")
@click.option("--purpose", required=True,
              help="The approved purpose (e.g. research question) they serve.")
@click.option("--exception", default="", help="For an output that fails a check: why it "
                                               "should be released anyway.")
@actor_option
@with_home
@user_errors
def output_request(deployment: Deployment, project: str, outputs: tuple[str, ...],
                   justification: str, purpose: str, exception: str, actor: str) -> None:
    """Ask for OUTPUTS of PROJECT to be released; two output checkers review the request."""
    reference = request_release(deployment, by=actor, project=project, outputs=list(outputs),
                                justification=justification, purpose=purpose,
                                exception=exception)
    view = show_request(deployment, by=actor, reference=reference)
    _say(f"{reference}: {len(view.outputs)} output(s) asked for; waiting for two output "
         f"checkers")
    for f in view.findings:
        _say(f"  {f['severity']}: [{f['rule']}] {f['message']}")


REQUEST_COLUMNS = (
    Column("reference", "request", whole=True), Column("project", whole=True),
    Column("requested_by", "asked by", whole=True),
    Column("requested_at", "at", whole=True, show=lambda q: q["requested_at"][:19]),
    Column("outputs", show=lambda q: " ".join(q["outputs"])),
    Column("findings", show=lambda q: str(len(q["findings"]))),
    Column("reviews", show=lambda q: ", ".join(f"{v['checker']}: {v['decision']}"
                                                for v in q["reviews"])),
    Column("status", whole=True),
)


def _request_row(q: RequestView) -> dict[str, Any]:
    return {"reference": q.reference, "project": q.project, "application": q.application,
            "requested_by": q.requested_by, "requested_at": q.requested_at,
            "status": q.status, "outputs": [o.reference for o in q.outputs],
            "findings": q.findings, "justification": q.justification, "purpose": q.purpose,
            "exception": q.exception,
            "reviews": [{"checker": v.checker, "decision": v.decision, "comments": v.comments,
                         "at": v.at} for v in q.reviews],
            "decided_at": q.decided_at}


@output_group.command("requests")
@click.option("--status", default=None, help="Only requests in this state (e.g. pending).")
@click.option("--project", default=None, help="Only this project's requests.")
@json_option
@actor_option
@with_home
@user_errors
def output_requests(deployment: Deployment, status: str | None, project: str | None,
                    as_json: bool, actor: str) -> None:
    """Release requests: all of them for output checkers, a project's own for its team."""
    found = list_requests(deployment, by=actor, status=status, project=project)
    rows = [_request_row(q) for q in found]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, REQUEST_COLUMNS, empty="no release requests")


@output_group.command("review")
@click.argument("request")
@click.option("--decision", type=click.Choice(DECISIONS), required=True,
              help="approve, return (for changes) or reject.")
@click.option("--comments", default="", help="For the researcher (needed to return or reject).")
@click.option("--conflict", default="", help="Declare a conflict of interest (you step aside).")
@actor_option
@with_home
@user_errors
def output_review(deployment: Deployment, request: str, decision: str, comments: str,
                  conflict: str, actor: str) -> None:
    """Review release REQUEST as an output checker; two reviews decide it."""
    status = review_request(deployment, by=actor, reference=request, decision=decision,
                            comments=comments, conflict=conflict)
    after = {"pending": "waiting for a second output checker",
             "released": "released: both checkers approved",
             "returned": "returned to the researcher with the comments",
             "rejected": "rejected"}.get(status, status)
    _say(f"{request}: {decision} recorded; {after}")


RELEASED_COLUMNS = (Column("request", whole=True), Column("project", whole=True),
                    Column("released_at", "released", whole=True,
                           show=lambda r: str(r["released_at"] or "")[:19]),
                    Column("file", whole=True), Column("name"), Column("sha256", whole=True))


@output_group.command("released")
@click.option("--project", default=None, help="Only this project's releases.")
@json_option
@actor_option
@with_home
@user_errors
def output_released(deployment: Deployment, project: str | None, as_json: bool,
                    actor: str) -> None:
    """The released outputs: the only outputs that leave the workspace."""
    found = released(deployment, by=actor, project=project)
    if as_json:
        print_json([{"request": r.request, "project": r.project, "released_at": r.released_at,
                     "folder": deployment.relative(r.folder), "files": r.files} for r in found])
        return
    rows = [{"request": r.request, "project": r.project, "released_at": r.released_at, **f}
            for r in found for f in r.files]
    print_listing(rows, RELEASED_COLUMNS, empty="nothing has been released")
    for r in found:
        _say(f"{r.request}: {deployment.relative(r.folder)}")


@output_group.command("export")
@click.argument("request")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="A folder for results.json and the CSV files.")
@actor_option
@with_home
@user_errors
def output_export(deployment: Deployment, request: str, out: Path, actor: str) -> None:
    """Write REQUEST as an ACRO/SACRO results.json (open it in the SACRO viewer)."""
    path = export_results(deployment, by=actor, reference=request, out=out)
    _say(f"wrote {path}")


@output_group.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@actor_option
@with_home
@user_errors
def output_import(deployment: Deployment, path: Path, actor: str) -> None:
    """Read an ACRO (or fivesafes) results.json and list every output's checks."""
    for entry in check_results(deployment, by=actor, path=path):
        _say(f"{entry.uid} {entry.name!r} ({entry.method or entry.kind}): {entry.status}")
        for f in entry.record.findings:
            _say(f"  {f.severity}: [{f.rule}] {f.message}")
        for note in entry.record.notes:
            _say(f"  note: {note}")
        if entry.exception:
            _say(f"  exception asked for: {entry.exception}")


def register_commands(main: click.Group) -> None:
    main.add_command(output_group)
