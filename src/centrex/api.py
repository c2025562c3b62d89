"""The HTTP API (API.md): one NinjaAPI at /api/v1 assembling each app's router, with every
error answered as problem+json carrying a stable code."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from centrex.accounts.authentication import API_AUTH
from centrex.core.errors import DomainError, ErrorCode, FieldError, NotFound
from centrex.core.json_bodies import (
    empty_body_error,
    not_json_error,
    read_json_object,
    refuse_unsafe_text,
)
from centrex.core.outage import database_unavailable, unavailable_response
from centrex.core.problems import describe_problems, payload_too_large, problem_response

logger = logging.getLogger(__name__)


class StrictJsonParser(Parser):
    """Bodies must be JSON objects sent as JSON, read by `read_json_object` (API.md "Bad
    bodies"); query parameters must not hold NUL or lone surrogates. Ninja answers what this
    raises while reading a body as HttpError 400 with the error as its cause (`on_http_error`)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise not_json_error()
        return read_json_object(request.body)

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            refuse_unsafe_text(key, key)
            for value in values:
                if isinstance(value, str):
                    refuse_unsafe_text(value, key)
        return super().parse_querydict(data, list_fields, request)


class CentrexApi(NinjaAPI):
    """The API whose OpenAPI document also describes every problem+json answer
    (`describe_problems`), for every router at once."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        describe_problems(document)
        return document


api = CentrexApi(
    title="Centrex Portal API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    parser=StrictJsonParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# Where ninja found a parameter: the first part of a validation error's location.
_PARAMETER_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(location: Sequence[str | int]) -> str | None:
    """A validation error's location as the body names it: ("body", "payload", "address",
    "city") → "address.city"; ("body", "payload", "to", 2) → "to[2]"; ("query", "limit") →
    "limit"."""
    parts = list(location)
    if parts[:1] and parts[0] in _PARAMETER_SOURCES:
        parts = parts[1:]
    if parts[:1] == ["payload"]:
        parts = parts[1:]
    field = ""
    for part in parts:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += f".{part}" if field else str(part)
    return field or None


def _malformed(detail: str) -> DomainError:
    return DomainError(ErrorCode.MALFORMED_REQUEST, detail)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem_response(exc)


def _body_missing(error: dict[str, Any]) -> bool:
    """Ninja's error for a body it did not read because there was none."""
    return error.get("type") == "missing" and tuple(error.get("loc", ())) == ("body", "payload")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(_body_missing(error) for error in exc.errors):
        return problem_response(empty_body_error())
    errors = []
    for error in exc.errors:
        field = _field_name(error.get("loc", ()))
        errors.append(FieldError(field, ErrorCode.VALIDATION_ERROR, str(error.get("msg", ""))))
    if not errors:
        errors.append(FieldError(None, ErrorCode.VALIDATION_ERROR, _("The request is not valid.")))
    lead = DomainError(
        ErrorCode.VALIDATION_ERROR,
        _("Some fields are missing or have the wrong type: see errors."),
        errors=errors,
    )
    return problem_response(lead)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        DomainError(
            ErrorCode.NOT_AUTHENTICATED,
            _("Log in first: send Authorization: Bearer <token> from POST /api/v1/auth/token."),
        )
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, RequestDataTooBig):
        return problem_response(payload_too_large())
    if isinstance(exc.__cause__, DomainError):  # from StrictJsonParser.parse_body
        return problem_response(exc.__cause__)
    if exc.status_code == 400:
        return problem_response(not_json_error())
    if exc.status_code == 429:
        return problem_response(
            DomainError(
                ErrorCode.THROTTLED,
                _("Too many requests. Wait and try again."),
                retry_after=getattr(exc, "wait", None) or 60,
            )
        )
    if exc.status_code == 403:
        return problem_response(DomainError(ErrorCode.PERMISSION_DENIED, str(exc)))
    if exc.status_code == 405:
        response = problem_response(_malformed(_("This method is not allowed here.")))
        response.status_code = 405
        return response
    return problem_response(NotFound())


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(NotFound())


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(payload_too_large())


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database away (issue 13): 503 `service_unavailable` with Retry-After."""
    if not database_unavailable(exc):
        raise exc
    return unavailable_response(request, exc)


def _add_routers() -> None:
    """Each app contributes its router; imported here so the layering stays one-way."""
    from centrex.accounts.access import authenticated_as, require_customer_admin
    from centrex.accounts.api import auth_router, customer_router, me_router, users_router
    from centrex.aliases.api import backoffice_router as backoffice_aliases_router
    from centrex.aliases.api import router as aliases_router
    from centrex.backoffice.api import router as backoffice_router
    from centrex.communicator.api import admin_router as user_devices_router
    from centrex.communicator.api import router as communicator_router
    from centrex.customers.api import extensions_router
    from centrex.senders.api import router as policy_router
    from centrex.sms.api import router as sms_router
    from centrex.verification.api import router as mobile_router

    api.add_router("/auth", auth_router)
    api.add_router("/me/mobile", mobile_router)
    api.add_router("/me", me_router)
    api.add_router("/users", users_router)
    api.add_router("/users", user_devices_router)
    api.add_router("/communicator", communicator_router)
    # customers stands below accounts: its router gets the role check here.
    api.add_router("/extensions", extensions_router, auth=authenticated_as(require_customer_admin))
    api.add_router("/customer", customer_router)
    api.add_router("/aliases", aliases_router)
    api.add_router("/backoffice/aliases", backoffice_aliases_router)
    api.add_router("/sms/policy", policy_router)
    api.add_router("/sms", sms_router)
    api.add_router("/backoffice", backoffice_router)


_add_routers()
