"""``fivesafes admin`` and ``fivesafes people``: accounts, roles, accreditation and training."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import click

from fivesafes import accounts
from fivesafes.accounts import Role
from fivesafes.cli_support import actor_option, user_errors, with_home
from fivesafes.governance import access
from fivesafes.governance import people as safe_people
from fivesafes.governance.commands.options import (
    ISO_DATE,
    as_date,
    read_password,
    reason_option,
    say,
)
from fivesafes.home import Deployment, local_operator
from fivesafes.listings import Column, json_option, print_json, print_listing

ROLE = click.Choice([str(r) for r in Role])
password_stdin = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)


@click.group()
def admin() -> None:
    """Bootstrap and housekeeping of governance."""


@admin.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--email", required=True, help="Email address.")
@click.option("--organisation", default="", help="Organisation.")
@password_stdin
@with_home
@user_errors
def admin_create(deployment: Deployment, username: str, full_name: str, email: str,
                 organisation: str, password_stdin: bool) -> None:
    """Create the first administrator, USERNAME (refused once one exists). Recorded as done by
    your operating-system login (or FIVESAFES_ACTOR)."""
    password = read_password(password_stdin)
    accounts.create_first_administrator(deployment, by=local_operator(), username=username,
                                        full_name=full_name, email=email, password=password,
                                        organisation=organisation)
    say(f"administrator {username} created")


@admin.command("enforce-expiries")
@with_home
@user_errors
def admin_enforce_expiries(deployment: Deployment) -> None:
    """Suspend team members whose accreditation or training has lapsed (run daily)."""
    done = access.enforce_expiries(deployment)
    for s in done:
        say(f"suspended {s.username} on {s.project}: {s.reason}")
    say(f"{len(done)} suspension{'s' if len(done) != 1 else ''}")


@click.group()
def people() -> None:
    """Accounts, roles, accreditation and training (safe people)."""


@people.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--email", required=True, help="Email address.")
@click.option("--organisation", default="", help="Organisation.")
@click.option("--role", "roles", type=ROLE, multiple=True,
              help="A role to grant (repeat for several); panel_member needs --panel KEY.")
@click.option("--panel", "panels", multiple=True, metavar="KEY",
              help="Make the account a member of panel KEY (repeatable; implies --role "
                   "panel_member).")
@password_stdin
@actor_option
@with_home
@user_errors
def people_add(deployment: Deployment, username: str, full_name: str, email: str,
               organisation: str, roles: tuple[str, ...], panels: tuple[str, ...],
               password_stdin: bool, actor: str) -> None:
    """Create account USERNAME with a password you choose (an administrator's action)."""
    password = read_password(password_stdin)
    accounts.create_account(deployment, by=actor, username=username, full_name=full_name,
                            email=email, organisation=organisation, password=password,
                            roles=role_pairs(roles, panels))
    say(f"account {username} created")


def role_pairs(roles: tuple[str, ...], panels: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``(role, panel)`` pairs from ``--role`` and ``--panel``: each panel makes a panel
    membership, so ``--role panel_member --panel KEY`` is one membership, as is ``--panel KEY``
    alone; ``--role panel_member`` with no panel is left for the service to refuse."""
    pairs = tuple((r, "") for r in roles if r != Role.PANEL_MEMBER or not panels)
    return pairs + tuple((str(Role.PANEL_MEMBER), p) for p in panels)


@people.command("grant")
@click.argument("username")
@click.argument("role", type=ROLE)
@click.option("--panel", default="", metavar="KEY", help="The panel, for panel_member.")
@actor_option
@with_home
@user_errors
def people_grant(deployment: Deployment, username: str, role: str, panel: str, actor: str
                 ) -> None:
    """Grant ROLE to USERNAME."""
    accounts.grant_role(deployment, by=actor, username=username, role=role, panel=panel)
    say(f"{username} holds {role}{':' + panel if panel else ''}")


@people.command("revoke")
@click.argument("username")
@click.argument("role", type=ROLE)
@click.option("--panel", default="", metavar="KEY", help="The panel, for panel_member.")
@reason_option
@actor_option
@with_home
@user_errors
def people_revoke(deployment: Deployment, username: str, role: str, panel: str, reason: str,
                  actor: str) -> None:
    """Take ROLE away from USERNAME."""
    accounts.revoke_role(deployment, by=actor, username=username, role=role, panel=panel,
                         reason=reason)
    say(f"{username} no longer holds {role}{':' + panel if panel else ''}")


@people.command("disable")
@click.argument("username")
@reason_option
@actor_option
@with_home
@user_errors
def people_disable(deployment: Deployment, username: str, reason: str, actor: str) -> None:
    """Stop USERNAME from acting (history is kept)."""
    accounts.disable_account(deployment, by=actor, username=username, reason=reason)
    say(f"account {username} disabled")


@people.command("password")
@click.argument("username")
@password_stdin
@actor_option
@with_home
@user_errors
def people_password(deployment: Deployment, username: str, password_stdin: bool, actor: str
                    ) -> None:
    """Change your own password (current one first, then the new one) or, as an
    administrator, reset USERNAME's."""
    current = read_password(password_stdin, "Current password") if actor == username else None
    new = read_password(password_stdin, "New password")
    accounts.set_password(deployment, by=actor, username=username, new_password=new,
                          current_password=current)
    say(f"password of {username} changed; its sign-ins have ended (fivesafes login again)")


@people.command("accredit")
@click.argument("username")
@click.option("--number", required=True, help="Accreditation number.")
@click.option("--body", required=True, help="Accrediting body.")
@click.option("--granted", type=ISO_DATE, required=True, help="Date granted (YYYY-MM-DD).")
@click.option("--expires", type=ISO_DATE, required=True, help="Expiry date (YYYY-MM-DD).")
@click.option("--provisional", is_flag=True, help="Provisional accreditation (needs --supervisor).")
@click.option("--supervisor", default=None, metavar="USERNAME",
              help="The fully accredited researcher who supervises.")
@actor_option
@with_home
@user_errors
def people_accredit(deployment: Deployment, username: str, number: str, body: str,
                    granted: datetime, expires: datetime, provisional: bool,
                    supervisor: str | None, actor: str) -> None:
    """Record USERNAME's researcher accreditation."""
    safe_people.record_accreditation(
        deployment, by=actor, username=username, number=number, body=body,
        granted_on=as_date(granted), expires_on=as_date(expires),
        level="provisional" if provisional else "full", supervisor=supervisor)
    say(f"accreditation {number} of {username} recorded (expires {as_date(expires)})")


@people.command("revoke-accreditation")
@click.argument("username")
@click.argument("number")
@reason_option
@actor_option
@with_home
@user_errors
def people_revoke_accreditation(deployment: Deployment, username: str, number: str, reason: str,
                                actor: str) -> None:
    """Revoke USERNAME's accreditation NUMBER."""
    safe_people.revoke_accreditation(deployment, by=actor, username=username, number=number,
                                     reason=reason)
    say(f"accreditation {number} of {username} revoked")


@people.command("train")
@click.argument("username")
@click.option("--course", required=True, help="The course passed.")
@click.option("--passed", type=ISO_DATE, required=True, help="Date passed (YYYY-MM-DD).")
@click.option("--expires", type=ISO_DATE, required=True, help="Expiry date (YYYY-MM-DD).")
@actor_option
@with_home
@user_errors
def people_train(deployment: Deployment, username: str, course: str, passed: datetime,
                 expires: datetime, actor: str) -> None:
    """Record a training course USERNAME passed."""
    safe_people.record_training(deployment, by=actor, username=username, course=course,
                                passed_on=as_date(passed), expires_on=as_date(expires))
    say(f"training '{course}' of {username} recorded (expires {as_date(expires)})")


@people.command("show")
@click.argument("username")
@actor_option
@with_home
@user_errors
def people_show(deployment: Deployment, username: str, actor: str) -> None:
    """Show USERNAME's accreditation, training and whether they are eligible today."""
    status = safe_people.person_status(deployment, by=actor, username=username)
    say(f"{status.username} ({status.full_name})")
    for line in status.accreditations or ("none",):
        say(f"  accreditation: {line}")
    for line in status.training or ("none",):
        say(f"  training:      {line}")
    say("  eligible today" if status.eligible else "  NOT eligible: " + "; ".join(status.problems))


PEOPLE_COLUMNS = (Column("username", whole=True), Column("full_name", "name"),
                  Column("organisation"), Column("roles"), Column("active"))


@people.command("list")
@json_option
@actor_option
@with_home
@user_errors
def people_list(deployment: Deployment, as_json: bool, actor: str) -> None:
    """List accounts and their roles (administrators and auditors)."""
    rows = [asdict(a) for a in accounts.list_accounts(deployment, by=actor)]
    if as_json:
        print_json(rows)
        return
    print_listing(rows, PEOPLE_COLUMNS)
