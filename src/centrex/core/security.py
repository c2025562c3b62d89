"""The Content-Security-Policy of every answer (issue 13, security pass).

Django 5.2 has no CSP of its own; the other security headers are its settings
(`SECURE_CONTENT_TYPE_NOSNIFF`, `SECURE_REFERRER_POLICY`, `X_FRAME_OPTIONS`,
`SECURE_CROSS_ORIGIN_OPENER_POLICY`, in settings.py). The policy is
`settings.CENTREX_CONTENT_SECURITY_POLICY`, a directive → sources mapping: everything from this
site only (scripts, styles, images, fonts, connections — self-served CSS/JS/fonts stay allowed),
no inline script or style, no plugin, no framing. A view whose page needs more says so with
`content_security_policy(...)`, and only for its own answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

HEADER = "Content-Security-Policy"
# Where a view's own directives wait for the middleware (`content_security_policy`).
_CHANGES_ATTRIBUTE = "centrex_csp_changes"

# ninja's interactive API docs (/api/v1/docs, served from ninja's static files, no CDN): Swagger
# UI's stylesheet draws its icons as data: images.
API_DOCS_VIEW = "api:openapi-view"
API_DOCS_CHANGES = {"img-src": "'self' data:"}

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def policy_header(directives: Mapping[str, str]) -> str:
    """`{"default-src": "'self'", …}` as the header's value: `default-src 'self'; …`."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


def content_security_policy(**changes: str) -> Callable[[View], View]:
    """A view's answers get these directives on top of the site's policy (`style_src_attr=…`
    is `style-src-attr`); say on the view why its page needs them."""
    directives = {name.replace("_", "-"): sources for name, sources in changes.items()}

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            setattr(response, _CHANGES_ATTRIBUTE, directives)
            return response

        return cast("View", wrapped)

    return decorate


class ContentSecurityPolicyMiddleware:
    """Sets `Content-Security-Policy` on every answer that has none yet: the site's policy,
    with the view's own directives (`content_security_policy`) replacing the same names."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER in response.headers:
            return response
        directives = dict(settings.CENTREX_CONTENT_SECURITY_POLICY)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == API_DOCS_VIEW:
            directives.update(API_DOCS_CHANGES)
        directives.update(getattr(response, _CHANGES_ATTRIBUTE, {}))
        response.headers[HEADER] = policy_header(directives)
        return response
