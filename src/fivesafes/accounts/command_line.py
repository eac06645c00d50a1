"""Signing in on the command line: ``fivesafes login`` proves an account with its password and
keeps a short-lived session token in a file only that operating-system user can read; every
command that names an account with ``--as`` then checks that the account holds a live session on
the home (:func:`prove`).

Token files live in ``$FIVESAFES_TOKEN_DIR``, else ``$XDG_CONFIG_HOME/fivesafes/tokens``, else
``~/.config/fivesafes/tokens``: a folder of mode 0700 owned by the user, one file of mode 0600 per
home and account. A file or folder that other users could read is never used (a token file found
so is also ended: it may have been copied). The store keeps only the token's SHA-256, as for
the web application's sessions (:mod:`fivesafes.accounts.sessions`, channel ``cli``); a
session lasts ``[cli] session_minutes`` after signing in, and ends at once if its account is
disabled.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import stat
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

from fivesafes.accounts import sessions
from fivesafes.accounts.roles import AccountView
from fivesafes.accounts.service import USERNAME
from fivesafes.errors import PermissionDenied
from fivesafes.home import Deployment

TOKEN_DIR_ENV = "FIVESAFES_TOKEN_DIR"


class NotSignedIn(PermissionDenied):
    """``--as`` names an account that holds no live command-line session on this home."""


def lifetime(deployment: Deployment) -> timedelta:
    return timedelta(minutes=deployment.settings.cli_session_minutes)


def token_folder() -> Path:
    """Where this operating-system user's command-line session tokens are kept."""
    named = os.environ.get(TOKEN_DIR_ENV)
    if named:
        return Path(named).expanduser().absolute()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config).expanduser().absolute() / "fivesafes" / "tokens"


def token_path(deployment: Deployment, username: str) -> Path:
    """The token file of ``username`` on this home (a home is told apart by its folder)."""
    home = hashlib.sha256(str(deployment.root.resolve()).encode()).hexdigest()[:16]
    return token_folder() / f"{home}-{username}.token"


def _login_hint(deployment: Deployment, username: str) -> str:
    home = shlex.quote(str(deployment.root))
    return (f"run `fivesafes login {username} --home {home}` "
            "(or `--password-stdin` in scripts)")


def _private_folder(create: bool) -> Path:
    """The token folder, checked to be this user's alone (made so if ``create``)."""
    folder = token_folder()
    if create and not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return folder
    if not stat.S_ISDIR(info.st_mode):
        raise PermissionDenied(f"the token folder {folder} is not a folder; remove it, or set "
                               f"{TOKEN_DIR_ENV} to a private folder")
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionDenied(
            f"the token folder {folder} is open to other users (mode "
            f"{stat.S_IMODE(info.st_mode):04o}, owner uid {info.st_uid}); tokens are kept only "
            f"in a folder of yours alone: chmod 700 {shlex.quote(str(folder))}")
    return folder


def _write_token(path: Path, token: str) -> None:
    """Write ``token`` to ``path`` with mode 0600, replacing the file in one step."""
    part = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (token + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _read_token(path: Path) -> tuple[str | None, str]:
    """The token in ``path`` (None if there is none), and a problem if the file is not this
    user's alone (then the token must not be used to sign in)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None, ""
    except OSError:  # a symbolic link (ELOOP), or unreadable
        return None, f"the token file {path} is not a plain file of yours"
    try:
        info = os.fstat(fd)
        token = os.read(fd, 4096).decode(errors="replace").strip()
    finally:
        os.close(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        return token, f"the token file {path} is not a plain file of yours"
    if info.st_mode & 0o077:
        return token, (f"the token file {path} can be read by other users (mode "
                       f"{stat.S_IMODE(info.st_mode):04o})")
    return token, ""


def login(deployment: Deployment, *, username: str, password: str) -> tuple[AccountView, Path]:
    """Sign ``username`` in on this home: check the password, start a command-line session
    (ending the one its token file held) and write the new token to the file; the account and
    the file. A wrong password, a disabled or locked account is refused and audited."""
    _private_folder(create=True)
    path = token_path(deployment, username) if USERNAME.fullmatch(username) else None
    previous = _read_token(path)[0] if path is not None else None
    started = sessions.sign_in(deployment, username=username, password=password,
                               channel=sessions.CLI, replacing=previous)
    path = token_path(deployment, started.live.account.username)
    try:
        _write_token(path, started.token)
    except BaseException:
        sessions.sign_out(deployment, started.token, channel=sessions.CLI,
                          why="token file not written")
        raise
    return started.live.account, path


def logout(deployment: Deployment, *, username: str) -> bool:
    """End ``username``'s command-line session on this home and remove its token file; whether
    there was a live one."""
    if not USERNAME.fullmatch(username):
        return False
    path = token_path(deployment, username)
    token, _ = _read_token(path)
    ended = sessions.sign_out(deployment, token, channel=sessions.CLI) if token else False
    path.unlink(missing_ok=True)
    return ended


def prove(deployment: Deployment, claimed: str) -> AccountView:
    """The account ``claimed`` (by ``--as``) if it holds a live command-line session on this
    home; otherwise a refusal, recorded as a security event."""
    why = ""
    live = None
    if USERNAME.fullmatch(claimed):
        path = token_path(deployment, claimed)
        try:
            _private_folder(create=False)
        except PermissionDenied as refusal:
            _refuse(deployment, claimed, refusal)
        token, problem = _read_token(path)
        if problem:
            if token:
                sessions.sign_out(deployment, token, channel=sessions.CLI,
                                  why="token file readable by others")
            path.unlink(missing_ok=True)
            _refuse(deployment, claimed, NotSignedIn(
                f"{problem}, so it was not used and its session is ended; "
                f"{_login_hint(deployment, claimed)}"))
        if token:
            live, why = sessions.look_up(deployment, token, channel=sessions.CLI,
                                         longest=lifetime(deployment))
            if live is not None and live.account.username != claimed:
                live, why = None, "unknown"
            if live is None:
                path.unlink(missing_ok=True)
    if live is None:
        reason = {"expired": " (the session expired)",
                  "account disabled": " (the account is disabled)"}.get(why, "")
        _refuse(deployment, claimed, NotSignedIn(
            f"'{claimed[:60]}' is not signed in on this home{reason}: "
            f"{_login_hint(deployment, claimed[:60])}"))
    return live.account


def _refuse(deployment: Deployment, claimed: str, refusal: PermissionDenied) -> NoReturn:
    deployment.store.record_refusal(refusal, claimed[:200] or "unknown")
    raise refusal
