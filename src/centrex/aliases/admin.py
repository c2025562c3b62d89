"""Aliases in Django admin, a second tool beside the back office pages.

Aliases, their history and the AGCOM authorisations are read-only here: every change of an
alias goes through `aliases.actions` (the back office pages and the API), which check the
lifecycle (R-A6), write the history and send the e-mails. The word lists of R-A4b and the
charset setting of R-A1 are plain data that operators may edit here too.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from centrex.aliases.models import (
    AliasConsent,
    AliasEvent,
    AliasSettings,
    GenericWord,
    ReservedName,
    SenderAlias,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows changed only by the actions (or only ever appended): operators look."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AliasEventInline(admin.TabularInline):
    model = AliasEvent
    fields = ("created_at", "action", "from_status", "to_status", "actor_email", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SenderAlias)
class SenderAliasAdmin(ReadOnlyAdmin):
    list_display = [
        "text",
        "customer",
        "status",
        "submitted_at",
        "due_at",
        "registry_state",
        "registry_attempts",
    ]
    list_filter = ["status", "registry_state"]
    search_fields = ["text", "match_key", "customer__name", "customer__vat_number"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    inlines = [AliasEventInline]
    list_per_page = 50


@admin.register(AliasEvent)
class AliasEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "alias_text",
        "customer",
        "action",
        "from_status",
        "to_status",
        "actor_email",
        "ip_address",
    ]
    list_filter = ["action", "actor_is_operator"]
    search_fields = ["alias_text", "actor_email", "customer__name", "reason"]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    list_per_page = 50


@admin.register(AliasConsent)
class AliasConsentAdmin(ReadOnlyAdmin):
    list_display = ["given_at", "alias_text", "customer", "given_by_email", "ip_address"]
    list_filter = ["wording_version", "wording_language"]
    search_fields = ["alias_text", "given_by_email", "customer__name"]
    list_select_related = ["customer"]
    date_hierarchy = "given_at"


@admin.register(ReservedName)
class ReservedNameAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(GenericWord)
class GenericWordAdmin(admin.ModelAdmin):
    list_display = ["word", "created_at"]
    search_fields = ["word"]


@admin.register(AliasSettings)
class AliasSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "extended_charset", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AliasSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
