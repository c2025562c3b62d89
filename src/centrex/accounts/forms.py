"""Forms of the customer-area pages. They only shape input: every rule lives in
`accounts.actions`, whose DomainErrors are put back on the fields by `add_domain_error`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.accounts.models import Language, Role
from centrex.core.errors import DomainError


def add_domain_error(
    form: forms.Form, error: DomainError, *, fields: dict[str, str] | None = None
) -> None:
    """Show each broken rule next to its field (`fields` renames an action's field to the
    form's); rules about no field of this form go on top of the form."""
    renames = fields or {}
    for item in error.errors:
        name = renames.get(item.field or "", item.field)
        form.add_error(name if name in form.fields else None, str(item.message))


class LoginForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"invalid": _("Enter a valid e-mail address, such as name@company.it.")},
    )


class NewPasswordForm(forms.Form):
    """A new password typed twice (invitations, resets, Opzioni Account)."""

    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits, not a common password."),
    )
    confirm_password = forms.CharField(
        label=_("Confirm the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password"), data.get("confirm_password")
        if first and second and first != second:
            self.add_error(
                "confirm_password", _("The two passwords are different. Type the same one twice.")
            )
        return data


class ChangePasswordForm(NewPasswordForm):
    """Opzioni Account (R-U9): the current password first."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["current_password", "new_password", "confirm_password"]


class OwnAccountForm(forms.Form):
    """Opzioni Account (R-U9): what every user may change of their own account."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class UserForm(forms.Form):
    """Nuovo Utente / Modifica Utente (R-U3, R-U4). `extension` is typed (with the free ones
    suggested in a datalist); the action decides whether it may be associated (R-U5)."""

    ACCOUNT_FIELDS = ("email", "first_name", "last_name", "role", "language")

    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.USER)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    extension = forms.CharField(
        label=_("IP Centrex extension"),
        max_length=6,
        required=False,
        help_text=_("Empty means no extension: the user cannot use Communicator."),
        widget=forms.TextInput(
            attrs={"list": "free-extensions", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )

    def account_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACCOUNT_FIELDS]


class UserImportForm(forms.Form):
    """Impostazioni > Utenti > «Importa da CSV»: the file; `accounts.user_import` reads it and
    `actions.import_users` checks every line."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns email, first name, last name, role (administrator or user), extension; "
            "separated by semicolons or commas; at most 1,000 users and 1 MB."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
