"""Fetching devices (R-C3): a device of a given user that the acting user may see, else the
same NotFound for "not there", "not yours", revoked, and a malformed id."""

from __future__ import annotations

from centrex.accounts.access import Visitor
from centrex.accounts.models import User
from centrex.communicator.models import Device


def access_device(acting_user: Visitor, device_id: object, *, owner: User) -> Device:
    """An active device of `owner` (whom the caller has already fetched through
    `authenticated_as` or `access_user`), visible to the acting user."""
    return (
        Device.objects.active()
        .of_user(owner)
        .select_related("user__customer__sip_domain")
        .get_visible(acting_user, pk=device_id)
    )
