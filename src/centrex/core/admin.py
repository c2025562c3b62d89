"""The audit trail and throttling events in Django admin: read-only, they are records."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from centrex.core.models import AuditEvent, ThrottleEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system only: operators look, they do not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "actor_email",
        "customer_id",
        "action",
        "object_repr",
        "from_state",
        "to_state",
    ]
    list_filter = ["created_at"]
    search_fields = ["actor_email", "action", "object_repr", "object_id", "reason"]
    date_hierarchy = "created_at"
    list_per_page = 50

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # append-only (R-A6: every change is recorded)


@admin.register(ThrottleEvent)
class ThrottleEventAdmin(ReadOnlyAdmin):
    """Deleting the events of a key lifts its throttle (a locked-out login, for instance)."""

    list_display = ["created_at", "scope", "key"]
    list_filter = ["scope"]
    search_fields = ["key"]
