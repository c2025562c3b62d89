"""Forms of the customers' pages of the back office: a customer (R-C1, R-C2), its first
administrator and users (R-U3–U7), its extensions (R-U1). They only parse input: the rules live
in the actions, whose DomainError is put back on the fields by `show_domain_error` (STYLE 3, 6)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.accounts.models import Language, Role
from centrex.core.errors import DomainError
from centrex.customers.actions import CustomerData
from centrex.customers.models import Customer, CustomerKind

# `numbers[3]`, `line[12]`, `admin.email`: an action's field path → the form field it is about.
_INDEX = re.compile(r"\[\d+\]$")


def show_domain_error(
    error: DomainError,
    *forms_: forms.Form,
    default_field: str | None = None,
) -> None:
    """Put each of the action's field errors on the form field it names. A form with a prefix
    takes the errors named `prefix.field`; errors about no known field go on `default_field`
    of the first form, or on its top."""
    assert forms_, "show_domain_error needs a form"
    prefixed_first = sorted(forms_, key=lambda form: not form.prefix)
    for field_error in error.errors:
        name = field_error.field or ""
        target: tuple[forms.Form, str | None] | None = next(
            ((form, field) for form in prefixed_first if (field := _form_field(form, name))),
            None,
        )
        if target is None:
            fallback = default_field if default_field in forms_[0].fields else None
            target = (forms_[0], fallback)
        target[0].add_error(target[1], str(field_error.message))


def _form_field(form: forms.Form, name: str) -> str | None:
    """The field of `form` an action's field path names (`numbers[3]` → numbers,
    `address.street` → street, `admin.email` → email of the form prefixed "admin")."""
    if form.prefix:
        if not name.startswith(f"{form.prefix}."):
            return None
        name = name.removeprefix(f"{form.prefix}.")
    for candidate in (name, _INDEX.sub("", name), name.rpartition(".")[2]):
        if candidate and candidate in form.fields:
            return candidate
    return None


class CustomerForm(forms.Form):
    """Every piece of a customer's data the regulator wants (R-C2)."""

    name = forms.CharField(label=_("Ragione sociale"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=CustomerKind.choices,
        widget=forms.RadioSelect,
        initial=CustomerKind.BUSINESS,
    )
    vat_number = forms.CharField(
        label=_("Partita IVA"),
        max_length=20,
        required=False,
        help_text=_("11 digits; an IT prefix is accepted. Required for business customers."),
    )
    tax_code = forms.CharField(
        label=_("Codice fiscale"),
        max_length=20,
        required=False,
        help_text=_("16 characters for a person, 11 digits for a company. Required for consumers."),
    )
    street = forms.CharField(label=_("Address"), max_length=200)
    postcode = forms.CharField(label=_("Postcode (CAP)"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100)
    province = forms.CharField(
        label=_("Province"), max_length=2, required=False, help_text=_("Two letters, such as MI.")
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, initial="IT", help_text=_("Two letters, such as IT.")
    )
    contact_first_name = forms.CharField(
        label=_("Contact first name"), max_length=100, required=False
    )
    contact_last_name = forms.CharField(
        label=_("Contact last name"), max_length=100, required=False
    )
    email = forms.EmailField(label=_("E-mail"))
    pec = forms.EmailField(label=_("PEC"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    brands = forms.CharField(
        label=_("Brands (marchi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        """The form's values for an existing customer (Modifica cliente)."""
        initial: dict[str, Any] = {name: getattr(customer, name) for name in cls.base_fields}
        initial["brands"] = "\n".join(customer.brands or [])
        return initial

    def to_data(self) -> CustomerData:
        values = {name: self.cleaned_data.get(name) or "" for name in self.base_fields}
        brands = [line for line in values.pop("brands").splitlines() if line.strip()]
        return CustomerData(**values, brands=brands)


class FirstAdminForm(forms.Form):
    """The customer's first administrator, created with the customer (R-C1, R-U3)."""

    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave it empty to e-mail an invitation to set the password."),
    )


class UserForm(forms.Form):
    """Nuovo Utente / Modifica Utente for an operator (R-U3, R-U4). The extension is a plain
    value offered from the customer's free ones: the action decides whether it is free."""

    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.USER)
    language = forms.ChoiceField(
        label=_("Language"), choices=Language.choices, initial=Language.ITALIAN
    )
    extension = forms.CharField(
        label=_("IP Centrex extension"),
        required=False,
        max_length=6,
        help_text=_("One of the customer's free extensions; empty for none."),
    )

    def __init__(self, *args: Any, extension_choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Suggested through a <datalist>: a customer may have thousands of free extensions.
        self.extension_choices = extension_choices
        self.fields["extension"].widget.attrs.update(
            {"list": "extension-choices", "inputmode": "numeric", "autocomplete": "off"}
        )


class NewUserForm(UserForm):
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave it empty to e-mail an invitation to set the password."),
    )


class EditUserForm(UserForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ExtensionNumberForm(forms.Form):
    """One extension (R-U1)."""

    number = forms.CharField(label=_("Number"), max_length=20, help_text=_("2 to 6 digits."))
    label = forms.CharField(label=_("Label"), max_length=100, required=False)


class ExtensionRangeForm(forms.Form):
    """A range of extensions such as 201-240 (R-U1)."""

    range = forms.CharField(
        label=_("Range"), max_length=20, help_text=_("First and last number, such as 201-240.")
    )


class ExtensionCsvForm(forms.Form):
    """A CSV file with one extension per line: number[,label] (R-U1)."""

    file = forms.FileField(
        label=_("CSV file"), help_text=_("One extension per line: number[,label]. At most 1 MB.")
    )

    def text(self) -> str:
        """The file's text; a file that is not UTF-8 is a field error."""
        upload = self.cleaned_data["file"]
        try:
            text = str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" in text:
            self.add_error("file", _("The file is not UTF-8 text. Save it as CSV (UTF-8)."))
            return ""
        return text


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
