"""The portal's voice towards the running registrar: Kamailio's JSON-RPC (`jsonrpcs` module,
datagram transport on a loopback UDP port, CENTREX_SIP_RPC) to drop registrations of lost
identities at once (R-V4).

Each drop also deletes the rows from `location`/`location_attrs`, so a registrar that was
down (or restarts: usrloc reloads the table) does not bring them back. Kamailio answers each
command; a lost datagram is retried, an unreachable registrar is logged — there is nothing
registered on a registrar that is not running."""

from __future__ import annotations

import itertools
import json
import logging
import socket
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction

from centrex.communicator.models import Registration, RegistrationAttribute

logger = logging.getLogger(__name__)

# Kamailio answers a local datagram in well under a millisecond; three tries of half a
# second bound a drop well inside R-V4's 5 seconds.
RPC_TIMEOUT = 0.5
RPC_ATTEMPTS = 3
LOCATION_TABLE = "location"
_ids = itertools.count(1)


class Aor(NamedTuple):
    """An address of record, `sip:<extension>@<domain>` (R-V1), as usrloc keys it."""

    extension: str
    domain: str

    def __str__(self) -> str:
        return f"{self.extension}@{self.domain}"


class RegistrarUnreachable(Exception):
    """Kamailio did not answer its JSON-RPC."""


def registrar_uri() -> str:
    """Where devices register (API.md `registrar`): `sip:HOST:PORT` of CENTREX_SIP_PUBLIC, else
    of the listen address."""
    return f"sip:{settings.CENTREX_SIP_PUBLIC}"


def rpc_address() -> tuple[str, int]:
    host, _, port = settings.CENTREX_SIP_RPC.rpartition(":")
    return host.strip("[]"), int(port)


def call(method: str, *params: str) -> Any:
    """One JSON-RPC command; its `result`, or the error object for a command that failed
    (e.g. an AOR not found, which is fine to drop). RegistrarUnreachable when it stays silent."""
    host, port = rpc_address()
    request_id = next(_ids)
    payload = json.dumps(
        {"jsonrpc": "2.0", "method": method, "params": list(params), "id": request_id}
    ).encode()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(RPC_TIMEOUT)
        sock.connect((host, port))
        for _attempt in range(RPC_ATTEMPTS):
            try:
                sock.send(payload)
                while True:
                    answer = json.loads(sock.recv(65536))
                    if answer.get("id") == request_id:
                        return answer.get("result", answer.get("error"))
            except (TimeoutError, ConnectionRefusedError, ValueError):
                continue
    raise RegistrarUnreachable(f"no answer from the registrar's JSON-RPC on {host}:{port}")


def drop_aors(aors: Iterable[Aor]) -> None:
    """Remove every registration of these AORs, now (R-V4)."""
    for aor in set(aors):
        _forget_rows(Registration.objects.of_aor(aor.extension, aor.domain))
        _rpc_quietly("ul.rm", LOCATION_TABLE, str(aor))


def drop_device_contacts(sip_username: str) -> None:
    """Remove the registrations one device made (the `device` attribute the registrar records
    with each contact), leaving the user's other devices registered (R-V4)."""
    registrations = list(Registration.objects.of_device_sip_username(sip_username))
    _forget_rows(Registration.objects.filter(pk__in=[r.pk for r in registrations]))
    for registration in registrations:
        aor = Aor(registration.username, registration.domain or "")
        _rpc_quietly("ul.rm_contact", LOCATION_TABLE, str(aor), registration.contact)


def drop_domain(domain: str) -> None:
    """Remove every registration in a customer's domain (suspension, domain change)."""
    extensions = Registration.objects.filter(domain=domain).values_list("username", flat=True)
    drop_aors(Aor(extension, domain) for extension in set(extensions))


def drop_aors_on_commit(aors: Iterable[Aor]) -> None:
    found = list(aors)
    if found:
        transaction.on_commit(lambda: drop_aors(found))


def _forget_rows(registrations: Any) -> None:
    ruids = list(registrations.values_list("ruid", flat=True))
    if ruids:
        RegistrationAttribute.objects.filter(ruid__in=ruids).delete()
        Registration.objects.filter(ruid__in=ruids).delete()


def _rpc_quietly(method: str, *params: str) -> None:
    try:
        call(method, *params)
    except RegistrarUnreachable as error:
        # Nothing is registered in memory on a registrar that does not run; the rows are gone.
        logger.warning("%s: %s %s", error, method, " ".join(params[1:2]))
