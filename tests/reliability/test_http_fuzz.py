"""Fuzz the HTTP API from its own OpenAPI description, signed in as a duty manager.

Every operation gets schema-valid and schema-breaking requests (bad JSON
types, missing fields, wrong query strings). The server must answer each one
with a documented 4xx or a 2xx, never a 5xx, never a traceback in its log,
and must still serve a terminal afterwards.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BackendProcess
from tests.reliability.conftest import Figure
from tests.reliability.wire import bearer, server_errors, sign_in

# examples per operation and generation mode: enough to cover each route's inputs in CI;
# FLOORLINE_FUZZ_EXAMPLES=500 for a deeper run
EXAMPLES = int(os.environ.get("FLOORLINE_FUZZ_EXAMPLES", "80"))
# the same examples on every run, so a run that passed passes again and a landing is
# never held by a draw; FLOORLINE_FUZZ_RANDOM=1 explores fresh ones (a failure prints
# the seed to reproduce it)
DERANDOMIZE = os.environ.get("FLOORLINE_FUZZ_RANDOM", "") != "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.slow
# every operation of the API gets its examples: more routes, longer; a safety net, not a budget
@pytest.mark.timeout(900)
def test_fuzzed_requests_never_break_the_server(backend: BackendProcess, figure: Figure) -> None:
    token = sign_in(backend, "dm1")
    schema = schemathesis.openapi.from_url(backend.url + "/openapi.json", timeout=20)
    sent: dict[str, int] = {}
    started = time.monotonic()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # an operation the schema does not describe validly
        operation = result.ok()
        takes_input = bool(
            operation.body or operation.query or operation.path_parameters or operation.headers
        )
        modes = [GenerationMode.POSITIVE]
        if takes_input:  # nothing to break in an operation that takes no input
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=DERANDOMIZE,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: schemathesis.Case[Any]) -> None:
                headers = bearer(token)
                if case.method == "DELETE":
                    # signing out revokes the token: give each sign-out its own
                    headers = bearer(sign_in(backend, "dm1"))
                response = case.call(base_url=backend.url, headers=headers, timeout=20)
                sent[case.operation.label] = sent.get(case.operation.label, 0) + 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            fuzz()
    elapsed = time.monotonic() - started

    # still serving a terminal: sign in, read the floor, change it
    assert backend.running, "the server process died while being fuzzed"
    fresh = sign_in(backend, "pb1")
    with httpx.Client(base_url=backend.url, headers=bearer(fresh), timeout=20) as http:
        assert http.get("/v1/time").status_code == 200
        snapshot = http.get("/v1/snapshot")
        assert snapshot.status_code == 200 and snapshot.json()["state"]["incidents"]
    assert server_errors(backend) == []

    total = sum(sent.values())
    print("requests per operation:", dict(sorted(sent.items())))
    figure("requests fuzzed", total)
    figure("operations fuzzed", len(sent))
    figure("fuzz seconds", round(elapsed, 1))
    assert len(sent) >= 7 and total >= 7 * EXAMPLES
