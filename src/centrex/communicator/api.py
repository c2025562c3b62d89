"""Communicator devices through the API (API.md "Communicator devices"; R-V2, R-V4, R-V6).

`router` (/communicator) is for Communicator-enabled users (others 403
`communicator_not_enabled`); `admin_router` (/users/{id}/devices) for customer admins, whose
users are fetched with `access_user` (another customer's: 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from centrex.accounts.access import (
    access_user,
    api_caller,
    authenticated_as,
    require_customer_admin,
)
from centrex.accounts.presence import is_communicator_online
from centrex.communicator.access import access_device
from centrex.communicator.actions import (
    create_device,
    require_communicator_user,
    revoke_device,
    sip_domain_of,
)
from centrex.communicator.models import Device, DeviceQuerySet
from centrex.communicator.registrar import registrar_uri
from centrex.communicator.schemas import (
    CommunicatorOut,
    CreatedDeviceOut,
    DeviceIn,
    DeviceOut,
)
from centrex.core.pagination import paginated

router = Router(tags=["communicator"], auth=authenticated_as(require_communicator_user))
admin_router = Router(tags=["communicator"], auth=authenticated_as(require_customer_admin))


def _with_registration(device: Device) -> Device:
    return Device.objects.listed_for(device.user).get(pk=device.pk)


@router.get("", response=CommunicatorOut, summary="The caller's Communicator identity")
def get_communicator(request: HttpRequest) -> dict[str, Any]:
    """`sip:<extension>@<sip_domain>` on `registrar` (R-V1), online state and devices."""
    user = api_caller(request)
    devices = list(Device.objects.listed_for(user))
    assert user.extension is not None and user.customer is not None
    return {
        "extension": user.extension.number,
        "sip_domain": sip_domain_of(user.customer),
        "registrar": registrar_uri(),
        "online": is_communicator_online(user),
        "devices": devices,
    }


@router.get("/devices", response=list[DeviceOut], summary="The caller's devices")
@paginated
def list_devices(request: HttpRequest) -> DeviceQuerySet:
    return Device.objects.listed_for(api_caller(request))


@router.post("/devices", response={201: CreatedDeviceOut}, summary="Add a device")
def post_device(request: HttpRequest, payload: DeviceIn) -> tuple[int, Device]:
    """A SIP credential for a new device (R-V2): its password is in this answer only, never
    stored (the attribute lives on this answer's object)."""
    user = api_caller(request)
    device, password = create_device(user, payload.name, acting_user=user)
    answer = _with_registration(device)
    answer.sip_password = password  # type: ignore[attr-defined]
    return 201, answer


@router.delete("/devices/{device_id}", response={204: None}, summary="Revoke a device")
def delete_device(request: HttpRequest, device_id: str) -> tuple[int, None]:
    """R-V4: refused at once, its registrations dropped within seconds."""
    user = api_caller(request)
    revoke_device(access_device(user, device_id, owner=user), acting_user=user)
    return 204, None


@admin_router.get("/{user_id}/devices", response=list[DeviceOut], summary="A user's devices")
@paginated
def list_user_devices(request: HttpRequest, user_id: str) -> DeviceQuerySet:
    """Modifica Utente: the devices of one of the admin's users (R-V2, R-V6)."""
    return Device.objects.listed_for(access_user(api_caller(request), user_id))


@admin_router.delete(
    "/{user_id}/devices/{device_id}", response={204: None}, summary="Revoke a user's device"
)
def delete_user_device(request: HttpRequest, user_id: str, device_id: str) -> tuple[int, None]:
    admin = api_caller(request)
    owner = access_user(admin, user_id)
    revoke_device(access_device(admin, device_id, owner=owner), acting_user=admin)
    return 204, None
