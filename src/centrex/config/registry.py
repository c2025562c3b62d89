"""`CENTREX_ALIAS_REGISTRY` (R-A9): where approved aliases are registered with AGCOM.

`file://PATH` (a spool folder, the embedded default), `https://…`, or `http://…` for a loopback
host only. No Django app here: `settings.py` calls `check_registry_url` so a bad value stops the
program at start; `centrex.aliases.registry` picks the adapter the value names.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def check_registry_url(url: str) -> None:
    """ImproperlyConfigured unless `url` is `file://PATH`, `https://…` or loopback `http://…`.
    Called by the settings module at start-up."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not unquote(parts.netloc + parts.path).strip():
            raise ImproperlyConfigured("CENTREX_ALIAS_REGISTRY=file:// needs a folder path")
        return
    if parts.scheme in {"http", "https"}:
        try:
            host = parts.hostname
            parts.port  # noqa: B018 — raises ValueError on a bad port
        except ValueError:
            raise ImproperlyConfigured(f"CENTREX_ALIAS_REGISTRY has a bad port: {url!r}") from None
        if not host:
            raise ImproperlyConfigured(f"CENTREX_ALIAS_REGISTRY has no host: {url!r}")
        if parts.scheme == "http" and not _is_loopback(host):
            raise ImproperlyConfigured(
                "CENTREX_ALIAS_REGISTRY must use https:// (http:// only for a loopback host "
                "such as 127.0.0.1)"
            )
        return
    raise ImproperlyConfigured(
        f"CENTREX_ALIAS_REGISTRY must be file://PATH or https://…, not {url!r}"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
