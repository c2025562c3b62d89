"""Registering approved aliases with the AGCOM registry (R-A9), behind a small adapter.

`CENTREX_ALIAS_REGISTRY` selects the adapter:
- `file://PATH` — the embedded default: a spool folder with one JSON document per alias,
  `alias-<id>.json`, written atomically (temporary file + rename). A retry rewrites the same
  file, so registering twice is harmless.
- `https://HOST/PATH` — POSTs the same JSON document with an `Idempotency-Key: alias-<id>`
  header and a timeout (`CENTREX_ALIAS_REGISTRY_TIMEOUT`). `http://` is accepted only for a
  loopback host (tests, a local stub), never over a network.

Answers: 2xx is accepted (the reference is `reference` or `id` of the JSON answer, if any);
5xx, 408, 425, 429, timeouts and connection errors are transient and retried automatically
with backoff; redirects are not followed; other 3xx and 4xx are permanent — the registry refused this document, and sending the same
one again will not change its mind — so they are not retried automatically: operators see the
error and retry once the cause (usually the customer's data) is fixed.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings

from centrex.config.registry import check_registry_url

if TYPE_CHECKING:
    from centrex.aliases.models import AliasConsent, SenderAlias

# Registry answers that mean "try again later" rather than "no".
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
# Enough of an error answer to tell an operator what went wrong.
_MAX_ERROR_BODY = 500
_MAX_RESPONSE_BYTES = 64 * 1024
DOCUMENT_SCHEMA = "centrex.alias-registration/1"


class RegistryError(Exception):
    """The registry did not accept a registration. `transient` says whether trying again later
    may succeed (outage, timeout) or not without a change (the document was refused)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class RegistryAdapter(Protocol):
    def register(self, document: dict[str, Any]) -> str:
        """Register one alias; return the registry's reference. Raises RegistryError."""
        ...


@dataclass(frozen=True)
class FileSpoolRegistry:
    """The embedded registry: a folder of JSON documents, one per alias."""

    directory: Path

    def register(self, document: dict[str, Any]) -> str:
        name = f"alias-{document['alias']['id']}.json"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(document, handle, ensure_ascii=False, indent=2, sort_keys=True)
                    handle.write("\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise RegistryError(
                f"cannot write the spool file {self.directory / name}: {error}", transient=True
            ) from error
        return f"file:{name}"


@dataclass(frozen=True)
class HttpRegistry:
    """A registry reached over HTTPS (or HTTP on loopback): one POST per registration."""

    url: str
    timeout: float

    def register(self, document: dict[str, Any]) -> str:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 — the scheme is checked by registry_adapter
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Idempotency-Key": f"alias-{document['alias']['id']}",
                "User-Agent": "Centrex-Portal",
            },
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                payload = response.read(_MAX_RESPONSE_BYTES)
                status = response.status
        except urllib.error.HTTPError as error:
            detail = _error_text(error)
            transient = error.code >= 500 or error.code in _TRANSIENT_STATUSES
            if transient:
                verb = "is unavailable"
            elif error.code < 400:
                verb = "answered with a redirect, which is not followed"
            else:
                verb = "refused the registration"
            raise RegistryError(
                f"the registry {verb} (HTTP {error.code}){detail}", transient=transient
            ) from error
        except TimeoutError as error:
            raise RegistryError(
                f"the registry did not answer within {self.timeout:g} s", transient=True
            ) from error
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                message = f"the registry did not answer within {self.timeout:g} s"
            else:
                message = f"cannot reach the registry: {reason}"
            raise RegistryError(message, transient=True) from error
        except (OSError, ValueError) as error:
            # A connection reset while reading, a malformed answer line…
            raise RegistryError(f"cannot reach the registry: {error}", transient=True) from error
        return _reference_from(payload) or f"http-{status}:alias-{document['alias']['id']}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as an error: following it would turn the POST into a GET and
    could mistake some other page's 200 for the registry's acceptance."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def registry_adapter(url: str | None = None) -> RegistryAdapter:
    """The adapter `url` (default: settings.CENTREX_ALIAS_REGISTRY) selects."""
    target = settings.CENTREX_ALIAS_REGISTRY if url is None else url
    check_registry_url(target)
    parts = urlsplit(target)
    if parts.scheme == "file":
        return FileSpoolRegistry(Path(unquote(parts.netloc + parts.path)))
    return HttpRegistry(target, float(settings.CENTREX_ALIAS_REGISTRY_TIMEOUT))


def registration_document(alias: SenderAlias) -> dict[str, Any]:
    """What the registry receives for `alias` (R-A9): the alias, the customer's R-C2 data, the
    authorisation given with the request (R-A7) and who approved it, as JSON-ready values."""
    customer = alias.customer
    consent: AliasConsent | None = alias.consents.order_by("-given_at", "-id").first()
    approver = alias.approved_by
    return {
        "schema": DOCUMENT_SCHEMA,
        "alias": {
            "id": alias.pk,
            "text": alias.text,
            "requested_at": _iso(alias.submitted_at),
        },
        "customer": {
            "id": customer.pk,
            "ragione_sociale": customer.name,
            "partita_iva": customer.vat_number,
            "codice_fiscale": customer.tax_code,
            "sede_legale": {
                "street": customer.street,
                "postcode": customer.postcode,
                "city": customer.city,
                "province": customer.province,
                "country": customer.country,
            },
            "referente": {
                "first_name": customer.contact_first_name,
                "last_name": customer.contact_last_name,
            },
            "email": customer.email,
            "pec": customer.pec,
            "phone": customer.phone,
            "brands": list(customer.brands or []),
        },
        "consent": (
            {
                "given_by": consent.given_by_email,
                "given_at": _iso(consent.given_at),
                "ip_address": consent.ip_address,
                "wording_version": consent.wording_version,
                "wording_language": consent.wording_language,
                "wording": consent.wording,
            }
            if consent is not None
            else None
        ),
        "approved": {
            "by": approver.email if approver is not None else None,
            "at": _iso(alias.approved_at),
        },
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        raw = error.read(_MAX_ERROR_BODY)
    except (OSError, ValueError):
        return ""
    text = " ".join(raw.decode("utf-8", "replace").split())
    return f": {text}" if text else ""


def _reference_from(payload: bytes) -> str:
    """The registry's reference in its JSON answer (`reference` or `id`), or ""."""
    try:
        answer = json.loads(payload.decode("utf-8")) if payload.strip() else None
    except (UnicodeDecodeError, ValueError):
        return ""
    if isinstance(answer, dict):
        for key in ("reference", "id"):
            value = answer.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)[:200]
    return ""
