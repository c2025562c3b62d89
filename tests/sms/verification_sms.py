"""A verification code's SMS in the queue, for the tests that prove the history and the
traceability export leave it out (R-M2: the system's SMS, not a user's)."""

from __future__ import annotations

from centrex.accounts.models import User
from centrex.customers.models import Customer
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import RequestKind, SmsRequest


def queue_verification_code(customer: Customer, user: User, number: str) -> SmsRequest:
    """The SMS with `user`'s verification code to `number`, queued as the system sends it."""
    return enqueue_sms(
        customer=customer,
        user=user,
        sender=Sender(SenderType.ALIAS, "Centrex"),
        text="Il tuo codice è 123456",
        destinations=[number],
        kind=RequestKind.VERIFICATION,
    )
