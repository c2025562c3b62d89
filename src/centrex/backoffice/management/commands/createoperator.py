"""`centrex createoperator --email E --password P` (API.md "Runtime"): non-interactive; prints
one line of confirmation, or a clear error and exits non-zero."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from centrex.accounts.actions import normalize_email
from centrex.accounts.models import User
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError


@transaction.atomic
def create_operator(email: str, password: str) -> User:
    """A new operator of the back office, with a password that passes the validators."""
    address = normalize_email(email)
    if User.objects.filter(email=address).exists():
        raise CommandError(
            _("%(email)s already has an account: choose another e-mail address.")
            % {"email": address}
        )
    try:
        password_validation.validate_password(password, User(email=address, is_operator=True))
    except ValidationError as error:
        raise CommandError(
            _("The password is not accepted: %(reasons)s") % {"reasons": " ".join(error.messages)}
        ) from None
    try:
        with transaction.atomic():
            operator = User.objects.create_operator(address, password)
    except IntegrityError:
        raise CommandError(
            _("%(email)s already has an account: choose another e-mail address.")
            % {"email": address}
        ) from None
    record_audit("operator.created", actor=None, target=operator)
    return operator


class Command(BaseCommand):
    help = "Create an operator of the back office, without questions."
    # Nothing but the confirmation on the output (API.md).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True, help="the operator's login e-mail")
        parser.add_argument("--password", required=True, help="the operator's password")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator = create_operator(options["email"], options["password"])
        except DomainError as error:
            raise CommandError(" ".join(str(e.message) for e in error.errors)) from None
        self.stdout.write(_("Operator %(email)s created.") % {"email": operator.email})
