"""Operations on Communicator identities and devices (R-V1–R-V4): the only place that
creates SIP domains and devices or revokes them (STYLE 2). Registrations are dropped from the
registrar after commit (`registrar`)."""

from __future__ import annotations

import logging
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import is_admin_of, is_operator
from centrex.accounts.models import User
from centrex.communicator import digests, registrar
from centrex.communicator.models import (
    MAX_DEVICES_PER_USER,
    SIP_DOMAIN,
    SIP_DOMAIN_MAX_LENGTH,
    Device,
    SipDomain,
)
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode, PermissionDenied
from centrex.customers.models import Customer

logger = logging.getLogger(__name__)
DEVICE_NAME_MAX_LENGTH = 100


# --- Who may use Communicator ---------------------------------------------------------------


def communicator_not_enabled() -> DomainError:
    return DomainError(
        ErrorCode.COMMUNICATOR_NOT_ENABLED,
        _(
            "Communicator is not enabled for this account: an administrator of your company "
            "must associate an IP Centrex extension with it."
        ),
    )


def can_use_communicator(user: User) -> bool:
    """R-U6 and R-V3: an active user with an extension, of an active customer."""
    customer = user.customer
    return (
        not user.is_operator
        and user.communicator_enabled
        and customer is not None
        and customer.is_active
    )


def require_communicator_user(user: User) -> User:
    """The caller of /communicator: a Communicator-enabled user, else 403
    `communicator_not_enabled` (API.md)."""
    if not can_use_communicator(user):
        raise communicator_not_enabled()
    return user


# --- SIP domains (R-V1) --------------------------------------------------------------------


def default_sip_domain(customer: Customer) -> str:
    """`<slug>.<CENTREX_SIP_DOMAIN>`, made unique with a number when the slug is taken."""
    parent = settings.CENTREX_SIP_DOMAIN
    room = SIP_DOMAIN_MAX_LENGTH - len(parent) - 1 - 4  # a "-NNN" suffix must fit
    ascii_name = unicodedata.normalize("NFKD", customer.name).encode("ascii", "ignore").decode()
    slug = slugify(ascii_name)[:room].strip("-") or f"customer-{customer.pk}"
    candidate = f"{slug}.{parent}"
    suffix = 2
    while SipDomain.objects.filter(name=candidate).exclude(customer=customer).exists():
        candidate = f"{slug}-{suffix}.{parent}"
        suffix += 1
    return candidate


def ensure_sip_domain(customer: Customer) -> SipDomain:
    """The customer's SIP domain, given the default one if it has none yet (R-V1)."""
    found = SipDomain.objects.filter(customer=customer).first()
    if found is not None:
        return found
    return SipDomain.objects.create(customer=customer, name=default_sip_domain(customer))


def sip_domain_of(customer: Customer) -> str:
    """The customer's SIP domain name (R-V1), as committed now (not a cached relation)."""
    name = SipDomain.objects.filter(customer=customer).values_list("name", flat=True).first()
    return name if name is not None else ensure_sip_domain(customer).name


def _invalid_domain(message: object) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, message, field="sip_domain")  # type: ignore[arg-type]


@transaction.atomic
def change_sip_domain(customer: Customer, name: str, *, acting_user: User) -> SipDomain:
    """An operator renames a customer's SIP domain (R-V1). The domain is the digest realm
    the devices' hashes were made with, so they no longer authenticate: they are revoked and
    the domain's registrations dropped (R-V4); the users create new devices."""
    if not is_operator(acting_user):
        raise PermissionDenied()
    new_name = (name or "").strip().lower().rstrip(".")
    if not SIP_DOMAIN.match(new_name):
        raise _invalid_domain(
            _(
                "Enter a domain name such as esempio.centrex.example: letters, digits, hyphens "
                "and dots, at most 64 characters."
            )
        )
    domain = SipDomain.objects.select_for_update().get(pk=ensure_sip_domain(customer).pk)
    old_name = domain.name
    if new_name == old_name:
        return domain
    if SipDomain.objects.filter(name=new_name).exists():
        raise _invalid_domain(_("Another customer has this SIP domain. Choose another."))
    domain.name = new_name
    try:
        with transaction.atomic():
            domain.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise _invalid_domain(_("Another customer has this SIP domain. Choose another.")) from None
    revoked = Device.objects.active().filter(user__customer=customer)
    count = revoked.update(revoked_at=timezone.now())
    record_audit(
        "communicator.sip_domain_changed",
        actor=acting_user,
        target=domain,
        customer_id=customer.pk,
        from_state=old_name,
        to_state=new_name,
        data={"devices_revoked": count},
    )
    transaction.on_commit(lambda: registrar.drop_domain(old_name))
    return domain


