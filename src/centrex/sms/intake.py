"""The SMS intake: `POST /api/v1/sms/messages` from an API client, served by a middleware
before the rest of the stack (the benchmarked path of issue 5).

A Communicator client sending SMS is the portal's one high-rate caller; for it, URL resolution,
sessions, CSRF, messages and ninja's parameter and response models cost more than the send
itself. `SmsIntakeMiddleware` takes the request when it is exactly that: POST to that path with
a bearer token that authenticates, a JSON body of the documented shape. It calls the same
action (`send_sms`), answers its refusals with the same problem documents, and renders the
same body as the endpoint (`schemas.message_body`, checked against `MessageOut` by the tests).
Anything else — another path or method, a session caller, a missing or unknown token, a body
that is not JSON or not of the documented shape — goes on to the ninja endpoint in
`sms/api.py`, which answers it as before: one definition of every error.

Measured worth (benchmarks/README.md, "fourth session"): without it the web's CPU per SMS
doubles — 1.55 → 3.09 ms on SQLite, 1.71 → 3.01 ms on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from centrex.accounts.authentication import BearerTokenAuth
from centrex.core.errors import DomainError
from centrex.core.json_bodies import read_json_object
from centrex.core.outage import database_unavailable, unavailable_response
from centrex.core.problems import problem_response
from centrex.senders.models import SenderPolicy
from centrex.senders.resolution import Sender
from centrex.sms.actions import send_sms
from centrex.sms.schemas import MAX_SENDER_VALUE, message_body

PATH = "/api/v1/sms/messages"
_SENDER_TYPES = frozenset({"mobile", "alias"})
# The caller's token, user, customer, extension and the customer's sender policy (with its
# alias) in one statement: the send needs them all.
_POLICY = "user__customer__sms_sender_policy"
_BEARER = BearerTokenAuth(also_select=(f"{_POLICY}__shared_alias",))


class SmsIntakeMiddleware:
    """Serve an API client's `POST /api/v1/sms/messages` without the rest of the stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != PATH or request.method != "POST":
            return self.get_response(request)
        return self.serve(request) or self.get_response(request)

    def serve(self, request: HttpRequest) -> HttpResponse | None:
        """The answer, or None to leave the request to the endpoint."""
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _space, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it (DisallowedHost)
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            return None
        message = _documented_shape(request.body)
        if message is None:
            return None
        try:
            # Activates the user's language; a token limited to setting up two-step
            # verification (R-Z3) is refused with its problem.
            found = _BEARER.live_token(request, token)
            if found is None:
                return None
            user = found.obj.user
            policy: SenderPolicy | None = None
            if user.customer is not None:  # R-S2: a customer without a row has the default
                loaded = found.related[_POLICY]
                policy = (
                    loaded
                    if isinstance(loaded, SenderPolicy)
                    else SenderPolicy(customer=user.customer)
                )
            sms = send_sms(
                user,
                to=message["to"],
                text=message["text"],
                sender=message["sender"],
                idempotency_key=request.headers.get("Idempotency-Key"),
                policy=policy,
            )
            response = HttpResponse(
                json.dumps(message_body(sms)),
                status=202,
                content_type="application/json; charset=utf-8",
            )
        except DomainError as error:
            response = problem_response(error)
        except DatabaseError as error:
            # The database away (issue 13): 503, and the request was not stored (a 202 only
            # once its transaction committed).
            if not database_unavailable(error):
                raise
            response = unavailable_response(request, error)
        return _finished(response)


def _finished(response: HttpResponse) -> HttpResponse:
    """What the middlewares left out would have added (CommonMiddleware: Content-Length;
    XFrameOptionsMiddleware; UserLanguageMiddleware: Content-Language)."""
    response.headers["Content-Length"] = str(len(response.content))
    response.headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response.headers["Content-Language"] = translation.get_language()
    return response


def _documented_shape(body: bytes) -> dict[str, Any] | None:
    """`{"to": [str, …], "text": str, "sender": null | {"type": "mobile"|"alias", "value":
    str}}` as `MessageIn` reads it (other keys ignored), or None when the body is anything the
    schema would refuse or convert: the endpoint answers those."""
    try:
        data = read_json_object(body)  # the API's one reader (API.md "Bad bodies")
    except DomainError:
        return None
    to = data.get("to")
    text = data.get("text")
    if not isinstance(to, list) or not isinstance(text, str):
        return None
    if not all(type(entry) is str for entry in to):
        return None
    raw_sender = data.get("sender")
    sender: Sender | None = None
    if raw_sender is not None:
        if not isinstance(raw_sender, dict):
            return None
        kind = raw_sender.get("type")
        value = raw_sender.get("value")
        if type(kind) is not str or kind not in _SENDER_TYPES:
            return None
        if type(value) is not str or len(value) > MAX_SENDER_VALUE:
            return None
        sender = Sender(kind, value)
    return {"to": to, "text": text, "sender": sender}
