"""What a page answers when an action refuses: the same 404 for "not there" and "not yours"
(R-C3), a 403 with the reason for a role too low."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from centrex.core.errors import DomainError, ErrorCode


def refusal_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    if error.code == ErrorCode.NOT_FOUND:
        return render(request, "404.html", {"error": error}, status=404)
    return render(request, "403.html", {"error": error}, status=403)
