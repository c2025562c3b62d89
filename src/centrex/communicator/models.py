"""Communicator on the IP Centrex registrar (R-V1–R-V6): each customer's SIP domain, the SIP
credentials of users' devices, and — read-only — the registrations Kamailio writes.

Kamailio reads the portal's database directly (DESIGN "Communicator on Kamailio"): the view
`communicator_sip_credential` (migration 0003) turns active devices into its credentials, and
it writes `location` / `location_attrs` (migration 0002), mapped here by unmanaged models so
the portal can show who is online (R-V6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.accounts.models import User
from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer

# Kamailio's `location.domain` is VARCHAR(64): a domain must fit.
SIP_DOMAIN_MAX_LENGTH = 64
SIP_DOMAIN = re.compile(
    r"^(?=.{1,64}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
)
# R-V2: at most this many active devices per user.
MAX_DEVICES_PER_USER = 10
# The name of the contact attribute (usrloc `xavp_contact`) in which the registrar records
# which device registered a contact (kamailio.cfg.tmpl sets it from the digest username).
DEVICE_ATTRIBUTE = "device"


class SipDomainQuerySet(TenantQuerySet["SipDomain"]):
    pass


class SipDomain(models.Model):
    """R-V1: a customer's SIP domain, `<slug>.<CENTREX_SIP_DOMAIN>` when created, unique,
    editable by operators (communicator.actions.change_sip_domain). The digest realm of its
    devices, so changing it invalidates their credentials (they are revoked)."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="sip_domain"
    )
    name = models.CharField(_("SIP domain"), max_length=SIP_DOMAIN_MAX_LENGTH, unique=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SipDomainQuerySet.as_manager()

    class Meta:
        verbose_name = _("SIP domain")
        verbose_name_plural = _("SIP domains")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeviceQuerySet(TenantQuerySet["Device"]):
    tenant_field = "user__customer"

    def active(self) -> DeviceQuerySet:
        """Devices not revoked (R-V2's limit counts these)."""
        return self.filter(revoked_at__isnull=True)

    def of_user(self, user: User) -> DeviceQuerySet:
        return self.filter(user=user)

    def listed_for(self, user: User) -> DeviceQuerySet:
        """What Opzioni Account, Modifica Utente and the API list: the user's active devices
        with their registrations (R-V6), oldest first, in one query."""
        return (
            self.active()
            .of_user(user)
            .select_related("user__customer__sip_domain")
            .with_registration()
            .order_by("created_at", "id")
        )

    def with_registration(self) -> DeviceQuerySet:
        """Each device with `online` and, from its latest registration, `last_registered_at`
        and `user_agent` (R-V6) — subqueries, so a list costs one query."""
        # Two levels down: Device → Registration → RegistrationAttribute.
        latest = Registration.objects.of_device_sip_username(
            OuterRef(OuterRef("sip_username"))
        ).order_by("-last_modified")
        return self.annotate(
            online=Exists(latest.current()),
            last_registered_at=models.Subquery(latest.values("last_modified")[:1]),
            registered_user_agent=models.Subquery(latest.values("user_agent")[:1]),
        )


class Device(models.Model):
    """R-V2: one Communicator device of a user (a softphone on a laptop, a phone app): a SIP
    username and the digest hashes of its generated password — never the password. Revoked
    devices stay (`revoked_at`) for the record; only active ones authenticate (R-V3)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="devices"
    )
    name = models.CharField(_("name"), max_length=100)
    sip_username = models.CharField(_("SIP username"), max_length=64, unique=True)
    # HA1 = MD5(username:realm:password); HA1B = MD5(username@domain:realm:password), for
    # phones that send the domain in the digest username (RFC 2617, Kamailio's auth_db).
    ha1 = models.CharField(max_length=32)
    ha1b = models.CharField(max_length=32)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Communicator device")
        verbose_name_plural = _("Communicator devices")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# Kamailio's db_sqlite stores a timestamp as a Julian day number (REAL), UTC.
UNIX_EPOCH_JULIAN_DAY = 2440587.5
SECONDS_PER_DAY = 86400.0


class KamailioTimestampField(models.Field):
    """A timestamp column Kamailio writes (`location.expires`, `last_modified`): on SQLite a
    Julian day number (db_sqlite's format), on PostgreSQL a `TIMESTAMP WITHOUT TIME ZONE` in
    UTC (`centrex sip` runs Kamailio with TZ=UTC). Read as an aware UTC datetime and compared
    with aware datetimes on both."""

    def get_internal_type(self) -> str:
        # No backend converter of Django's DateTimeField (it would parse a Julian number).
        return "KamailioTimestampField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, (int, float)):
            seconds = (float(value) - UNIX_EPOCH_JULIAN_DAY) * SECONDS_PER_DAY
            return datetime.fromtimestamp(seconds, tz=UTC)
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        # Python's sqlite3 would parse a column declared TIMESTAMP as an ISO date (Django
        # registers that converter) and make a Julian number None: select it as a number.
        if compiler.connection.vendor == "sqlite":
            return f"({sql} + 0)", params
        return sql, params

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or not isinstance(value, datetime):
            return value
        aware = value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
        if connection.vendor == "sqlite":
            return aware.timestamp() / SECONDS_PER_DAY + UNIX_EPOCH_JULIAN_DAY
        return aware.astimezone(UTC).replace(tzinfo=None)


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def current(self) -> RegistrationQuerySet:
        """Registrations that have not expired: the device is online (R-V6)."""
        return self.filter(expires__gt=timezone.now())

    def of_aor(self, extension: str, domain: str) -> RegistrationQuerySet:
        return self.filter(username=extension, domain=domain)

    def of_device_sip_username(self, sip_username: Any) -> RegistrationQuerySet:
        """Those a device registered (the `device` contact attribute the registrar records)."""
        attributes = RegistrationAttribute.objects.filter(
            ruid=OuterRef("ruid"), aname=DEVICE_ATTRIBUTE, avalue=sip_username
        )
        return self.filter(Exists(attributes))


class Registration(models.Model):
    """A contact registered on Kamailio (its usrloc `location` table, written by the registrar
    with db_mode write-through): AOR `username@domain`, i.e. extension and SIP domain. The
    portal only reads it (and forgets rows of lost identities, R-V4)."""

    ruid = models.CharField(max_length=64, unique=True)
    username = models.CharField(max_length=64)
    domain = models.CharField(max_length=64, null=True)
    contact = models.CharField(max_length=512)
    received = models.CharField(max_length=128, null=True)
    expires = KamailioTimestampField()
    last_modified = KamailioTimestampField()
    user_agent = models.CharField(max_length=255)
    callid = models.CharField(max_length=255)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "location"
        verbose_name = _("SIP registration")
        verbose_name_plural = _("SIP registrations")

    def __str__(self) -> str:
        return f"{self.username}@{self.domain} {self.contact}"


class RegistrationAttribute(models.Model):
    """A contact attribute Kamailio keeps with a registration (`location_attrs`): the
    registrar records the device's SIP username under `device`."""

    ruid = models.CharField(max_length=64)
    username = models.CharField(max_length=64)
    domain = models.CharField(max_length=64, null=True)
    aname = models.CharField(max_length=64)
    atype = models.IntegerField()
    avalue = models.CharField(max_length=512)
    last_modified = KamailioTimestampField()

    class Meta:
        managed = False
        db_table = "location_attrs"

    def __str__(self) -> str:
        return f"{self.aname}={self.avalue}"
