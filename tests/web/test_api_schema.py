"""The JSON API against its own OpenAPI schema (schemathesis): generated requests, anonymous and
signed in, never get a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from fivesafes.web.app import create_app
from fivesafes.web.cookies import SESSION_COOKIE
from fivesafes.web.sessions import sign_in
from tests.governance.conftest import PASSWORD, provisioned


@pytest.fixture
def api(world):
    world.researcher("lead")
    provisioned(world)
    app = create_app(world.home, published=world.published)
    started = sign_in(world.home, username="lead", password=PASSWORD)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app), started.token


def test_no_generated_request_gets_a_server_error(api):
    schema, token = api
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/me", "/api/applications",
                                              "/api/applications/{reference}", "/api/register"}
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            for cookies in ({}, {SESSION_COOKIE: token}):
                response = case.call(base_url="https://testserver", cookies=cookies)
                assert response.status_code < 500, (case.path, response.text[:300])
        call()
