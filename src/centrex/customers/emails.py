"""One function per e-mail of the customers app, sent in every recipient's own language, as
text and HTML, once the transaction commits (core.mail).

Operators hear when a customer's admin changes the company's data in Dati aziendali (R-C2): the
AGCOM registry holds those data (R-A9), so the provider has to know.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from centrex.core.mail import send_email_after_commit

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from centrex.accounts.models import User
    from centrex.customers.models import Customer

TEMPLATES = "customers/emails"

# The names of the Dati aziendali fields, as the page shows them.
COMPANY_DATA_LABELS: dict[str, _StrPromise] = {
    "contact_first_name": _("Contact first name"),
    "contact_last_name": _("Contact last name"),
    "pec": _("PEC"),
    "phone": _("Phone"),
    "brands": _("Brands (marchi)"),
}


@dataclass(frozen=True)
class ChangedValue:
    """One changed field of an e-mail: its name and its values before and after, as text."""

    label: _StrPromise | str
    before: str
    after: str


def send_company_data_changed(
    customer: Customer, changed: dict[str, tuple[object, object]], *, changed_by: User
) -> None:
    """R-C2: tell every active operator which of the company's data an admin changed, from
    what to what, with a link to the customer's back-office page."""
    changes = [
        ChangedValue(COMPANY_DATA_LABELS.get(name, name), _as_text(before), _as_text(after))
        for name, (before, after) in changed.items()
    ]
    link = settings.CENTREX_BASE_URL + reverse("backoffice:customer_detail", args=[customer.pk])
    for operator in sorted(_operators(), key=lambda person: person.email):
        send_email_after_commit(
            f"{TEMPLATES}/company_data_changed",
            to=[operator.email],
            language=operator.language,
            context={
                "recipient": operator,
                "customer": customer,
                "changed_by": changed_by,
                "changes": changes,
                "link": link,
            },
        )


def _operators() -> Iterable[User]:
    # customers stands below accounts: the user model is reached through Django's
    # AUTH_USER_MODEL, not imported.
    users = cast("type[User]", get_user_model())
    return users.objects.operators()


def _as_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value or "") or "—"
