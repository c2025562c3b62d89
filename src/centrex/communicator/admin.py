"""Communicator in Django admin, a second tool for operators: SIP domains are renamed through
`change_sip_domain` (R-V1: unique; the devices are revoked), devices are only seen and revoked
(`revoke_device`, R-V4) — never created here, as their password is shown to their user only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from centrex.accounts.models import User
from centrex.communicator.actions import change_sip_domain, revoke_device
from centrex.communicator.models import Device, SipDomain
from centrex.core.errors import DomainError


@admin.register(SipDomain)
class SipDomainAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "updated_at"]
    search_fields = ["name", "customer__name"]
    readonly_fields = ["customer", "updated_at"]
    fields = ["customer", "name", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every customer gets one when created

    def save_model(self, request: HttpRequest, obj: SipDomain, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        try:
            change_sip_domain(obj.customer, obj.name, acting_user=request.user)
        except DomainError as error:
            self.message_user(request, str(error.message), level=messages.ERROR)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "sip_username", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "sip_username", "user__email"]
    fields = ["user", "name", "sip_username", "created_at", "revoked_at"]
    readonly_fields = ["user", "name", "sip_username", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected devices")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        assert isinstance(request.user, User)
        for device in queryset.filter(revoked_at__isnull=True):
            revoke_device(device, acting_user=request.user)
