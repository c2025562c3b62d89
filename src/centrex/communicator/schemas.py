"""API shapes of Communicator (API.md "Communicator devices")."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from centrex.communicator.models import Device
from centrex.communicator.registrar import registrar_uri
from centrex.customers.schemas import Timestamp


class DeviceOut(Schema):
    """One Communicator device (R-V2) and its latest registration (R-V6). Lists annotate it
    with `DeviceQuerySet.with_registration`."""

    id: int
    name: str
    sip_username: str
    sip_domain: str
    registrar: str
    created_at: Timestamp
    last_registered_at: Timestamp | None
    user_agent: str | None
    online: bool

    @staticmethod
    def resolve_sip_domain(obj: Device) -> str:
        return obj.user.customer.sip_domain.name  # type: ignore[union-attr]

    @staticmethod
    def resolve_registrar(obj: Device) -> str:
        return registrar_uri()

    @staticmethod
    def resolve_last_registered_at(obj: Device) -> Any:
        return getattr(obj, "last_registered_at", None)

    @staticmethod
    def resolve_user_agent(obj: Device) -> str | None:
        return getattr(obj, "registered_user_agent", None) or None

    @staticmethod
    def resolve_online(obj: Device) -> bool:
        return bool(getattr(obj, "online", False))


class CreatedDeviceOut(DeviceOut):
    """201 of POST /communicator/devices: the password, in this answer only (R-V2)."""

    sip_password: str


class DeviceIn(Schema):
    """POST /communicator/devices."""

    name: str = Field(..., max_length=1000)


class CommunicatorOut(Schema):
    """GET /communicator: the caller's identity on the registrar and devices."""

    extension: str
    sip_domain: str
    registrar: str
    online: bool
    devices: list[DeviceOut]
