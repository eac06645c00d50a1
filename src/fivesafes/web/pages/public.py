"""What anyone may read without signing in: the public register of approved projects."""

from __future__ import annotations

from fivesafes.governance.register import public_register, withheld_note
from fivesafes.web.rendering import render
from fivesafes.web.routing import PUBLIC, Context, route


@route("GET", "/register", rule=PUBLIC, name="register")
def register(ctx: Context) -> str:
    """The public register of approved projects (sensitive ones counted, not listed)."""
    found = public_register(ctx.deployment)
    return render(ctx.request, "register.html", me=ctx.me, title="Register of approved projects",
                  register=found, withheld=withheld_note(found))
