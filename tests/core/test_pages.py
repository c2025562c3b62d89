"""The pages' one guard (core.pages.page_for): anonymous visitors to the login page, a refused
requirement or a refusal inside the view to the 403 / 404 pages (R-C3), everyone else to the
view with the acting user."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from centrex.accounts.models import User
from centrex.core.errors import DomainError, ErrorCode, NotFound, PermissionDenied
from centrex.core.pages import page_for


def let_in(visitor: Any) -> str:
    return "the acting user"


def refuse(visitor: Any) -> str:
    raise PermissionDenied("Not for your role.")


def request_from(visitor: Any, path: str = "/somewhere/?page=2") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = visitor
    request.session = SessionBase()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def echo(request: HttpRequest, acting_user: str, pk: int) -> HttpResponse:
    return HttpResponse(f"{acting_user} {pk}")


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(db: None) -> None:
    # when
    response = page_for(let_in)(echo)(request_from(AnonymousUser()), pk=7)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/somewhere/%3Fpage%3D2"


def test_the_view_gets_the_acting_user_and_its_arguments(bob: User) -> None:
    response = page_for(let_in)(echo)(request_from(bob), pk=7)
    assert response.status_code == 200
    assert response.content == b"the acting user 7"


def test_a_refused_requirement_is_the_403_page_with_its_reason(bob: User) -> None:
    # when
    response = page_for(refuse)(echo)(request_from(bob), pk=7)
    # then
    assert response.status_code == 403
    assert "Not for your role." in response.content.decode()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound(), 404),
        (PermissionDenied(), 403),
        (DomainError(ErrorCode.COMMUNICATOR_NOT_ENABLED, "Enable Communicator first."), 403),
    ],
)
def test_a_refusal_inside_the_view_is_the_same_page(
    bob: User, error: DomainError, status: int
) -> None:
    # given
    def view(request: HttpRequest, acting_user: str) -> HttpResponse:
        raise error

    # when
    response = page_for(let_in)(view)(request_from(bob))
    # then
    assert response.status_code == status
    assert str(error.message) in response.content.decode()


def test_other_domain_errors_are_the_views_own(bob: User) -> None:
    # given: a rule broken on a form's input is not a refusal
    def view(request: HttpRequest, acting_user: str) -> HttpResponse:
        raise DomainError(ErrorCode.VALIDATION_ERROR, "Fix the field.")

    # when / then
    with pytest.raises(DomainError):
        page_for(let_in)(view)(request_from(bob))


def test_an_app_may_render_its_own_refusal(bob: User) -> None:
    # given
    def explain(request: HttpRequest, error: DomainError) -> HttpResponse:
        return HttpResponse(f"explained: {error.message}", status=403)

    # when
    response = page_for(refuse, refusal=explain)(echo)(request_from(bob), pk=7)
    # then
    assert (response.status_code, response.content) == (403, b"explained: Not for your role.")


def test_a_page_without_login_leaves_anonymous_visitors_to_the_requirement(db: None) -> None:
    # when
    open_page = page_for(let_in, sign_in=False)(echo)(request_from(AnonymousUser()), pk=7)
    closed_page = page_for(refuse, sign_in=False)(echo)(request_from(AnonymousUser()), pk=7)
    # then
    assert open_page.status_code == 200
    assert closed_page.status_code == 403
