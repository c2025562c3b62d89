"""Customers and extensions in Django admin. Changes go through the same actions as the back
office pages, so the partita IVA and the other R-C1/R-C2 checks hold here too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError
from centrex.customers.actions import (
    CustomerData,
    clean_customer_data,
    create_customer,
    set_customer_active,
    update_customer,
)
from centrex.customers.models import Customer, Extension

DATA_FIELDS = [name for name in CustomerData.__dataclass_fields__ if name != "brands"]


class CustomerAdminForm(forms.ModelForm):
    """Checks the data with customers.actions.clean_customer_data (R-C1, R-C2)."""

    vat_number = forms.CharField(label=_("partita IVA"), max_length=20, required=False)
    tax_code = forms.CharField(label=_("codice fiscale"), max_length=20, required=False)
    brands_text = forms.CharField(
        label=_("brands"), required=False, widget=forms.Textarea, help_text=_("One per line.")
    )

    class Meta:
        model = Customer
        fields = [*DATA_FIELDS, "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brands_text"].initial = "\n".join(self.instance.brands or [])
        self.customer_data: CustomerData | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {name: cleaned.get(name) or "" for name in DATA_FIELDS}
        brands = [line for line in cleaned.get("brands_text", "").splitlines() if line.strip()]
        try:
            self.customer_data = clean_customer_data(CustomerData(**values, brands=brands))
        except DomainError as error:
            for field_error in error.errors:
                name = field_error.field if field_error.field in self.fields else None
                self.add_error(name, str(field_error.message))
            return cleaned
        # The model sees the normalised values (11-digit partita IVA without "IT"...).
        cleaned.update({name: getattr(self.customer_data, name) for name in DATA_FIELDS})
        cleaned["brands"] = self.customer_data.brands
        return cleaned


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ["name", "kind", "vat_number", "tax_code", "city", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "vat_number", "tax_code", "email", "pec"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "vat_number", "tax_code", "is_active"]}),
        (
            _("Registered office (sede legale)"),
            {"fields": ["street", "postcode", "city", "province", "country"]},
        ),
        (
            _("Contact"),
            {"fields": ["contact_first_name", "contact_last_name", "email", "pec", "phone"]},
        ),
        (_("brands"), {"fields": ["brands_text"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        """Through customers.actions, which write the audit trail."""
        data: CustomerData = form.customer_data
        operator: Any = request.user
        if change:
            customer = update_customer(
                Customer.objects.get(pk=obj.pk), dict(data.__dict__), acting_user=operator
            )
        else:
            customer = create_customer(data, acting_user=operator)
            obj.pk = customer.pk
        set_customer_active(customer, form.cleaned_data["is_active"], acting_user=operator)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: users, aliases and the audit trail refer to it


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    """Looked up here; provisioned and removed on the back office pages (R-U1)."""

    list_display = ["number", "customer", "label", "user"]
    search_fields = ["number", "customer__name", "label"]
    list_select_related = ["customer", "user"]
    readonly_fields = ["customer", "number", "label", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
