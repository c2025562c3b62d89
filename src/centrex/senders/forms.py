"""The form of Communicator > Mittenti SMS (manual §4, R-S1–S3). It only shapes input: the
rules live in `sms.policy`, whose DomainErrors go back on the fields (STYLE 3, 6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centrex.aliases.models import SenderAlias
from centrex.core.errors import DomainError
from centrex.senders.models import CONSUMER_MODES, SenderPolicyMode

# What the manual says of each option (§4), under its radio button.
MODE_EXPLANATIONS = {
    SenderPolicyMode.OWN_MOBILE: _(
        "If a user has set their mobile number in Account Options, it is the sender of the SMS "
        "they send. If they have not set it, they cannot send SMS."
    ),
    SenderPolicyMode.SHARED_MOBILE: _(
        "You specify one mobile number, the sender of the SMS of all users. Enter the mobile "
        "number and press “Save”: an SMS with a verification code is sent to it. Enter the "
        "verification code in its field and press “Save” again."
    ),
    SenderPolicyMode.SHARED_ALIAS: _(
        "You select one alias (an alphanumeric text) among the validated ones, the sender of "
        "the SMS of all users."
    ),
    SenderPolicyMode.USER_CHOICE: _(
        "Each user selects the sender before sending each SMS, among their own mobile number "
        "(if set in Account Options) and all the validated aliases."
    ),
}

# The buttons of the manual ("premere il pulsante salva") and of the preview.
SAVE = pgettext_lazy("sender policy", "Save")
PREVIEW = pgettext_lazy("sender policy", "Preview")
RESEND = _("Send a new code")

# What the page's fields are called in the actions' errors.
ACTION_FIELDS = {
    "mode": "mode",
    "shared_alias_id": "shared_alias",
    "number": "number",
    "code": "code",
}


def show_policy_error(error: DomainError, form: forms.Form) -> None:
    """Each broken rule next to the field it is about; the others on top of the form."""
    for item in error.errors:
        name = ACTION_FIELDS.get(item.field or "")
        form.add_error(name if name in form.fields else None, str(item.message))


class PolicyForm(forms.Form):
    """The four options (R-S1; consumers: the two mobile ones, R-S3), the shared number and its
    verification code (R-S1.2, R-M2), and the shared alias among the validated ones."""

    mode = forms.ChoiceField(
        label=_("Sender of your company's SMS"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the options.")},
    )
    number = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    code = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
    shared_alias = forms.TypedChoiceField(
        label=_("Alias"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of your validated aliases.")},
    )

    def __init__(
        self,
        *args: Any,
        is_business: bool,
        aliases: Sequence[SenderAlias],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        modes = [
            (mode.value, mode.label)
            for mode in SenderPolicyMode
            if is_business or mode in CONSUMER_MODES  # R-S3
        ]
        mode_field = self.fields["mode"]
        assert isinstance(mode_field, forms.ChoiceField)
        mode_field.choices = modes
        alias_field = self.fields["shared_alias"]
        assert isinstance(alias_field, forms.ChoiceField)
        alias_field.choices = [("", _("— choose an alias —"))] + [
            (alias.pk, alias.text) for alias in aliases
        ]
        self.fields["number"].widget.attrs["aria-describedby"] = "shared-mobile-state"

    def options(self) -> list[dict[str, Any]]:
        """The radio buttons with the manual's explanation of each, for the template."""
        bound = self["mode"]
        return [
            {
                "radio": radio,
                "value": radio.data["value"],
                "explanation": MODE_EXPLANATIONS[SenderPolicyMode(radio.data["value"])],
            }
            for radio in bound
        ]
