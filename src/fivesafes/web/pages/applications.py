"""Applications: the list a person may see, one application with its risk assessment and
class-size chart, and the decisions on it (submit, review, approve, reject, ask for more
information, declare a conflict). Every action is the governance service of the same name, run
as the signed-in person; the service says no when they may not."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import RedirectResponse, Response

from fivesafes.governance import applications, reviews
from fivesafes.governance.views import application_view, list_applications
from fivesafes.risk.page import class_size_chart
from fivesafes.web.rendering import holds, render, svg
from fivesafes.web.routing import SIGNED_IN, Context, route

#: states in which the applicant may (re)submit, and in which a panel may decide
SUBMITTABLE = ("draft", "more_information")
IN_REVIEW = ("in_review", "resubmitted")


def _back(ctx: Context, note: str) -> Response:
    reference = ctx.path["reference"]
    return RedirectResponse(f"/applications/{reference}?done={note}", status_code=303)


@route("GET", "/applications", rule=SIGNED_IN, name="applications")
def application_list(ctx: Context) -> str:
    """The applications the signed-in person may see (their own projects', or all for staff)."""
    state = ctx.request.query_params.get("state") or None
    found = list_applications(ctx.deployment, by=ctx.by, state=state)
    return render(ctx.request, "applications.html", me=ctx.me, title="Applications",
                  applications=found, state=state or "")


@route("GET", "/applications/{reference}", rule=SIGNED_IN, name="application")
def application(ctx: Context) -> str:
    """One application: fields and their justifications, its route, history and risk."""
    shown = application_view(ctx.deployment, by=ctx.by, reference=ctx.path["reference"])
    chart = None
    if shown.risk is not None:
        a = shown.risk.assessment
        chart = svg(class_size_chart(a.histogram, a.threshold))
    panels = {r.split(":", 1)[1] for r in ctx.me.account.roles if r.startswith("panel_member:")}
    return render(ctx.request, "application.html", me=ctx.me, title=shown.reference,
                  app=shown, chart=chart, done=ctx.request.query_params.get("done", ""),
                  may_submit=shown.state in SUBMITTABLE,
                  may_start=shown.state == "submitted" and holds(ctx.me, "administrator"),
                  may_decide=shown.state in IN_REVIEW and shown.current_panel in panels)


def _action(name: str, path: str, note: str, call: Callable[[Context], object]) -> None:
    def handle(ctx: Context) -> Response:
        call(ctx)
        return _back(ctx, note)
    handle.__doc__ = f"{note.capitalize()} (the governance service, as the signed-in person)."
    route("POST", f"/applications/{{reference}}/{path}", rule=SIGNED_IN, name=name)(handle)


def _submit(ctx: Context) -> None:
    reference = ctx.path["reference"]
    if ctx.field("resubmit"):
        applications.resubmit(ctx.deployment, by=ctx.by, reference=reference,
                              reasons=ctx.field("reasons"), published=ctx.published)
    else:
        applications.submit(ctx.deployment, by=ctx.by, reference=reference,
                            published=ctx.published)


_action("application-submit", "submit", "submitted", _submit)
_action("application-assess-risk", "assess-risk", "risk assessed",
        lambda ctx: applications.assess_risk(ctx.deployment, by=ctx.by,
                                             reference=ctx.path["reference"],
                                             published=ctx.published))
_action("application-start-review", "start-review", "review started",
        lambda ctx: applications.start_review(ctx.deployment, by=ctx.by,
                                              reference=ctx.path["reference"]))
_action("application-approve", "approve", "approved",
        lambda ctx: reviews.approve(
            ctx.deployment, by=ctx.by, reference=ctx.path["reference"],
            reasons=ctx.field("reasons"),
            conditions=[c.strip() for c in ctx.field("conditions").splitlines() if c.strip()]))
_action("application-reject", "reject", "rejected",
        lambda ctx: reviews.reject(ctx.deployment, by=ctx.by, reference=ctx.path["reference"],
                                   reasons=ctx.field("reasons")))
_action("application-request-information", "request-information", "more information asked for",
        lambda ctx: applications.request_information(
            ctx.deployment, by=ctx.by, reference=ctx.path["reference"],
            reasons=ctx.field("reasons")))
_action("application-declare-conflict", "declare-conflict", "conflict declared",
        lambda ctx: reviews.declare_conflict(
            ctx.deployment, by=ctx.by, reference=ctx.path["reference"],
            panel=ctx.field("panel"), reason=ctx.field("reasons")))
