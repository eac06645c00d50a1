"""``fivesafes serve``: the web application on a home (SQLite by default, or the database its
settings name), under uvicorn. For production, run :func:`app_from_environment` under uvicorn or
gunicorn workers behind a TLS reverse proxy (docs/web.md)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from fivesafes.home import HOME_ENV, open_home

#: set to 1 behind a reverse proxy that terminates TLS (the default unless on loopback)
SECURE_COOKIES_ENV = "FIVESAFES_SECURE_COOKIES"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_from_environment():
    """The app over ``$FIVESAFES_HOME``, for ``uvicorn --factory`` and gunicorn workers."""
    from fivesafes.web.app import create_app

    home = os.environ.get(HOME_ENV)
    if not home:
        raise RuntimeError(f"set {HOME_ENV} to the deployment home the app serves")
    secure = os.environ.get(SECURE_COOKIES_ENV, "1") != "0"
    return create_app(open_home(Path(home)), secure_cookies=secure)


def register_commands(main: click.Group) -> None:
    from fivesafes.cli_support import console, home_option, user_errors

    @main.command("serve")
    @home_option
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on.")
    @click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
    @click.option("--secure-cookies/--no-secure-cookies", default=None,
                  help="Send the session cookie over HTTPS only. Default: on, except on a "
                       "loopback address (plain HTTP on this machine).")
    @user_errors
    def serve(home: Path, host: str, port: int, secure_cookies: bool | None) -> None:
        """Serve the web application for this home until stopped (Ctrl-C)."""
        import uvicorn

        from fivesafes.web.app import create_app

        deployment = open_home(home)
        secure = (not is_loopback(host)) if secure_cookies is None else secure_cookies
        console.print(f"fivesafes web application for {deployment.root}: "
                      f"http://{host}:{port}/ (Ctrl-C stops it)", markup=False)
        try:
            uvicorn.run(create_app(deployment, secure_cookies=secure), host=host, port=port,
                        log_level="warning", proxy_headers=False)
        finally:
            deployment.close()
