"""Forms of the sending pages: «Invia SMS», the «SMS inviati» filters and the operators'
traceability export. They only shape input: the rules live in `sms.actions` (R-T1–T4) and
`sms.history`, whose DomainErrors go back next to the fields (STYLE 3, 6)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError
from centrex.core.forms import PeriodForm, all_of
from centrex.core.phones import parse_phone_number
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.actions import MAX_RECIPIENT_ENTRIES
from centrex.sms.history import HistoryFilter
from centrex.sms.models import MessageStatus
from centrex.sms.usage import Month, months_back

# How long the live counter and the recipients check wait after the last keystroke.
LIVE_DELAY = "300ms"
# Far beyond any valid input (100 numbers, 10 parts of text), short enough to stop nonsense;
# longer input is answered with the rule's own message, not the form's.
RECIPIENTS_INPUT_MAX = 20_000
TEXT_INPUT_MAX = 20_000
# Entries in a pasted list are separated by commas, semicolons or new lines; within a line,
# spaces separate numbers too, but a number may itself be written with spaces ("+39 333 123
# 4567"): at most this many words are tried together as one number.
_LIST_SEPARATORS = re.compile(r"[,;\r\n]+")
_MAX_WORDS_PER_NUMBER = 6
# A word that can be a piece of a number written with spaces: digits and phone punctuation.
_NUMBER_WORD = re.compile(r"^[+\d().\-/]+$")


def split_recipients(text: str) -> list[str]:
    """The entries of a typed or pasted list of recipients (R-T1): split at commas,
    semicolons, new lines and spaces, keeping together the words of a number written with
    spaces — from each word, the longest run of number-like words that reads as a phone
    number. A word with letters is an entry of its own (and reported as no number)."""
    entries: list[str] = []
    for chunk in _LIST_SEPARATORS.split(text):
        words = chunk.split()
        if len(words) > MAX_RECIPIENT_ENTRIES:  # too many anyway: no grouping
            entries.extend(words)
            continue
        start = 0
        while start < len(words):
            end = _end_of_number(words, start)
            entries.append(" ".join(words[start:end]))
            start = end
    return entries


def _end_of_number(words: list[str], start: int) -> int:
    last = min(len(words), start + _MAX_WORDS_PER_NUMBER)
    pieces = start
    while pieces < last and _NUMBER_WORD.match(words[pieces]):
        pieces += 1
    for end in range(pieces, start + 1, -1):
        try:
            parse_phone_number(" ".join(words[start:end]))
        except DomainError:
            continue
        return end
    return start + 1


def sender_key(sender: Sender) -> str:
    """A sender as a form value: `mobile:+39…` or `alias:Text`."""
    return f"{sender.type}:{sender.value}"


class ComposeForm(forms.Form):
    """«Invia SMS»: recipients, text and, only in `user_choice`, the sender (R-T2). Blank or
    wrong input is refused by `send_sms` with its own codes and messages."""

    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        max_length=RECIPIENTS_INPUT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false", "inputmode": "tel"}
        ),
        help_text=_(
            "Mobile numbers, up to 100: with the country code (+39 …) or as Italian numbers, "
            "separated by commas, semicolons, spaces or new lines. You can paste a list."
        ),
    )
    # Not a ChoiceField: a sender that stopped being allowed since the page was shown (an
    # alias revoked meanwhile) is refused by the action with its own code (R-A11).
    sender = forms.CharField(label=_("Sender"), required=False, max_length=80)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        max_length=TEXT_INPUT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(
        self,
        *args: Any,
        senders: tuple[Sender, ...],
        picker: bool,
        counter_url: str,
        recipients_url: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.senders = {sender_key(sender): sender for sender in senders}
        if picker:  # R-T2: only in `user_choice` does the user pick the sender
            self.fields["sender"].widget = forms.Select(
                choices=[(key, sender_label(sender)) for key, sender in self.senders.items()]
            )
        else:
            del self.fields["sender"]
        # The live counter (R-T3) and the recipients check, computed by the server on input
        # (htmx), so they show exactly what sending will do. CSRF comes from <body hx-headers>.
        self.fields["text"].widget.attrs.update(_live(counter_url, "#sms-counter", "sms-counter"))
        self.fields["recipients"].widget.attrs.update(
            _live(recipients_url, "#recipients-check", "recipients-check id_recipients_helptext")
        )

    def chosen_sender(self) -> Sender | None:
        """The picked sender (R-T2); None when there is no picker or nothing was picked."""
        key = self.cleaned_data.get("sender") or ""
        if key in self.senders:
            return self.senders[key]
        kind, _sep, value = key.partition(":")
        return Sender(kind, value) if kind in SenderType.values and value else None


def _live(url: str, target: str, described_by: str) -> dict[str, str]:
    return {
        "hx-post": url,
        "hx-trigger": f"input changed delay:{LIVE_DELAY}",
        "hx-target": target,
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
        "aria-describedby": described_by,
    }


def sender_label(sender: Sender) -> str:
    """How the pages name a sender."""
    if sender.type == SenderType.ALIAS:
        return str(_("Alias “%(alias)s”") % {"alias": sender.value})
    return str(_("Mobile number %(number)s") % {"number": sender.value})


class HistoryFilterForm(PeriodForm):
    """«SMS inviati» filters: status, recipient, dates and, for admins, the user. The page
    and its CSV export share them."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    recipient = forms.CharField(
        label=_("Recipient"),
        required=False,
        max_length=40,
        help_text=_("A number, or some of its digits."),
    )
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)

    field_order = ["status", "recipient", "user", "date_from", "date_to"]

    def __init__(self, *args: Any, users: list[tuple[int, str]] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field: forms.ChoiceField = self.fields["status"]  # type: ignore[assignment]
        status_field.choices = all_of(_("All statuses"), list(MessageStatus.choices))
        if users is None:
            del self.fields["user"]
        else:
            user_field: forms.ChoiceField = self.fields["user"]  # type: ignore[assignment]
            user_field.choices = all_of(_("All users"), users)

    def history_filter(self) -> HistoryFilter:
        """The filters of the valid fields; a recipient that is no number nor part of one is
        put on its field (and ignored)."""
        since, until = self.period()
        data = self._valid_fields()
        filters = HistoryFilter(
            status=data.get("status") or None,
            to=(data.get("recipient") or "").strip() or None,
            since=since,
            until=until,
            user_id=data.get("user"),
        )
        try:
            filters.recipient_q()
        except DomainError as error:
            self.add_error("recipient", str(error.message))
            filters = HistoryFilter(
                status=filters.status,
                since=since,
                until=until,
                user_id=filters.user_id,
            )
        return filters


# How many months back the usage page's picker offers (R-R1).
USAGE_MONTHS = 24


class UsageMonthForm(forms.Form):
    """«Consumo SMS»: the month to show, this month and the 23 before it (R-R1)."""

    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        month_field: forms.ChoiceField = self.fields["month"]  # type: ignore[assignment]
        month_field.choices = [
            (str(month), date_format(month.first_day, "F Y")) for month in months_back(USAGE_MONTHS)
        ]

    def chosen_month(self) -> Month:
        """The valid choice, else this month (the field then shows why)."""
        if self.is_bound and self.is_valid() and self.cleaned_data["month"]:
            return Month.parse(self.cleaned_data["month"])
        return Month.current()
