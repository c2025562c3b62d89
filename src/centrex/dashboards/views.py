"""Area Clienti, the customer's home (R-U6, R-S4, R-A8, R-V6, issue 14): for everyone their own
Communicator state and extension and their latest SMS; for an admin also what needs attention
in the company — the users who cannot send SMS and why, the alias requests with their due time,
who is online on Communicator — and the quick actions. Operators have no customer area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from centrex.accounts.access import is_operator, require_signed_in
from centrex.accounts.models import User
from centrex.accounts.presence import ANNOTATION as ONLINE
from centrex.accounts.presence import with_communicator_online
from centrex.aliases.models import AliasStatus, SenderAlias
from centrex.aliases.sla import display_zone
from centrex.core.pages import page_for
from centrex.customers.models import Customer
from centrex.senders.actions import PolicyPreview, preview_policy
from centrex.senders.models import SenderPolicy
from centrex.sms.models import MessageStatus, SmsMessage

RECENT_SMS = 5
# The admin's lists show this many rows and link to their full page for the rest.
ATTENTION_ROWS = 10

# R-T5: a recipient's status as a badge, always with its words.
SMS_BADGES: dict[str, str] = {
    MessageStatus.QUEUED: "text-bg-secondary",
    MessageStatus.SUBMITTED: "text-bg-warning",
    MessageStatus.DELIVERED: "text-bg-success",
}


@dataclass(frozen=True)
class SmsRow:
    """One recipient of one of the user's latest SMS, with its status badge's class."""

    message: SmsMessage
    badge: str


@page_for(require_signed_in)
def customer_home(request: HttpRequest, user: User) -> HttpResponse:
    """Area Clienti: what the user (and, for an admin, the company) needs to see first."""
    if is_operator(user):
        return redirect("home")
    context: dict[str, Any] = {"account": user, "recent_sms": _recent_sms(user)}
    if user.is_customer_admin and user.customer is not None:
        context.update(_admin_attention(user, user.customer))
    return render(request, "dashboards/customer_home.html", context)


def _recent_sms(user: User) -> list[SmsRow]:
    """The user's own latest recipients' messages (an admin's too: the company's are in
    «SMS inviati»)."""
    messages = (
        SmsMessage.objects.history_of(user)
        .sent_by(user.pk)
        .select_related("request")
        .order_by("-created_at", "-id")[:RECENT_SMS]
    )
    return [
        SmsRow(message, SMS_BADGES.get(message.status, "text-bg-danger")) for message in messages
    ]


def _admin_attention(admin: User, customer: Customer) -> dict[str, Any]:
    """The company's users who cannot send SMS (the sender-policy preview's data, R-S4), its
    alias requests awaiting validation by due time (R-A8) and who is online (R-V6)."""
    preview: PolicyPreview = preview_policy(customer, SenderPolicy.for_customer(customer))
    pending = SenderAlias.objects.visible_to(admin).filter(status=AliasStatus.PENDING)
    people = User.objects.visible_to(admin).customer_users().filter(is_active=True)
    online = (
        with_communicator_online(people.select_related("extension"))
        .filter(**{ONLINE: True})
        .order_by("last_name", "first_name", "email")
    )
    return {
        "preview": preview,
        "blocked": preview.blocked[:ATTENTION_ROWS],
        "pending_count": pending.count(),
        "pending_aliases": list(pending.order_by("due_at", "id")[:ATTENTION_ROWS]),
        "online_count": online.count(),
        "online_users": list(online[:ATTENTION_ROWS]),
        "zone": display_zone(),
    }
