"""`CENTREX_SIP_DOMAIN`, `CENTREX_SIP_LISTEN`, `CENTREX_SIP_PUBLIC`, `CENTREX_SIP_RPC`
(API.md "Runtime", R-V1): checked by the settings module, so a bad value stops the program
at start."""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ImproperlyConfigured

_DOMAIN = re.compile(
    r"^(?=.{1,40}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
)
_HOST = re.compile(r"^[A-Za-z0-9.-]+$")


def check_sip_domain(value: str) -> str:
    """The parent of the customers' SIP domains: a DNS name of at most 40 characters, so
    `<slug>.<this>` fits Kamailio's 64-character domain column."""
    domain = value.strip().lower().rstrip(".")
    if not _DOMAIN.match(domain):
        raise ImproperlyConfigured(
            f"CENTREX_SIP_DOMAIN must be a domain name of at most 40 characters, not {value!r}"
        )
    return domain


def parse_sip_address(name: str, value: str) -> tuple[str, int]:
    """`HOST:PORT` (an IPv6 address in brackets) → (host, port)."""
    host, _, port = value.strip().rpartition(":")
    host = host.strip("[]")
    valid_host = bool(host) and (_is_ip(host) or bool(_HOST.match(host)))
    if not valid_host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(
            f"{name} must be HOST:PORT, such as 127.0.0.1:5060, not {value!r}"
        )
    return host, int(port)


def check_rpc_address(value: str) -> tuple[str, int]:
    """Where Kamailio's JSON-RPC listens: a loopback address only, as it can drop anyone's
    registrations."""
    host, port = parse_sip_address("CENTREX_SIP_RPC", value)
    if not (_is_ip(host) and ipaddress.ip_address(host).is_loopback):
        raise ImproperlyConfigured(
            f"CENTREX_SIP_RPC must be a loopback address such as 127.0.0.1:5059, not {value!r}"
        )
    return host, port


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
