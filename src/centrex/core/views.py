"""Pages that belong to no app: the home redirect and the API's catch-all 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

from centrex.core.errors import NotFound
from centrex.core.problems import problem_response


def home(request: HttpRequest) -> HttpResponse:
    """Operators land in the back office, customers' users in the customer area."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if getattr(user, "is_operator", False):
        return redirect("backoffice:dashboard")
    return redirect("accounts:dashboard")


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem_response(NotFound())
