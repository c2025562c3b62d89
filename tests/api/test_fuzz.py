"""Property-based fuzzing of the whole API (issue 13; API.md "Bad bodies", "Errors").

Schemathesis reads the served `/api/v1/openapi.json` and, for every operation, generates
requests both valid and invalid against it (`mode = "all"`), sent through the real WSGI stack
(middlewares, the SMS intake included) as each kind of caller: an operator, a customer admin, a
plain user (Communicator-enabled) and anonymous. Every answer must pass:

- `not_a_server_error`: no input ever answers 5xx;
- `status_code_conformance`: the status is one the document declares for the operation;
- `content_type_conformance`: its content type is the declared one (problem+json for errors);
- `response_schema_conformance`: its body matches the declared schema.

Path ids are the generated ones or, half of the time, those of real objects the callers may
or may not reach (`KNOWN_IDS`: the plain user, the customer, a draft alias, a device), so the
operations run their actions, not only their 404s.

Bounded and replayable: `EXAMPLES` examples per operation and caller, derandomized (Hypothesis
derives each test's seed from its name, so a failure comes back on every run), no example
database, no shrinking past the first failure's report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import User
from centrex.aliases.actions.lifecycle import create_alias
from centrex.communicator.actions import create_device
from centrex.customers.models import Customer

# Generated requests per operation and caller (4 callers: 4 x EXAMPLES per operation); a
# deeper search for a session hunting bugs: CENTREX_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py
EXAMPLES = int(os.environ.get("CENTREX_FUZZ_EXAMPLES", "25"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES,
            # The caller is the test's: no generated Authorization headers.
            "with-security-parameters": False,
            "database": "none",
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)

CALLERS = ["operator", "admin", "user", "anonymous"]

# Path parameter → the id of a real object, filled by the `known_objects` fixture.
KNOWN_IDS: dict[str, int] = {}


def _with_known_ids(parameters: object) -> object:
    if not isinstance(parameters, dict):  # none, or a negative case's wrapped value
        return parameters
    return {name: KNOWN_IDS.get(name, value) for name, value in parameters.items()}


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[object]
) -> st.SearchStrategy[object]:
    return st.one_of(strategy, strategy.map(_with_known_ids))


@pytest.fixture
def known_objects(esempio: Customer, alice: User, bob: User) -> Iterator[None]:
    alias = create_alias(esempio, "EsempioSMS", acting_user=alice)
    device, _password = create_device(bob, "Fuzz phone", acting_user=bob)
    KNOWN_IDS.update(user_id=bob.pk, customer_id=esempio.pk, alias_id=alias.pk, device_id=device.pk)
    yield
    KNOWN_IDS.clear()


@pytest.fixture
def one_transaction() -> Iterator[None]:
    """The WSGI handler closes the database connection before and after each request, which
    would end the test's transaction: keep it open, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def caller_headers(
    request: pytest.FixtureRequest, operator: User, alice: User, bob: User
) -> Callable[[str], dict[str, str]]:
    tokens = {
        "operator": issue_api_token(operator)[0],
        "admin": issue_api_token(alice)[0],
        "user": issue_api_token(bob)[0],
    }

    def headers(caller: str) -> dict[str, str]:
        token = tokens.get(caller)
        return {"Authorization": f"Bearer {token}"} if token else {}

    return headers


@pytest.mark.parametrize("caller", CALLERS)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case,
    caller: str,
    caller_headers: Callable[[str], dict[str, str]],
    one_transaction: None,
    known_objects: None,
) -> None:
    case.call_and_validate(headers=caller_headers(caller), checks=CHECKS)
