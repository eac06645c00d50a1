"""Safe outputs in the browser: a project's outputs and its requests to release them (for its
team, while their access is allowed), one output with every finding and a picture of where
suppression fell, the output checkers' queue and a request with its one-click decisions, and
the released outputs with their files. Every page and action is the outputs service of the same
name, run as the signed-in person; the service says no when they may not."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.responses import RedirectResponse, Response

from fivesafes.accounts import Role
from fivesafes.errors import InvalidForm, NotFound
from fivesafes.outputs import service
from fivesafes.outputs.pictures import picture
from fivesafes.outputs.records import DECISIONS
from fivesafes.web.rendering import holds, render, svg
from fivesafes.web.routing import SIGNED_IN, Context, roles, route

#: who sees every release request (the service decides the rest)
CHECKING_STAFF = (Role.OUTPUT_CHECKER, Role.ADMINISTRATOR, Role.AUDITOR)
#: the request states an output checker still has to act on
WAITING = ("pending",)


def _table(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return (rows[0], rows[1:]) if rows else ([], [])


def _groups(view: service.OutputView) -> list[str]:
    if view.kind == "histogram":
        return ["bin"]
    return list(view.spec.get("groups", ()))


def _shown(view: service.OutputView) -> dict[str, Any]:
    """What a page shows of one output: its table, its findings by rule, and a picture."""
    header, rows = _table(view.csv)
    record = view.record
    by_rule: dict[str, list[Any]] = {}
    for f in record.findings:
        by_rule.setdefault(f.rule, []).append(f)
    drawn = picture(view.cells, _groups(view), view.check, kind=view.kind, name=view.name)
    primary = sum(1 for c in record.suppressed if c.get("reason") == "primary")
    return {"view": view, "header": header, "rows": rows, "by_rule": by_rule,
            "record": record, "picture": svg(drawn) if drawn else None, "primary": primary,
            "secondary": len(record.suppressed) - primary,
            "unprotected": sum(1 for i in record.intervals if not i.get("protected", True))}


@route("GET", "/applications/{reference}/outputs", rule=SIGNED_IN, name="application-outputs")
def project_outputs(ctx: Context) -> str:
    """A project's outputs and release requests, with the form to ask for a release."""
    reference = ctx.path["reference"]
    outputs = service.list_outputs(ctx.deployment, by=ctx.by, project=reference)
    requests = service.list_requests(ctx.deployment, by=ctx.by, project=reference)
    return render(ctx.request, "outputs.html", me=ctx.me, title=f"Outputs of {reference}",
                  reference=reference, outputs=outputs, requests=requests,
                  done=ctx.request.query_params.get("done", ""),
                  min_justification=service.MIN_JUSTIFICATION)


@route("POST", "/applications/{reference}/outputs/request", rule=SIGNED_IN,
       name="output-request")
def ask_for_release(ctx: Context) -> Response:
    """Ask for the chosen outputs to be released (the outputs service, as the signed-in
    person)."""
    reference = ctx.path["reference"]
    chosen = [str(v) for v in ctx.form.getlist("output")] if ctx.form is not None else []
    made = service.request_release(ctx.deployment, by=ctx.by, project=reference,
                                   outputs=chosen, justification=ctx.field("justification"),
                                   purpose=ctx.field("purpose"),
                                   exception=ctx.field("exception"))
    return RedirectResponse(f"/release-requests/{made}?done=release+requested",
                            status_code=303)


@route("GET", "/outputs/{output}", rule=SIGNED_IN, name="output")
def output(ctx: Context) -> str:
    """One output: its published cells, every finding with what to do, and the withholding."""
    view = service.show_output(ctx.deployment, by=ctx.by, reference=ctx.path["output"])
    return render(ctx.request, "output.html", me=ctx.me, title=f"{view.reference} {view.name}",
                  o=_shown(view))


@route("GET", "/release-requests", rule=roles(*CHECKING_STAFF), name="release-requests")
def release_requests(ctx: Context) -> str:
    """Every request to release outputs; by default those waiting for an output checker."""
    status = ctx.request.query_params.get("status", "pending") or None
    found = service.list_requests(ctx.deployment, by=ctx.by, status=status)
    return render(ctx.request, "release_requests.html", me=ctx.me, title="Release requests",
                  requests=found, status=status or "")


@route("GET", "/release-requests/{release}", rule=SIGNED_IN, name="release-request")
def release_request(ctx: Context) -> str:
    """One release request: justification, purpose, findings, every output and the reviews."""
    view = service.show_request(ctx.deployment, by=ctx.by, reference=ctx.path["release"])
    reviewed = any(r.checker == ctx.by for r in view.reviews)
    return render(ctx.request, "release_request.html", me=ctx.me, title=view.reference,
                  release=view, outputs=[_shown(o) for o in view.outputs],
                  done=ctx.request.query_params.get("done", ""),
                  may_review=(holds(ctx.me, "output_checker") and view.status in WAITING
                              and not reviewed and view.requested_by != ctx.by))


@route("POST", "/release-requests/{release}/review", rule=roles(Role.OUTPUT_CHECKER),
       name="release-request-review")
def review(ctx: Context) -> Response:
    """Approve, return with comments, or reject (the outputs service, as the signed-in
    checker)."""
    decision = ctx.field("decision")
    if decision not in DECISIONS:
        raise InvalidForm(f"the decision is one of {', '.join(DECISIONS)}")
    reference = ctx.path["release"]
    status = service.review_request(ctx.deployment, by=ctx.by, reference=reference,
                                    decision=decision, comments=ctx.field("comments"),
                                    conflict=ctx.field("conflict"))
    return RedirectResponse(f"/release-requests/{reference}?done={decision}+recorded:+{status}",
                            status_code=303)


@route("GET", "/released", rule=SIGNED_IN, name="released")
def released_outputs(ctx: Context) -> str:
    """What has left the workspaces: every released request with its files and digests."""
    return render(ctx.request, "released.html", me=ctx.me, title="Released outputs",
                  released=service.released(ctx.deployment, by=ctx.by))


@route("GET", "/released/{release}/{file}", rule=SIGNED_IN, name="released-file")
def released_file(ctx: Context) -> Response:
    """One released file, as it is in the released zone (listed in its manifest)."""
    wanted, name = ctx.path["release"].upper(), ctx.path["file"]
    for item in service.released(ctx.deployment, by=ctx.by):
        if item.request != wanted:
            continue
        listed = {f["file"] for f in item.files}
        if name in listed:
            body = (item.folder / name).read_bytes()
            return Response(body, media_type="text/csv; charset=utf-8", headers={
                "content-disposition": f'attachment; filename="{name}"'})
    raise NotFound(f"no released file {name!r} in {wanted}")


@route("GET", "/api/release-requests", rule=roles(*CHECKING_STAFF), name="api-release-requests",
       api=True)
def api_release_requests(ctx: Context) -> list[dict[str, Any]]:
    """Requests to release outputs (``?status=`` filters), with their findings and reviews."""
    status = ctx.request.query_params.get("status") or None
    return [{"reference": q.reference, "project": q.project, "application": q.application,
             "requested_by": q.requested_by, "requested_at": q.requested_at,
             "status": q.status, "purpose": q.purpose, "findings": q.findings,
             "outputs": [o.reference for o in q.outputs],
             "reviews": [{"checker": r.checker, "decision": r.decision,
                          "comments": r.comments, "at": r.at} for r in q.reviews]}
            for q in service.list_requests(ctx.deployment, by=ctx.by, status=status)]
