"""``fivesafes application`` (the applicant's and the secretariat's steps) and ``fivesafes
panel`` (panel decisions). Each command calls one service function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from fivesafes.accounts.panels import routing_for
from fivesafes.cli_support import actor_option, user_errors, with_home
from fivesafes.governance import access, applications, reviews, views
from fivesafes.governance.commands.options import (
    ISO_DATE,
    as_date,
    optional_reason,
    reason_option,
    say,
)
from fivesafes.governance.forms import from_form_file
from fivesafes.governance.lifecycle import State
from fivesafes.home import Deployment
from fivesafes.listings import Column, json_option, print_json, print_listing

FILE = click.Path(path_type=Path, dir_okay=False, exists=True)
condition_option = click.option("--condition", "conditions", multiple=True,
                                help="A condition of the approval (repeatable).")


@click.group()
def application() -> None:
    """Applications for data: write, submit, route, provision, close."""


@application.command("import")
@click.argument("file", type=FILE)
@actor_option
@with_home
@user_errors
def application_import(deployment: Deployment, file: Path, actor: str) -> None:
    """Create a draft application from a TOML or JSON FILE (every problem is listed at once)."""
    reference = applications.import_application(deployment, by=actor, path=file)
    say(f"application {reference} created as a draft")


@application.command("update")
@click.argument("reference")
@click.argument("file", type=FILE)
@actor_option
@with_home
@user_errors
def application_update(deployment: Deployment, reference: str, file: Path, actor: str) -> None:
    """Replace a draft's content (or answer a request for information) from FILE."""
    from_form_file(file, lambda form: applications.update_application(
        deployment, by=actor, reference=reference, form=form))
    say(f"application {reference} updated")


def _step(name: str, doc: str, call: Callable[..., object], *,
          reason: Callable[[Callable[..., object]], Callable[..., object]] | None = None
          ) -> None:
    """Define ``application NAME REFERENCE`` calling ``call(deployment, by, reference, ...)``."""

    def command(deployment: Deployment, reference: str, actor: str, **kwargs: str) -> None:
        call(deployment, by=actor, reference=reference, **kwargs)
        with deployment.store.reading() as session:
            state = applications.get_application(session, reference).state
        say(f"{reference}: {name.replace('-', ' ')} done; it is now {state}")

    command.__doc__ = doc
    decorated = user_errors(command)
    decorated = with_home(decorated)
    decorated = actor_option(decorated)
    if reason is not None:
        decorated = reason(decorated)
    decorated = click.argument("reference")(decorated)
    application.command(name)(decorated)


_step("submit", "The applicant submits draft REFERENCE.",
      lambda d, by, reference: applications.submit(d, by=by, reference=reference))
_step("start-review", "Route submitted REFERENCE to its panels (administrator).",
      lambda d, by, reference: applications.start_review(d, by=by, reference=reference))
_step("resubmit", "The applicant resubmits REFERENCE after more information was asked for.",
      lambda d, by, reference, reason: applications.resubmit(d, by=by, reference=reference,
                                                             reasons=reason),
      reason=optional_reason)
_step("withdraw", "The applicant (or an administrator) withdraws REFERENCE.",
      lambda d, by, reference, reason: applications.withdraw(d, by=by, reference=reference,
                                                             reasons=reason),
      reason=reason_option)
_step("provision", "Give accredited REFERENCE's team access (linkage officer; needs a current "
                   "data sharing agreement).",
      lambda d, by, reference: access.provision(d, by=by, reference=reference))
_step("close", "Close provisioned REFERENCE: access ends.",
      lambda d, by, reference, reason: applications.close(d, by=by, reference=reference,
                                                          reasons=reason),
      reason=optional_reason)


@application.command("show")
@click.argument("reference")
@actor_option
@with_home
@user_errors
def application_show(deployment: Deployment, reference: str, actor: str) -> None:
    """Show REFERENCE: what it asks for, its route and its history."""
    v = views.application_view(deployment, by=actor, reference=reference)
    say(f"{v.reference} for {v.project} '{v.title}': {v.state}"
        + (f" (waiting for {v.current_panel})" if v.current_panel else ""))
    say(f"  datasets: {', '.join(v.datasets)}")
    for f in v.fields:
        say(f"  field {f.dataset}.{f.name} as {f.level} [{f.sensitivity}]: {f.justification}"
            + (f" | coarser will not do: {f.why_not_coarser}" if f.why_not_coarser else ""))
    say(f"  coverage: {v.coverage}; access {v.access_start} to {v.access_end}")
    say(f"  legal basis: {'; '.join(v.legal_basis)}; ethics {v.ethics_reference}; "
        f"DPIA {v.dpia_reference}")
    for c in v.conditions:
        say(f"  condition: {c}")
    for r in v.route:
        say(f"  route: {r.panel} ({r.kind}) {r.status}"
            + (f" by {r.decided_by}" if r.decided_by else "")
            + (f": {r.reasons}" if r.reasons else "")
            + (f" [escalated from {r.escalated_from}]" if r.escalated_from else ""))
    if v.risk is None:
        say("  risk: not assessed yet (it is assessed on submission, or with "
            f"'fivesafes risk assess {v.reference}')")
    else:
        say(f"  risk: {v.risk.status}")
        for line in v.risk.assessment.lines():
            say(f"    {line}")
    for e in v.history:
        say(f"  {e.at[:19]} {e.actor} {e.action}: {e.from_state} -> {e.to_state}"
            + (f" ({e.reasons})" if e.reasons else ""))


