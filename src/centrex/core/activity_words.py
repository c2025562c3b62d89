"""The activity trail in words (R-Z4, R-B1, issue 14): one sentence with who and what for every
action code the code records — «Alice Rossi ha creato l'utente Davide Bianchi», «Accesso non
riuscito per x@y.it» — so no page shows a raw code such as `user.password_set`.

Every page that lists activity uses `activity_in_words` (the template filter `in_words` of the
`activity_words` library): the back office's dashboard and Registro attività, the alias audit
trail, the customer's Impostazioni > Registro attività. The CSV exports keep the codes, which
machines read, and add the sentence in a column of its own.

Two kinds of rows are described: `core.AuditEvent` (codes such as "user.created", written by
`core.audit.record_audit` across the apps) and an alias's own history (`aliases.AliasEvent`,
codes such as "approved"; core stands below aliases, so it reads those rows by their fields
and keeps their sentences under "alias_event.<code>"). A code without a sentence of its own gets
a generic translated one, never the code itself: `tests/core/test_activity_words.py` checks
that every code written in src/ has its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from centrex.core.models import AuditEvent

# An alias's own history (aliases.AliasEvent) is described under these keys.
ALIAS_EVENT_PREFIX = "alias_event."


@dataclass(frozen=True)
class Sentence:
    """What a code means: `done` when someone did it («%(actor)s ha creato l'utente
    %(object)s»), `happened` when nobody signed in did (a failed sign-in, the command line,
    the system). Either may use %(actor)s, %(object)s and the row's data keys listed in
    `ActivityFacts`."""

    done: Promise
    happened: Promise


def _s(done: Promise, happened: Promise) -> Sentence:
    return Sentence(done, happened)


# Every code recorded by `record_audit` across src/ (grep "record_audit("), then the alias
# history's codes (aliases.AliasEventAction).
SENTENCES: dict[str, Sentence] = {
    # Accounts (R-U3–U7, R-Z1–Z3)
    "operator.created": _s(
        _("%(actor)s created the operator %(object)s"), _("Operator %(object)s created")
    ),
    "user.created": _s(_("%(actor)s created the user %(object)s"), _("User %(object)s created")),
    "user.updated": _s(_("%(actor)s changed the user %(object)s"), _("User %(object)s changed")),
    "user.invitation_resent": _s(
        _("%(actor)s sent the invitation to %(object)s again"),
        _("Invitation sent to %(object)s again"),
    ),
    "user.password_set": _s(_("%(actor)s set their password"), _("%(object)s set their password")),
    "user.password_changed": _s(
        _("%(actor)s changed their password"), _("%(object)s changed their password")
    ),
    "user.password_reset_requested": _s(
        _("%(actor)s asked to reset the password of %(object)s"),
        _("Password reset asked for %(object)s"),
    ),
    "user.signed_in": _s(_("%(actor)s signed in"), _("%(object)s signed in")),
    "user.sign_in_failed": _s(_("Failed sign-in for %(email)s"), _("Failed sign-in for %(email)s")),
    "user.imported": _s(
        _("%(actor)s imported users from a CSV file into %(object)s"),
        _("Users imported from a CSV file into %(object)s"),
    ),
    "user.api_token_revoked": _s(
        _("%(actor)s revoked one of their API tokens"),
        _("An API token of %(object)s revoked"),
    ),
    "user.mfa_enabled": _s(
        _("%(actor)s turned on two-step verification"),
        _("Two-step verification turned on for %(object)s"),
    ),
    "user.mfa_disabled": _s(
        _("%(actor)s turned off two-step verification"),
        _("Two-step verification turned off for %(object)s"),
    ),
    "user.mfa_reset": _s(
        _("%(actor)s reset the two-step verification of %(object)s"),
        _("Two-step verification of %(object)s reset"),
    ),
    "customer.mfa_required_changed": _s(
        _("%(actor)s changed who must use two-step verification"),
        _("Who must use two-step verification changed"),
    ),
    # The mobile number and its verification (R-M1–M3)
    "user.mobile_set": _s(
        _("%(actor)s entered the mobile number %(number)s"),
        _("Mobile number %(number)s entered for %(object)s"),
    ),
    "user.mobile_code_resent": _s(
        _("%(actor)s asked for a new code for %(number)s"),
        _("New code sent to %(number)s for %(object)s"),
    ),
    "user.mobile_verified": _s(
        _("%(actor)s verified the mobile number %(number)s"),
        _("Mobile number %(number)s of %(object)s verified"),
    ),
    "user.mobile_removed": _s(
        _("%(actor)s removed their mobile number"), _("Mobile number of %(object)s removed")
    ),
    # Customers and their extensions (R-C*, R-U1)
    "customer.company_data_changed": _s(
        _("%(actor)s changed the company data of %(object)s"),
        _("Company data of %(object)s changed"),
    ),
    "customer.created": _s(
        _("%(actor)s created the customer %(object)s"), _("Customer %(object)s created")
    ),
    "customer.updated": _s(
        _("%(actor)s changed the data of %(object)s"), _("Data of %(object)s changed")
    ),
    "customer.activated": _s(
        _("%(actor)s reactivated the customer %(object)s"), _("Customer %(object)s reactivated")
    ),
    "customer.deactivated": _s(
        _("%(actor)s deactivated the customer %(object)s"), _("Customer %(object)s deactivated")
    ),
    "extensions.provisioned": _s(
        _("%(actor)s added %(count)s IP Centrex extensions for %(object)s"),
        _("%(count)s IP Centrex extensions added for %(object)s"),
    ),
    "extension.removed": _s(
        _("%(actor)s removed the IP Centrex extension %(number)s"),
        _("IP Centrex extension %(number)s removed"),
    ),
    # Communicator (R-V*)
    "communicator.sip_domain_changed": _s(
        _("%(actor)s changed the SIP domain to %(to_state)s"),
        _("SIP domain changed to %(to_state)s"),
    ),
    "communicator.device_created": _s(
        _("%(actor)s added the Communicator device %(name)s"),
        _("Communicator device %(name)s added"),
    ),
    "communicator.device_revoked": _s(
        _("%(actor)s revoked the Communicator device %(name)s"),
        _("Communicator device %(name)s revoked"),
    ),
    # SMS senders (R-S1–S4)
    "sms.policy_changed": _s(
        _("%(actor)s changed the SMS sender policy"), _("SMS sender policy changed")
    ),
    "sms.policy_shared_mobile_entered": _s(
        _("%(actor)s entered %(number)s as the company's SMS number"),
        _("%(number)s entered as the company's SMS number"),
    ),
    "sms.policy_shared_mobile_verified": _s(
        _("%(actor)s verified %(number)s as the company's SMS number"),
        _("%(number)s verified as the company's SMS number"),
    ),
    # The alias word lists and settings (R-A1, R-A4b)
    "alias.reserved_name_added": _s(
        _("%(actor)s added “%(object)s” to the reserved names"),
        _("“%(object)s” added to the reserved names"),
    ),
    "alias.reserved_name_removed": _s(
        _("%(actor)s removed “%(object)s” from the reserved names"),
        _("“%(object)s” removed from the reserved names"),
    ),
    "alias.generic_word_added": _s(
        _("%(actor)s added “%(object)s” to the generic words"),
        _("“%(object)s” added to the generic words"),
    ),
    "alias.generic_word_removed": _s(
        _("%(actor)s removed “%(object)s” from the generic words"),
        _("“%(object)s” removed from the generic words"),
    ),
    "alias.settings_changed": _s(
        _("%(actor)s changed the alias character set"), _("Alias character set changed")
    ),
    # Support questions (R-U8)
    "support.question_asked": _s(
        _("%(actor)s asked the question “%(object)s”"), _("Question “%(object)s” asked")
    ),
    "support.question_answered": _s(
        _("%(actor)s answered the question “%(object)s”"), _("Question “%(object)s” answered")
    ),
    # An alias's own history (aliases.AliasEventAction, R-A6–A11)
    ALIAS_EVENT_PREFIX + "created": _s(
        _("%(actor)s created the alias %(object)s"), _("Alias %(object)s created")
    ),
    ALIAS_EVENT_PREFIX + "submitted": _s(
        _("%(actor)s requested the validation of the alias %(object)s"),
        _("Validation of the alias %(object)s requested"),
    ),
    ALIAS_EVENT_PREFIX + "consent_given": _s(
        _("%(actor)s gave the AGCOM authorisation for the alias %(object)s"),
        _("AGCOM authorisation given for the alias %(object)s"),
    ),
    ALIAS_EVENT_PREFIX + "cancelled": _s(
        _("%(actor)s cancelled the request for the alias %(object)s"),
        _("Request for the alias %(object)s cancelled"),
    ),
    ALIAS_EVENT_PREFIX + "deleted": _s(
        _("%(actor)s deleted the alias %(object)s"), _("Alias %(object)s deleted")
    ),
    ALIAS_EVENT_PREFIX + "approved": _s(
        _("%(actor)s approved the alias %(object)s"), _("Alias %(object)s approved")
    ),
    ALIAS_EVENT_PREFIX + "registry_accepted": _s(
        _("AGCOM registered the alias %(object)s"), _("AGCOM registered the alias %(object)s")
    ),
    ALIAS_EVENT_PREFIX + "registry_failed": _s(
        _("AGCOM registration of the alias %(object)s failed"),
        _("AGCOM registration of the alias %(object)s failed"),
    ),
    ALIAS_EVENT_PREFIX + "validated": _s(
        _("%(actor)s validated the alias %(object)s"), _("Alias %(object)s validated")
    ),
    ALIAS_EVENT_PREFIX + "rejected": _s(
        _("%(actor)s rejected the alias %(object)s"), _("Alias %(object)s rejected")
    ),
    ALIAS_EVENT_PREFIX + "revoked": _s(
        _("%(actor)s revoked the alias %(object)s"), _("Alias %(object)s revoked")
    ),
    ALIAS_EVENT_PREFIX + "withdrawn": _s(
        _("%(actor)s withdrew the alias %(object)s"), _("Alias %(object)s withdrawn")
    ),
    ALIAS_EVENT_PREFIX + "unusable": _s(
        _("The alias %(object)s can no longer be used as a sender"),
        _("The alias %(object)s can no longer be used as a sender"),
    ),
    ALIAS_EVENT_PREFIX + "overdue_reminder": _s(
        _("Operators reminded of the due time of the alias %(object)s"),
        _("Operators reminded of the due time of the alias %(object)s"),
    ),
}

# Why a sign-in failed (`reason` of "user.sign_in_failed", accounts.actions), in words.
SIGN_IN_FAILURES: dict[str, Promise] = {
    "password": _("wrong password"),
    "code": _("wrong verification code"),
}
FAILED_SIGN_IN_WHY = _("Failed sign-in for %(email)s: %(why)s")

# A code without a sentence of its own (one added since): words, never the code.
GENERIC = _s(_("%(actor)s made a change: %(object)s"), _("A change was recorded: %(object)s"))
GENERIC_NO_OBJECT = _s(_("%(actor)s made a change"), _("A change was recorded"))


@dataclass(frozen=True)
class ActivityFacts:
    """What a sentence may name: who (a name, else an e-mail; "" for nobody signed in), the
    object as it was written down, and the row's few facts that read well in a sentence."""

    action: str
    actor: str
    object: str
    data: dict[str, Any]
    to_state: str = ""
    reason: str = ""

    def values(self) -> dict[str, str]:
        email = self.data.get("email") or self.object
        number = self.data.get("number") or self.data.get("previous_number") or ""
        return {
            "actor": self.actor,
            "object": self.object or "—",
            "email": str(email or "—"),
            "number": str(number or "—"),
            "count": str(self.data.get("count", "")),
            "name": str(self.data.get("name") or self.object or "—"),
            "to_state": self.to_state or "—",
        }


