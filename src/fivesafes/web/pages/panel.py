"""A panel member's queue: the applications waiting for a decision of one of their panels."""

from __future__ import annotations

from fivesafes.accounts import Role
from fivesafes.governance.views import list_applications
from fivesafes.web.rendering import render
from fivesafes.web.routing import Context, roles, route


@route("GET", "/panel", rule=roles(Role.PANEL_MEMBER), name="panel-queue")
def queue(ctx: Context) -> str:
    """Applications in review whose current panel is one of the signed-in member's."""
    mine = {r.split(":", 1)[1] for r in ctx.me.account.roles if r.startswith("panel_member:")}
    waiting = [a for a in list_applications(ctx.deployment, by=ctx.by)
               if a.state in ("in_review", "resubmitted") and a.current_panel in mine]
    return render(ctx.request, "panel.html", me=ctx.me, title="Panel queue",
                  applications=waiting, panels=sorted(mine))
