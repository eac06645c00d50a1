"""Helpers for tests (and the web benchmark) that drive the app as a person would: the app served
by uvicorn on a loopback port, Debian's Chromium, and a complete application form as posted."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from fivesafes.governance.catalogue import Published
from fivesafes.home import Deployment
from tests.governance.conftest import LONG, WHY

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("FIVESAFES_REQUIRE_BROWSER") == "1"


@contextmanager
def served_app(home: Deployment, published: Published | None = None) -> Iterator[str]:
    """The app on a free loopback port (plain HTTP, so no Secure cookies), given ``published``
    in place of the home's catalogue and data if not None; yields its URL."""
    import uvicorn

    from fivesafes.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(home, secure_cookies=False, published=published)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium_page(**context_options: Any) -> Iterator[Any]:
    """A page in Debian's Chromium (never a downloaded browser); fails in CI if it is missing."""
    if not CHROMIUM.exists():
        if REQUIRED:
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install "
                        "chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        context = browser.new_context(**context_options)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def application_post(project: str, **extra: object) -> dict[str, object]:
    """Step two of the application form, complete and valid (magistrates offence group, sex)."""
    return {
        "project": project, "dataset": ["magistrates"],
        "want:magistrates:offence_code": "1", "level:magistrates:offence_code": "offence_group",
        "why:magistrates:offence_code": LONG, "coarser:magistrates:offence_code": WHY,
        "want:magistrates:sex": "1", "level:magistrates:sex": "sex",
        "why:magistrates:sex": LONG,
        "coverage_from": "2015-01-01", "coverage_to": "2023-12-31",
        "jurisdictions": ["England", "Wales"], "sources": ["Libra"],
        "access_start": "2026-03-01", "access_end": "2027-02-28",
        "gateway": "dea2017_research", "art6": "public_task", "art9": "", "art10": "research",
        "ethics_reference": "ETH-2025-117", "dpia_reference": "DPIA-2025-009", **extra,
    }
