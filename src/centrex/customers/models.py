"""Customers (tenants, R-C1–C3) and their IP Centrex extensions (R-U1, R-U5)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from centrex.core.tenancy import LookupQuerySet, TenantQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


class CustomerKind(models.TextChoices):
    BUSINESS = "business", _("Business (partita IVA)")
    CONSUMER = "consumer", _("Consumer (privato)")


class CustomerQuerySet(LookupQuerySet["Customer"]):
    """Customers: each is its own tenant."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> CustomerQuerySet:
        """Operators see every customer; a customer's user sees only their own (R-C3)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if getattr(user, "is_operator", False):
            return self
        customer_id = getattr(user, "customer_id", None)
        return self.filter(pk=customer_id) if customer_id is not None else self.none()


class Customer(models.Model):
    """A provider's customer (cliente): the tenant that owns users, extensions, aliases and
    the SMS sender policy. Holds the data the regulator requires (R-C2)."""

    name = models.CharField(_("ragione sociale"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices)
    vat_number = models.CharField(_("partita IVA"), max_length=11, blank=True, db_index=True)
    tax_code = models.CharField(_("codice fiscale"), max_length=16, blank=True)
    street = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=2, blank=True)
    country = models.CharField(_("country"), max_length=2, default="IT")
    contact_first_name = models.CharField(_("contact first name"), max_length=100, blank=True)
    contact_last_name = models.CharField(_("contact last name"), max_length=100, blank=True)
    email = models.EmailField(_("contact e-mail"))
    pec = models.EmailField(_("PEC"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    brands = models.JSONField(_("brands"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="consumer") | ~models.Q(vat_number=""),
                name="business_customer_has_vat_number",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="business") | ~models.Q(tax_code=""),
                name="consumer_customer_has_tax_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_business(self) -> bool:
        return self.kind == CustomerKind.BUSINESS

    @property
    def contact_person(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}".strip()


EXTENSION_NUMBER = re.compile(r"^[0-9]{2,6}$")


class ExtensionQuerySet(TenantQuerySet["Extension"]):
    def free(self) -> ExtensionQuerySet:
        """Extensions associated with no user (R-U5)."""
        return self.filter(user__isnull=True)

    def in_number_order(self) -> ExtensionQuerySet:
        """201 before 1000: shorter numbers first, then by digits."""
        return self.order_by(Length("number"), "number")


class Extension(models.Model):
    """An IP Centrex extension (interno) provisioned by an operator for one customer (R-U1).
    At most one user is associated with it (R-U5; `User.extension` is one-to-one)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="extensions"
    )
    number = models.CharField(_("extension"), max_length=6)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("IP Centrex extension")
        verbose_name_plural = _("IP Centrex extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number"], name="extension_unique_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return self.number