def describe(facts: ActivityFacts) -> str:
    """The sentence for `facts`, in the active language."""
    why = SIGN_IN_FAILURES.get(facts.reason) if facts.action == "user.sign_in_failed" else None
    if why is not None:
        return str(FAILED_SIGN_IN_WHY) % {**facts.values(), "why": why}
    sentence = SENTENCES.get(facts.action)
    if sentence is None:
        sentence = GENERIC if facts.object else GENERIC_NO_OBJECT
    text = str(sentence.done if facts.actor else sentence.happened)
    return text % facts.values()


def _person(actor: Any, email: str) -> str:
    """A name when the account is at hand (loaded with the row), else the e-mail kept."""
    if actor is not None:
        return str(getattr(actor, "full_name", "") or getattr(actor, "email", "") or email)
    return email


def facts_of(event: Any) -> ActivityFacts:
    """The facts of an `AuditEvent` or of an alias's history row (`AliasEvent`). The actor's
    name is used only when the row was loaded with it (`select_related("actor")`): a list never
    costs a query per row."""
    actor = _cached_actor(event)
    if isinstance(event, AuditEvent):
        return ActivityFacts(
            event.action,
            _person(actor, event.actor_email),
            event.object_repr,
            event.data if isinstance(event.data, dict) else {},
            event.to_state,
            event.reason,
        )
    return ActivityFacts(
        ALIAS_EVENT_PREFIX + str(event.action),
        _person(actor, str(getattr(event, "actor_email", "") or "")),
        str(getattr(event, "alias_text", "") or ""),
        event.data if isinstance(getattr(event, "data", None), dict) else {},
    )


def _cached_actor(event: Any) -> Any:
    field = event._meta.get_field("actor")
    return field.get_cached_value(event, default=None) if field.is_cached(event) else None


def activity_in_words(event: Any) -> str:
    """One activity row (`AuditEvent` or `AliasEvent`) as a sentence with who and what."""
    return describe(facts_of(event))
