"""`centrex demo` (API.md "Runtime"): the demo data of a first look — an operator, the business
customer "Esempio S.r.l." with extensions 201–220, its admin and two users (one still without
an extension, to try the manual's steps), a validated and a pending alias, and a consumer
customer with its admin — then the logins. Idempotent: a second run creates nothing and prints the same logins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.aliases.actions.decisions import approve_alias
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.models import AliasStatus, SenderAlias
from centrex.core.audit import record_audit
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
from centrex.customers.models import Customer, CustomerKind

DEMO_PASSWORD = "Centrex-Demo-2026"
OPERATOR_EMAIL = "operatore@provider.example"

ESEMPIO = CustomerData(
    name="Esempio S.r.l.",
    kind=CustomerKind.BUSINESS,
    vat_number="00743110157",
    tax_code="00743110157",
    street="Via Roma 1",
    postcode="20121",
    city="Milano",
    province="MI",
    country="IT",
    contact_first_name="Alice",
    contact_last_name="Rossi",
    email="amministrazione@esempio.example",
    pec="esempio@pec.example",
    phone="+390212345678",
    brands=["Esempio", "EsempioNet"],
)
ESEMPIO_EXTENSIONS = [str(number) for number in range(201, 221)]
ESEMPIO_USERS = [
    UserData(
        email="alice@esempio.example",
        first_name="Alice",
        last_name="Rossi",
        role=Role.ADMIN,
        extension="201",
    ),
    UserData(
        email="bob@esempio.example",
        first_name="Bob",
        last_name="Bianchi",
        role=Role.USER,
        extension="202",
    ),
    # No extension: the manual's "Modifica Utente" step enables her for Communicator.
    UserData(
        email="chiara@esempio.example", first_name="Chiara", last_name="Gialli", role=Role.USER
    ),
]

PRIVATO = CustomerData(
    name="Dario Neri",
    kind=CustomerKind.CONSUMER,
    tax_code="RSSMRA85T10A562S",
    street="Via Napoli 3",
    postcode="80100",
    city="Napoli",
    province="NA",
    country="IT",
    contact_first_name="Dario",
    contact_last_name="Neri",
    email="dario@privato.example",
    phone="+390811234567",
)
PRIVATO_EXTENSIONS = ["10"]
PRIVATO_USERS = [
    UserData(
        email="dario@privato.example",
        first_name="Dario",
        last_name="Neri",
        role=Role.ADMIN,
        extension="10",
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password_works: bool
    role: str
    customer: str


def _operator() -> User:
    operator = User.objects.filter(email=OPERATOR_EMAIL).first()
    if operator is None:
        operator = User.objects.create_operator(
            OPERATOR_EMAIL, DEMO_PASSWORD, first_name="Olga", last_name="Operatrice"
        )
        record_audit("operator.created", actor=None, target=operator)
    elif not operator.is_operator:
        raise CommandError(
            _("%(email)s exists and is not an operator: the demo data cannot be loaded.")
            % {"email": OPERATOR_EMAIL}
        )
    return operator


def _customer(data: CustomerData, extensions: list[str], operator: User) -> Customer:
    """The demo customer, found by its partita IVA or codice fiscale, or created."""
    if data.kind == CustomerKind.BUSINESS:
        customer = Customer.objects.filter(kind=data.kind, vat_number=data.vat_number).first()
    else:
        customer = Customer.objects.filter(kind=data.kind, tax_code=data.tax_code).first()
    if customer is None:
        customer = create_customer(data, acting_user=operator)
    provision_extensions(customer, extensions, acting_user=operator)  # skips existing ones
    return customer


def _users(customer: Customer, people: list[UserData], operator: User) -> list[User]:
    users = []
    for data in people:
        user = User.objects.filter(email=data.email).first()
        if user is None:
            user = create_user(customer, data, acting_user=operator, password=DEMO_PASSWORD)
        elif user.customer_id != customer.pk:
            raise CommandError(
                _(
                    "%(email)s exists and belongs to another customer: the demo data cannot be "
                    "loaded."
                )
                % {"email": data.email}
            )
        users.append(user)
    return users


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create whatever demo data is missing; return every demo login."""
    operator = _operator()
    esempio = _customer(ESEMPIO, ESEMPIO_EXTENSIONS, operator)
    privato = _customer(PRIVATO, PRIVATO_EXTENSIONS, operator)
    logins = [
        DemoLogin(operator.email, operator.check_password(DEMO_PASSWORD), str(_("operator")), "—")
    ]
    for customer, people in ((esempio, ESEMPIO_USERS), (privato, PRIVATO_USERS)):
        for user in _users(customer, people, operator):
            logins.append(
                DemoLogin(
                    user.email,
                    user.check_password(DEMO_PASSWORD),
                    str(user.get_role_display()),
                    customer.name,
                )
            )
    return logins


# A validated alias (usable as an SMS sender) and one awaiting validation, for the Communicator
# section and the operators' queue (R-A6).
DEMO_ALIASES = (("EsempioNet", AliasStatus.VALIDATED), ("Esempio", AliasStatus.PENDING))


def load_demo_aliases() -> None:
    """Esempio's demo aliases, through the real workflow (the registry is the configured one).
    Outside load_demo's transaction: an approval commits before the registry is asked."""
    esempio = Customer.objects.get(kind=CustomerKind.BUSINESS, vat_number=ESEMPIO.vat_number)
    admin = User.objects.get(email=ESEMPIO_USERS[0].email)
    operator = User.objects.get(email=OPERATOR_EMAIL)
    for text, wanted in DEMO_ALIASES:
        if SenderAlias.objects.filter(customer=esempio, text=text).exists():
            continue
        alias = create_alias(esempio, text, acting_user=admin)
        alias = submit_alias(alias, consent=True, acting_user=admin, ip_address=None, language="it")
        if wanted == AliasStatus.VALIDATED:
            approve_alias(alias, acting_user=operator)


class Command(BaseCommand):
    help = (
        "Load the demo data (an operator, a business and a consumer customer, extensions, "
        "admins and users) and print the logins. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        load_demo_aliases()
        header = (_("E-mail"), _("Password"), _("Role"), _("Customer"))
        rows = [
            (
                login.email,
                DEMO_PASSWORD if login.password_works else _("(changed since)"),
                login.role,
                login.customer,
            )
            for login in logins
        ]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        self.stdout.write(_("Centrex Portal demo logins:"))
        for row in [header, *rows]:
            cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
        self.stdout.write(
            _("Open %(url)s and log in with one of them.")
            % {"url": f"{settings.CENTREX_BASE_URL}/"}
        )
