"""Registrations written as Kamailio writes them (usrloc's `location` and `location_attrs`,
db_mode write-through), for page tests that need a device online without a registrar."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from centrex.communicator.actions import sip_domain_of
from centrex.communicator.models import (
    DEVICE_ATTRIBUTE,
    Device,
    Registration,
    RegistrationAttribute,
)


def register(
    device: Device, *, user_agent: str = "Linphone/5.2", expires_in: timedelta | None = None
) -> Registration:
    """A contact of `device` on its user's AOR `<extension>@<domain>`, expiring in an hour (or
    `expires_in`; negative: expired), with the `device` attribute the registrar records."""
    user = device.user
    assert user.extension is not None and user.customer is not None
    domain = sip_domain_of(user.customer)
    now = timezone.now()
    ruid = f"uloc-{uuid.uuid4().hex}"
    registration = Registration.objects.create(
        ruid=ruid,
        username=user.extension.number,
        domain=domain,
        contact=f"sip:{device.sip_username}@192.0.2.10:5060",
        received=None,
        expires=now + (timedelta(hours=1) if expires_in is None else expires_in),
        last_modified=now,
        user_agent=user_agent,
        callid=uuid.uuid4().hex,
    )
    RegistrationAttribute.objects.create(
        ruid=ruid,
        username=user.extension.number,
        domain=domain,
        aname=DEVICE_ATTRIBUTE,
        atype=2,
        avalue=device.sip_username,
        last_modified=now,
    )
    return registration
