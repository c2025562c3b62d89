"""Pages that belong to no app: the API's catch-all 404 (the home page, which sends each
person to their area by role, is the accounts app's)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from centrex.core.errors import NotFound
from centrex.core.problems import problem_response


@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem_response(NotFound())
