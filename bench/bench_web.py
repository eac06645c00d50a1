"""Load on the web application: 50 signed-in people at once, on loopback.

The app runs under uvicorn (one worker, as `fivesafes serve` runs it) on a fresh home with the
example catalogue; real argon2id parameters. A separate process drives it with one httpx client
per person (its own cookies and CSRF token): researchers view their home, record, applications and
the register and save draft applications (a full form post); panel members view their queue and
an application. Each person pauses 0.2-1.0 s between steps. Prints requests, errors and latency
percentiles; the target is 0 errors and p95 < 300 ms.

    python bench/bench_web.py [--users 50] [--seconds 30] [--db-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TARGET_P95_MS = 300.0


def _build(root: Path, researchers: int, reviewers: int, db_url: str | None) -> dict:
    """A home with accounts, projects and applications in each state a page shows."""
    from tests.conftest import FakeClock
    from tests.example_data import example_data
    from tests.governance.conftest import PASSWORD, World, drive, staff

    from fivesafes.catalogue.refs import example_catalogue
    from fivesafes.governance.catalogue import Published
    from fivesafes.governance.lifecycle import State
    from fivesafes.home import init_home

    published = Published(example_catalogue(), example_data(root / "example-data"))
    clock = FakeClock()  # the example records (training, agreements) are dated around it
    home = init_home(root / "home", by="bench:officer", db_url=db_url, clock=clock)
    world = World(home, clock, published)
    staff(world)
    world.agreement()
    people = []
    for i in range(researchers):
        name = f"researcher{i:02d}"
        world.researcher(name)
        project = world.project(name, title=f"Study {i:02d} of outcomes after sentence")
        reference = world.apply(name, project)
        if i % 3 == 0:
            drive(world, reference, State.IN_REVIEW, lead=name, panel="reviewer", rap="rap",
                  linkage="linkage")
        people.append({"username": name, "role": "researcher", "project": project,
                       "application": reference})
    in_review = [p["application"] for i, p in enumerate(people) if i % 3 == 0]
    for i in range(reviewers):
        name = "reviewer" if i == 0 else f"reviewer{i:02d}"
        if i:
            world.account(name, ("panel_member", "hmcts_dap"))
        people.append({"username": name, "role": "panel_member", "application": in_review[
            i % len(in_review)]})
    return {"home": home, "people": people, "password": PASSWORD, "published": published}


def _posted(project: str, token: str) -> dict[str, object]:
    from tests.web.browser import application_post

    return application_post(project, csrf_token=token)


class _Person:
    """One person's browser: its own cookies, the pages it visits, and every timing."""

    def __init__(self, base: str, person: dict, timings: list, errors: list[str]) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=30)
        self.person, self.timings, self.errors = person, timings, errors

    async def step(self, label: str, method: str, path: str, expect: set[int], **kw):
        import httpx

        start = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kw)
        except httpx.HTTPError as e:
            self.errors.append(f"{label} {path}: {type(e).__name__}")
            return None
        self.timings.append((label, (time.perf_counter() - start) * 1000))
        if response.status_code not in expect:
            self.errors.append(f"{label} {path}: HTTP {response.status_code}")
        return response

    async def sign_in(self, password: str) -> None:
        page = await self.step("sign-in form", "GET", "/sign-in", {200})
        token = CSRF.search(page.text).group(1) if page is not None else ""
        await self.step("sign in", "POST", "/sign-in", {303}, data={
            "username": self.person["username"], "password": password, "csrf_token": token,
            "next": "/"})

    async def work(self, until: float) -> None:
        person = self.person
        if person["role"] == "researcher":
            views = ["/", "/me", "/applications", f"/applications/{person['application']}",
                     "/register", "/api/me", f"/api/applications/{person['application']}"]
        else:
            views = ["/", "/panel", f"/applications/{person['application']}", "/register"]
        n = 0
        await asyncio.sleep(random.uniform(0, 1.0))  # people do not all click at once
        while time.perf_counter() < until:
            n += 1
            if person["role"] == "researcher" and n % 6 == 0:
                form = await self.step("application form", "GET",
                                       f"/applications/new?project={person['project']}"
                                       "&dataset=magistrates", {200})
                if form is not None:
                    token = CSRF.search(form.text).group(1)
                    await self.step("save draft", "POST", "/applications/new", {303},
                                    data=_posted(person["project"], token))
            else:
                await self.step("page view", "GET", random.choice(views), {200})
            await asyncio.sleep(random.uniform(0.2, 1.0))


async def _drive(base: str, people: list[dict], password: str, seconds: float) -> dict:
    """Everyone signs in (timed apart), then the mix runs for ``seconds``."""
    sign_ins: list[tuple[str, float]] = []
    timings: list[tuple[str, float]] = []
    errors: list[str] = []
    browsers = [_Person(base, p, sign_ins, errors) for p in people]
    await asyncio.gather(*(b.sign_in(password) for b in browsers))
    for b in browsers:
        b.timings = timings
    started = time.perf_counter()
    await asyncio.gather(*(b.work(started + seconds) for b in browsers))
    elapsed = time.perf_counter() - started
    for b in browsers:
        await b.client.aclose()
    return {"timings": timings, "sign_ins": sign_ins, "errors": errors, "elapsed": elapsed}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--db-url", default=None)
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # the driver process's input file
    args = parser.parse_args()
    if args.drive:
        job = json.loads(Path(args.drive).read_text())
        result = asyncio.run(_drive(job["base"], job["people"], job["password"], job["seconds"]))
        Path(args.drive).write_text(json.dumps(result))
        return

    from tests.web.browser import served_app

    reviewers = max(1, args.users // 10)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        world = _build(Path(tmp), args.users - reviewers, reviewers, args.db_url)
        print(f"home built in {time.perf_counter() - t0:.1f} s "
              f"({args.users - reviewers} researchers, {reviewers} panel members)", flush=True)
        job = Path(tmp) / "drive.json"
        with served_app(world["home"], world["published"]) as base:
            job.write_text(json.dumps({"base": base, "people": world["people"],
                                       "password": world["password"], "seconds": args.seconds}))
            subprocess.run([sys.executable, __file__, "--drive", str(job)], check=True)
        world["home"].close()
        result = json.loads(job.read_text())


    timings = result["timings"]
    every = [ms for _, ms in timings]
    by_kind: dict[str, list[float]] = {}
    for label, ms in timings:
        by_kind.setdefault(label, []).append(ms)
    print(f"{args.users} people for {result['elapsed']:.0f} s: {len(every)} requests "
          f"({len(every) / result['elapsed']:.0f}/s), {len(result['errors'])} errors")
    print(f"{'request':<20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    sign_ins = [ms for label, ms in result["sign_ins"] if label == "sign in"]
    rows = [("sign in (argon2id)", sign_ins), *sorted(by_kind.items()), ("all signed-in", every)]
    for label, values in rows:
        print(f"{label:<20} {len(values):>6} {statistics.median(values):>8.1f} "
              f"{_percentile(values, 0.95):>8.1f} {_percentile(values, 0.99):>8.1f}")
    for e in result["errors"][:10]:
        print("error:", e)
    p95 = _percentile(every, 0.95)
    verdict = "meets" if not result["errors"] and p95 < TARGET_P95_MS else "MISSES"
    print(f"{verdict} the target (0 errors, p95 < {TARGET_P95_MS:.0f} ms): p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