APPLICATION_COLUMNS = (Column("reference", "application", whole=True),
                       Column("project", whole=True), Column("title"),
                       Column("state", whole=True), Column("current_panel", "waiting for",
                                                           whole=True))


@application.command("list")
@click.option("--state", type=click.Choice([str(s) for s in State]), default=None,
              help="Only applications in this state.")
@json_option
@actor_option
@with_home
@user_errors
def application_list(deployment: Deployment, state: str | None, as_json: bool,
                     actor: str) -> None:
    """List the applications you may see."""
    rows = [asdict(s) for s in views.list_applications(deployment, by=actor, state=state)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, APPLICATION_COLUMNS)


@click.group()
def panel() -> None:
    """Panel decisions on applications, and the configured panels and routes."""


PANEL_COLUMNS = (Column("key", "panel", whole=True), Column("name"), Column("body"),
                 Column("escalates_to", "may escalate to", whole=True))
ROUTE_COLUMNS = (Column("owner", whole=True),
                 Column("route", show=lambda r: " -> ".join(r["route"])))


@panel.command("list")
@json_option
@with_home
@user_errors
def panel_list(deployment: Deployment, as_json: bool) -> None:
    """The configured panels and each data owner's route."""
    routing = routing_for(deployment)
    if as_json:
        print_json([{**asdict(p), "routes_of": [o for o, route in routing.owners.items()
                                                if p.key in route or
                                                p.key == routing.accreditation_panel],
                     "accreditation": p.key == routing.accreditation_panel}
                    for p in routing.panels.values()])
        return
    print_listing([asdict(p) for p in routing.panels.values()], PANEL_COLUMNS,
                  title=f"panels ({routing.source})")
    print_listing([{"owner": owner, "route": [*route, routing.accreditation_panel]}
                   for owner, route in routing.owners.items()], ROUTE_COLUMNS,
                  title="each data owner's route")


@panel.command("approve")
@click.argument("reference")
@optional_reason
@condition_option
@actor_option
@with_home
@user_errors
def panel_approve(deployment: Deployment, reference: str, reason: str,
                  conditions: tuple[str, ...], actor: str) -> None:
    """Approve REFERENCE for the panel now reviewing it, with any conditions."""
    state = reviews.approve(deployment, by=actor, reference=reference, reasons=reason,
                            conditions=conditions)
    say(f"{reference} approved by {actor}; it is now {state}")


@panel.command("reject")
@click.argument("reference")
@reason_option
@actor_option
@with_home
@user_errors
def panel_reject(deployment: Deployment, reference: str, reason: str, actor: str) -> None:
    """Reject REFERENCE: the application ends."""
    reviews.reject(deployment, by=actor, reference=reference, reasons=reason)
    say(f"{reference} rejected by {actor}")


@panel.command("request-information")
@click.argument("reference")
@reason_option
@actor_option
@with_home
@user_errors
def panel_request_information(deployment: Deployment, reference: str, reason: str, actor: str
                              ) -> None:
    """Ask REFERENCE's applicant for more information (--reason says what)."""
    applications.request_information(deployment, by=actor, reference=reference, reasons=reason)
    say(f"{reference}: more information requested")


@panel.command("resume")
@click.argument("reference")
@actor_option
@with_home
@user_errors
def panel_resume(deployment: Deployment, reference: str, actor: str) -> None:
    """Take resubmitted REFERENCE back into review."""
    applications.resume_review(deployment, by=actor, reference=reference)
    say(f"{reference} is in review again")


@panel.command("escalate")
@click.argument("reference")
@reason_option
@actor_option
@with_home
@user_errors
def panel_escalate(deployment: Deployment, reference: str, reason: str, actor: str) -> None:
    """Refer REFERENCE to the higher body configured for the reviewing panel."""
    to = reviews.escalate(deployment, by=actor, reference=reference, reasons=reason)
    say(f"{reference} escalated to {to}")


@panel.command("accredit")
@click.argument("reference")
@click.option("--rap-reference", required=True, help="The project's accreditation reference.")
@click.option("--expires", type=ISO_DATE, required=True, help="Expiry date (YYYY-MM-DD).")
@optional_reason
@condition_option
@actor_option
@with_home
@user_errors
def panel_accredit(deployment: Deployment, reference: str, rap_reference: str,
                   expires: datetime, reason: str, conditions: tuple[str, ...], actor: str
                   ) -> None:
    """Accredit approved REFERENCE's project (accreditation panel)."""
    reviews.accredit(deployment, by=actor, reference=reference, rap_reference=rap_reference,
                     expires_on=as_date(expires), reasons=reason, conditions=conditions)
    say(f"{reference} accredited as {rap_reference} until {as_date(expires)}")


@panel.command("declare-conflict")
@click.argument("reference")
@click.option("--panel", "panel_key", required=True, metavar="KEY", help="Your panel.")
@reason_option
@actor_option
@with_home
@user_errors
def panel_declare_conflict(deployment: Deployment, reference: str, panel_key: str, reason: str,
                           actor: str) -> None:
    """Declare a conflict of interest on REFERENCE: you then cannot decide on it."""
    reviews.declare_conflict(deployment, by=actor, reference=reference, panel=panel_key,
                             reason=reason)
    say(f"conflict of interest of {actor} on {reference} recorded")
