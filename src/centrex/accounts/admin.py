"""Users and API tokens in Django admin. A simple ModelAdmin (the User model has no username
or groups). Roles, extensions and activation change on the back office pages, whose actions
keep R-U5 and R-U7; here only names and language, through the same actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from centrex.accounts.actions import update_own_account, update_user
from centrex.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "full_name",
        "customer",
        "role",
        "extension",
        "is_operator",
        "is_active",
        "communicator_enabled",
    ]
    list_filter = ["is_operator", "role", "is_active", "language"]
    search_fields = ["email", "first_name", "last_name", "customer__name", "extension__number"]
    list_select_related = ["customer", "extension"]
    fields = [
        "email",
        "first_name",
        "last_name",
        "language",
        "customer",
        "role",
        "extension",
        "is_operator",
        "is_active",
        "mobile_number",
        "mobile_verified",
        "date_joined",
        "invited_at",
        "last_login",
    ]
    readonly_fields = [
        "email",
        "customer",
        "role",
        "extension",
        "is_operator",
        "is_active",
        "mobile_number",
        "mobile_verified",
        "date_joined",
        "invited_at",
        "last_login",
    ]

    @admin.display(boolean=True, description="Communicator")
    def communicator_enabled(self, obj: User) -> bool:
        return obj.communicator_enabled

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # back office pages or `centrex createoperator`

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the history refers to the account

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        changes = {
            name: form.cleaned_data[name] for name in ("first_name", "last_name", "language")
        }
        if obj.customer_id is not None:
            update_user(obj, acting_user=request.user, **changes)  # type: ignore[arg-type]
        else:
            update_own_account(obj, **changes)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Deleting a token revokes it."""

    list_display = ["user", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["user", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
