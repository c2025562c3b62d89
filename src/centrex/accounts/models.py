"""Users of the customer area and operators of the back office (R-U2–U9), and API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer, Extension


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    USER = "user", _("User")


class Language(models.TextChoices):
    ITALIAN = "it", _("Italiano")
    ENGLISH = "en", _("English")


class UserQuerySet(TenantQuerySet["User"]):
    def customer_users(self) -> UserQuerySet:
        return self.filter(is_operator=False)

    def active_admins_of(self, customer: Customer) -> UserQuerySet:
        return self.filter(customer=customer, role=Role.ADMIN, is_active=True)

    def operators(self) -> UserQuerySet:
        return self.filter(is_operator=True, is_active=True)


class UserManager(BaseUserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user: Any) -> UserQuerySet:
        return self.get_queryset().visible_to(user)

    # The queryset's own methods, reachable from `User.objects` too.
    def customer_users(self) -> UserQuerySet:
        return self.get_queryset().customer_users()

    def active_admins_of(self, customer: Customer) -> UserQuerySet:
        return self.get_queryset().active_admins_of(customer)

    def operators(self) -> UserQuerySet:
        return self.get_queryset().operators()

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=(username or "").strip().lower())

    def create_operator(self, email: str, password: str, **extra: Any) -> User:
        user = self.model(email=email.strip().lower(), is_operator=True, role=Role.ADMIN, **extra)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email: str, password: str, **extra: Any) -> User:
        """`centrex createsuperuser` makes an operator."""
        return self.create_operator(email, password, **extra)


class User(AbstractBaseUser):
    """A person who logs in with an e-mail address: a customer's admin or user (with
    `customer`), or a provider's operator (`is_operator`, no customer)."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.USER)
    is_operator = models.BooleanField(_("operator"), default=False)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    is_active = models.BooleanField(_("active"), default=True)
    # R-U5: one extension, one user at most — the one-to-one makes it a database rule.
    extension = models.OneToOneField(
        Extension,
        verbose_name=_("IP Centrex extension"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    mobile_number = models.CharField(_("mobile number"), max_length=20, blank=True)
    mobile_verified = models.BooleanField(_("mobile number verified"), default=False)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        indexes = [
            models.Index(fields=["customer", "last_name", "first_name", "email"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_operator=True, customer__isnull=True)
                | models.Q(is_operator=False, customer__isnull=False),
                name="operator_xor_customer_user",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_customer_admin(self) -> bool:
        return not self.is_operator and self.role == Role.ADMIN

    @property
    def communicator_enabled(self) -> bool:
        """R-U6: active and associated with an extension."""
        return self.is_active and self.extension_id is not None

    @property
    def has_accepted_invitation(self) -> bool:
        return self.has_usable_password()

    # Django admin is a second tool for operators (the product is the back office pages).
    @property
    def is_staff(self) -> bool:
        return self.is_operator and self.is_active

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token of {self.user} until {self.expires_at:%Y-%m-%d}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
