"""`/metrics` (issue 4 "Observability"): the SMS engine's counters for Prometheus.

Not for people, so no login: a scraper either sends `Authorization: Bearer
<CENTREX_METRICS_TOKEN>`, or, when no token is configured, reads from this machine (a loopback
client address, computed as everywhere else in the portal: `core.addresses.client_address`,
which trusts CENTREX_TRUSTED_PROXIES proxies' X-Forwarded-For)."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from centrex.core.addresses import client_address
from centrex.smsc.metrics import CONTENT_TYPE, render_metrics


def is_loopback(address: str) -> bool:
    """Whether a client address is this machine's (127.0.0.0/8, ::1, or ::ffff:127.x.x.x)."""
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped.is_loopback
    return parsed.is_loopback


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """Why this request may not read the metrics, as the answer to give; None if it may."""
    token = settings.CENTREX_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        response = HttpResponse(
            "401 Unauthorized: send Authorization: Bearer <CENTREX_METRICS_TOKEN>.\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if is_loopback(client_address(request)):
        return None
    return HttpResponse(
        "403 Forbidden: /metrics answers clients on this machine only; set "
        "CENTREX_METRICS_TOKEN to let a scraper elsewhere in with that bearer token.\n",
        status=403,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition (format 0.0.4)."""
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE)