# --- Devices (R-V2, R-V4) ------------------------------------------------------------------


def clean_device_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Give the device a name, such as “Portatile” or “iPhone”."),
            field="name",
        )
    if len(name) > DEVICE_NAME_MAX_LENGTH or any(
        unicodedata.category(c).startswith("C") for c in name
    ):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Use at most 100 letters, digits, spaces or punctuation for the name."),
            field="name",
        )
    return name


def device_limit() -> DomainError:
    return DomainError(
        ErrorCode.DEVICE_LIMIT,
        _(
            "You already have %(limit)d devices, the most allowed. Revoke one you no longer "
            "use, then add the new one."
        )
        % {"limit": MAX_DEVICES_PER_USER},
    )


@transaction.atomic
def create_device(user: User, name: str, *, acting_user: User) -> tuple[Device, str]:
    """R-V2: a new SIP credential for one of the user's own devices. Returns the device and
    its password, which exists only in this answer: the database keeps its HA1 hashes."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("Devices are added by their user, in Opzioni Account."))
    clean_name = clean_device_name(name)
    # The user's row, locked: the limit holds under concurrent requests, and the extension
    # and state are the committed ones.
    user = User.objects.select_for_update(of=("self",)).select_related("customer").get(pk=user.pk)
    if not can_use_communicator(user):
        raise communicator_not_enabled()
    if Device.objects.active().of_user(user).count() >= MAX_DEVICES_PER_USER:
        raise device_limit()
    assert user.customer is not None
    realm = sip_domain_of(user.customer)
    password = digests.generate_sip_password()
    username = digests.generate_sip_username()
    while Device.objects.filter(sip_username=username).exists():
        username = digests.generate_sip_username()
    device = Device.objects.create(
        user=user,
        name=clean_name,
        sip_username=username,
        ha1=digests.ha1(username, realm, password),
        ha1b=digests.ha1b(username, realm, realm, password),
    )
    record_audit(
        "communicator.device_created",
        actor=acting_user,
        target=device,
        customer_id=user.customer_id,
        data={"name": clean_name, "sip_username": username, "user_id": user.pk},
    )
    logger.info("device %s created for user %s", username, user.pk)
    return device, password


def can_revoke_device(acting_user: User, device: Device) -> bool:
    """Its user, their customer's admins, and operators."""
    owner = device.user
    return acting_user.pk == owner.pk or (
        owner.customer is not None and is_admin_of(acting_user, owner.customer)
    )


@transaction.atomic
def revoke_device(device: Device, *, acting_user: User) -> Device:
    """R-V4: the device no longer authenticates (the credentials view leaves it out once
    this commits) and its current registrations are dropped from the registrar after commit.
    Revoking a revoked device changes nothing."""
    device = (
        Device.objects.select_for_update(of=("self",))
        .select_related("user__customer")
        .get(pk=device.pk)
    )
    if not can_revoke_device(acting_user, device):
        raise PermissionDenied()
    if device.revoked_at is not None:
        return device
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    record_audit(
        "communicator.device_revoked",
        actor=acting_user,
        target=device,
        customer_id=device.user.customer_id,
        data={"name": device.name, "sip_username": device.sip_username},
    )
    logger.info("device %s revoked", device.sip_username)
    sip_username = device.sip_username
    transaction.on_commit(lambda: registrar.drop_device_contacts(sip_username))
    return device
