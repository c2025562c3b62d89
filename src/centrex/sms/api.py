"""Sending SMS through the API (API.md "Sending"; R-T1–T5, R-S4, R-U6), mounted at /sms.

`GET /senders` answers every logged-in user (R-S4: who may send, and if not, why);
`POST /messages` queues a request (any Communicator-enabled user, R-U6); `GET /messages` and
`GET /messages/{id}` show the caller's own requests, and to customer admins their company's. A
colleague's request is 404 for a non-admin, another customer's for everybody (R-C3). Each
endpoint parses, calls the one action or access helper, and shapes the answer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Header, Query, Router

from centrex.accounts.access import api_caller, authenticated_as, require_customer_admin
from centrex.core.pagination import paginated
from centrex.senders.resolution import Sender, resolve_senders
from centrex.sms.actions import send_sms
from centrex.sms.history import HistoryFilter, parse_moment
from centrex.sms.models import SmsMessage, SmsRequest, SmsRequestQuerySet
from centrex.sms.schemas import (
    STATUS_QUERY_DESCRIPTION,
    MessageIn,
    MessageOut,
    SendersOut,
    UsageOut,
)
from centrex.sms.usage import Month, customer_usage

router = Router(tags=["SMS"])


def _with_recipients(requests: SmsRequestQuerySet) -> SmsRequestQuerySet:
    """Each request's recipients in one more query, whatever the page size."""
    return requests.prefetch_related(
        Prefetch("messages", queryset=SmsMessage.objects.order_by("id"))
    )


@router.get("/senders", response=SendersOut, summary="The senders you may use now")
def get_senders(request: HttpRequest) -> dict[str, Any]:
    """R-S4: always 200 for a logged-in user; a user who may not send gets `senders: []` and
    the reason in `problem`."""
    resolution = resolve_senders(api_caller(request))
    problem = resolution.problem
    return {
        "senders": [sender.as_dict() for sender in resolution.senders],
        "default": resolution.default.as_dict() if resolution.default else None,
        "problem": {"code": str(problem.code), "detail": problem.detail} if problem else None,
    }


@router.post("/messages", response={202: MessageOut}, summary="Send an SMS")
def post_message(
    request: HttpRequest,
    payload: MessageIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="Retrying with the same key and body answers the first request again.",
    ),
) -> tuple[int, SmsRequest]:
    """Queues the text for 1–100 recipients with the sender the policy allows (`sender` only
    in `user_choice`) and answers 202 once it is stored (R-T1–T4). The same `Idempotency-Key`
    with the same body answers the first request again; with another body 409
    `idempotency_conflict`. Over CENTREX_SMS_USER_RATE / CENTREX_SMS_CUSTOMER_RATE recipients
    per minute: 429 `throttled` with Retry-After."""
    requested = payload.sender
    sms = send_sms(
        api_caller(request),
        to=payload.to,
        text=payload.text,
        sender=Sender(requested.type, requested.value) if requested else None,
        idempotency_key=idempotency_key,
    )
    return 202, sms


@router.get("/messages", response=list[MessageOut], summary="Sent SMS, newest first")
@paginated
def list_messages(
    request: HttpRequest,
    status: str | None = Query(None, description=STATUS_QUERY_DESCRIPTION),
    to: str | None = Query(None, description="A recipient's number, or some of its digits"),
    since: str | None = Query(None, description="Sent at or after (ISO 8601 time or date)"),
    until: str | None = Query(None, description="Sent before (ISO 8601 time or date)"),
    user_id: int | None = Query(None, description="Customer admins: one user's only"),
) -> QuerySet[SmsRequest]:
    """The caller's requests (customer admins: the company's), each with its recipients'
    statuses (R-T5); filters combine."""
    filters = HistoryFilter(
        status=status,
        to=to,
        since=parse_moment(since, "since"),
        until=parse_moment(until, "until"),
        user_id=user_id,
    )
    requests = filters.requests(SmsRequest.objects.history_of(api_caller(request)))
    return _with_recipients(requests).order_by("-created_at", "-id")


@router.get("/messages/{request_id}", response=MessageOut, summary="One sent SMS")
def get_message(request: HttpRequest, request_id: int) -> SmsRequest:
    """A request with each recipient's status, updated from delivery receipts (R-T5)."""
    return _with_recipients(SmsRequest.objects.history_of(api_caller(request))).one_or_not_found(
        pk=request_id
    )


@router.get(
    "/usage",
    response=UsageOut,
    auth=authenticated_as(require_customer_admin),
    summary="The company's SMS usage in a month (customer admins)",
)
def get_usage(
    request: HttpRequest,
    month: str | None = Query(None, description="YYYY-MM; the current month if left out"),
) -> dict[str, Any]:
    """R-R1: messages (one per recipient) and parts (what the SMSC charges) of the month, by
    status, by user and per day (every day of the month). A month is Europe/Rome's."""
    admin = api_caller(request)
    assert admin.customer is not None  # require_customer_admin
    return customer_usage(admin.customer, Month.parse(month)).as_api()
