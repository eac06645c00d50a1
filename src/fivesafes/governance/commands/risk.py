"""``fivesafes risk``: the disclosure risk assessment of an application's requested
combination of fields, as its panels see it."""

from __future__ import annotations

from pathlib import Path

import click

from fivesafes.cli_support import actor_option, user_errors, with_home
from fivesafes.governance import applications, views
from fivesafes.governance.commands.options import say
from fivesafes.home import Deployment
from fivesafes.risk import RiskAssessment, page

HTML = click.Path(path_type=Path, dir_okay=False, writable=True)
html_option = click.option("--html", "html", type=HTML, default=None,
                           help="Also write the assessment as a page with a chart of class "
                                "sizes (self-contained HTML).")


@click.group("risk")
def risk() -> None:
    """Disclosure risk of what an application asks for (k-anonymity, uniques, suggestions)."""


def _print(reference: str, assessment: RiskAssessment, status: str, html: Path | None) -> None:
    say(f"risk assessment of {reference}: {status}")
    for line in assessment.lines():
        say(f"  {line}")
    if html is not None:
        html.write_text(page.render(assessment, title=f"Risk assessment of {reference}",
                                    status=status), encoding="utf-8")
        say(f"  page with the chart of class sizes: {html}")


@risk.command("assess")
@click.argument("reference")
@html_option
@actor_option
@with_home
@user_errors
def risk_assess(deployment: Deployment, reference: str, html: Path | None, actor: str) -> None:
    """Assess REFERENCE now on the published data and keep the assessment with it (its
    applicants, administrators and the panel reviewing it)."""
    assessment = applications.assess_risk(deployment, by=actor, reference=reference)
    _print(reference, assessment, f"assessed now by {actor}; current", html)


@risk.command("show")
@click.argument("reference")
@html_option
@actor_option
@with_home
@user_errors
def risk_show(deployment: Deployment, reference: str, html: Path | None, actor: str) -> None:
    """Show REFERENCE's latest assessment and whether it is still current."""
    found = views.application_view(deployment, by=actor, reference=reference).risk
    if found is None:
        say(f"{reference} has not been assessed yet; run 'fivesafes risk assess {reference}'")
        return
    _print(reference, found.assessment, found.status, html)
