"""Django admin for support questions: a second tool for operators (the back office pages are
the product), read-only so every answer goes through support.actions."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from centrex.support.models import SupportQuestion


@admin.register(SupportQuestion)
class SupportQuestionAdmin(admin.ModelAdmin[SupportQuestion]):
    list_display = ["subject", "customer", "user", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["subject", "body", "user__email", "customer__name"]
    date_hierarchy = "created_at"
    list_select_related = ["customer", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(getattr(request.user, "is_operator", False))
