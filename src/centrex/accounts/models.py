"""Users of the customer area and operators of the back office (R-U2–U9), and API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.core.tenancy import LookupQuerySet, TenantQuerySet
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


class TokenScope(models.TextChoices):
    """What a bearer token may do: everything, or only setting up two-step verification for a
    person who must and has not yet (R-Z3: `/me` and `/me/mfa/*`)."""

    FULL = "full", _("full")
    MFA_SETUP = "mfa_setup", _("two-step set-up only")


class ApiTokenQuerySet(LookupQuerySet["ApiToken"]):
    def live_of(self, user: User) -> ApiTokenQuerySet:
        """A person's tokens that still open the API, newest first (Opzioni Account)."""
        return self.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at", "-pk")


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=16, choices=TokenScope.choices, default=TokenScope.FULL)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token of {self.user} until {self.expires_at:%Y-%m-%d}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class MfaRequirement(models.TextChoices):
    """R-Z3: who of a customer's people must use two-step verification."""

    NONE = "none", _("nobody is required to")
    ADMINS = "admins", _("the administrators")
    EVERYONE = "everyone", _("everyone")


class SignInPolicy(models.Model):
    """How a customer's people sign in (R-Z3): who must use two-step verification. No row is
    the default, nobody required. (A table of its own, not a column of the customer: the
    registrar's views read the customers' table, which SQLite would rebuild to add one.)"""

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="sign_in_policy",
    )
    mfa_required = models.CharField(
        _("two-step verification required of"),
        max_length=8,
        choices=MfaRequirement.choices,
        default=MfaRequirement.NONE,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("sign-in policy")
        verbose_name_plural = _("sign-in policies")

    def __str__(self) -> str:
        return f"{self.customer}: {self.mfa_required}"


class TwoStepVerification(models.Model):
    """A person's authenticator app (R-Z1): its TOTP secret, sealed (`accounts.mfa.seal`), on
    once `confirmed_at` is set; `pending_secret` is a new secret shown but not yet confirmed
    (starting again replaces it, the confirmed one stays until then). `last_step` is the time
    step of the last code accepted, so a code works once."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="two_step"
    )
    secret = models.TextField(_("secret (sealed)"), blank=True)
    pending_secret = models.TextField(_("secret being set up (sealed)"), blank=True)
    confirmed_at = models.DateTimeField(_("turned on"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last code's time step"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("two-step verification")
        verbose_name_plural = _("two-step verifications")

    def __str__(self) -> str:
        return f"{self.user}: {'on' if self.is_on else 'off'}"

    @property
    def is_on(self) -> bool:
        return self.confirmed_at is not None and bool(self.secret)


class RecoveryCode(models.Model):
    """One of the ten single-use recovery codes (R-Z1), by its keyed hash only."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code (hash)"), max_length=64)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {'used' if self.used_at else 'unused'}"
