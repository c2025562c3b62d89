"""What a new Communicator device needs to register (R-V2), shown once on the page that created
it: the SIP account as text and as a QR code a phone app can scan, drawn here as inline SVG.

Nothing here is stored: the password exists in the create action's answer and in this one page
(the database keeps its HA1 hashes only)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from centrex.core.qr import qr_svg

# The transport the registrar offers on its address (kamailio.cfg.tmpl listens on UDP and TCP).
TRANSPORT = "UDP"


def registrar_address() -> str:
    """`HOST:PORT` where devices register: CENTREX_SIP_PUBLIC, else CENTREX_SIP_LISTEN."""
    return str(settings.CENTREX_SIP_PUBLIC)


@dataclass(frozen=True)
class SipAccount:
    """A device's SIP account as a softphone asks for it (API.md "Communicator devices": the
    digest username and realm, AOR `sip:<extension>@<domain>`, the registrar)."""

    extension: str
    domain: str
    username: str
    password: str
    registrar: str = ""
    transport: str = TRANSPORT

    @property
    def registrar_host(self) -> str:
        return self.registrar.rpartition(":")[0] or self.registrar

    @property
    def registrar_port(self) -> str:
        host, _colon, port = self.registrar.rpartition(":")
        return port if host else "5060"

    @property
    def address_of_record(self) -> str:
        return f"sip:{self.extension}@{self.domain}"

    def uri(self) -> str:
        """The account as one SIP URI, the QR code's content: RFC 3261 §19.1.1's
        `sip:user:password@host:port;uri-parameters`, with the digest username and password in
        the userinfo, the SIP domain (the realm) as host, and the registrar to send to in
        `maddr` with its port and `transport`. It is the one standard, vendor-neutral way to
        write a whole SIP account as text; phone apps differ in what they import from a QR code
        (several only read their own provisioning links, not verified here one by one), so the
        page gives the same fields as text beside it."""
        userinfo = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}"
        return (
            f"sip:{userinfo}@{self.domain}:{self.registrar_port}"
            f";maddr={self.registrar_host};transport={self.transport.lower()}"
        )

    def qr_svg(self) -> str:
        """The QR code of `uri()` as an inline `<svg>` element (no file, no XML declaration)."""
        return qr_svg(self.uri(), title=self.domain)


def sip_account(*, extension: str, domain: str, username: str, password: str) -> SipAccount:
    """The account of a device just created, on this portal's registrar."""
    return SipAccount(
        extension=extension,
        domain=domain,
        username=username,
        password=password,
        registrar=registrar_address(),
    )
