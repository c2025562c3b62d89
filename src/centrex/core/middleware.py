"""Request-level guards: body size (413) and the language of the person asking."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from centrex.core.problems import payload_too_large, problem_response

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class BodySizeLimitMiddleware:
    """Refuse bodies over CENTREX_MAX_BODY_BYTES before anything reads them (API.md: 413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CENTREX_MAX_BODY_BYTES:
            if request.path.startswith("/api/"):
                return problem_response(payload_too_large())
            return render(request, "413.html", status=413)
        return self.get_response(request)


def language_for(request: HttpRequest) -> str:
    """The signed-in user's language; else the language cookie; else, for the API,
    Accept-Language; else Italian (the portal is Italian first)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED_LANGUAGES:
        return str(user.language)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED_LANGUAGES:
        return str(cookie)
    if request.path.startswith("/api/"):
        accepted = translation.get_language_from_request(request)
        if accepted in SUPPORTED_LANGUAGES:
            return accepted
    return str(settings.LANGUAGE_CODE)


class UserLanguageMiddleware:
    """Activate the caller's language for the whole request (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # A bearer token may have switched to the caller's language after this point.
        response.headers.setdefault("Content-Language", translation.get_language() or language)
        return response
