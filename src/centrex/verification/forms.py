"""Forms of the own-mobile pages (Opzioni Account, R-U9, R-M1–M3). They only shape input: the
rules live in `centrex.verification.actions`, whose DomainErrors go back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from centrex.verification.actions import MAX_INPUT_LENGTH


class OneTimeCodeInput(forms.TextInput):
    """A code field that never writes the typed code back into the page (R-M2: codes appear
    only in the SMS), even when the form is shown again with an error."""

    def format_value(self, value: Any) -> str | None:
        return None


class OwnMobileForm(forms.Form):
    """Opzioni Account: the user's own mobile number (R-M1)."""

    number = forms.CharField(
        label=_("Mobile number"),
        max_length=MAX_INPUT_LENGTH,
        help_text=_(
            "An Italian mobile number (333 123 4567) or one with its country code (+44 …). "
            "We send it an SMS with a verification code."
        ),
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "autofocus": True}
        ),
    )


class VerificationCodeForm(forms.Form):
    """The code of the SMS (R-M2)."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        help_text=_("The 6 digits of the SMS we sent."),
        widget=OneTimeCodeInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "size": 8,
            }
        ),
    )
