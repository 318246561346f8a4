"""No input may produce a 500: schemathesis fuzzes every operation of the OpenAPI document through the ASGI app, as an
advisor and as a client (so that requests get past authentication and reach the handlers), with the fake service."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from credit_scoring.api import create_app
from tests.api.conftest import Api, api_settings, running_api
from tests.api.fakes import FakeService

_FUZZ = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


# Schemathesis collects one test per operation from the schema, so the app exists at collection; nothing runs until
# ``fuzz_api`` starts its lifespan on a temporary database (schemathesis' lazy ``from_fixture`` fails on this pytest).
# Loading the schema runs the lifespan once: point it at a temporary folder, never the working directory.
_APP = create_app(
    api_settings(f"sqlite:///{Path(tempfile.mkdtemp(prefix='fuzz-')) / 'schema.db'}"), service=FakeService()
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.fixture(scope="module")
def fuzz_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    _APP.state.settings = api_settings(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'decisions.db'}")
    with running_api(_APP) as started:
        yield started


@schema.parametrize()
@_FUZZ
def test_no_server_error_as_advisor(case: schemathesis.Case, fuzz_api: Api) -> None:
    case.call_and_validate(headers=fuzz_api.advisor, checks=[not_a_server_error])


@schema.parametrize()
@_FUZZ
def test_no_server_error_as_client(case: schemathesis.Case, fuzz_api: Api) -> None:
    case.call_and_validate(headers=fuzz_api.client, checks=[not_a_server_error])
