"""The activity trail in words (R-Z4, R-B1, issue 14): every action code written in src/ has a
sentence of its own, translated, that names who and what; an unknown code still reads as words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from centrex.accounts.models import User
from centrex.aliases.models import AliasEvent, AliasEventAction
from centrex.core.activity_words import (
    ALIAS_EVENT_PREFIX,
    GENERIC,
    GENERIC_NO_OBJECT,
    SENTENCES,
    activity_in_words,
)
from centrex.core.audit import record_audit
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer

SRC = Path(__file__).resolve().parents[2] / "src" / "centrex"
CALL = re.compile(r"record_audit\((.*?)actor=", re.DOTALL)
CODE = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")


def audit_codes_in_src() -> set[str]:
    """Every code literal in the first argument of a `record_audit(` call across src/."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        if path.name == "audit.py" and path.parent.name == "core":
            continue
        for call in CALL.findall(path.read_text(encoding="utf-8")):
            codes.update(CODE.findall(call))
    return codes


def all_codes() -> list[str]:
    alias_codes = [ALIAS_EVENT_PREFIX + value for value in AliasEventAction.values]
    return sorted(audit_codes_in_src()) + alias_codes


def test_the_walk_finds_the_codes() -> None:
    codes = audit_codes_in_src()
    assert {"user.created", "user.sign_in_failed", "customer.activated"} <= codes
    assert {"customer.deactivated", "user.mobile_code_resent", "user.mobile_set"} <= codes
    assert len(codes) >= 30


@pytest.mark.parametrize("code", all_codes())
def test_every_code_has_a_sentence_of_its_own(code: str) -> None:
    assert code in SENTENCES, f"{code} has no sentence in core/activity_words.py"
    sentence = SENTENCES[code]
    for language in ("en", "it"):
        with translation.override(language):
            for text in (str(sentence.done), str(sentence.happened)):
                assert text != code
                assert code not in text
                assert text not in (str(GENERIC.done), str(GENERIC.happened))
    with translation.override("it"):
        italian = str(sentence.done)
    with translation.override("en"):
        english = str(sentence.done)
    assert italian != english, f"{code}: no Italian translation"


def test_a_user_created_reads_as_a_sentence(alice: User, esempio: Customer) -> None:
    event = AuditEvent.objects.select_related("actor").get(
        action="user.created", object_id=str(alice.pk)
    )
    with translation.override("it"):
        text = activity_in_words(event)
    assert text == f"{event.actor.full_name} ha creato l'utente Alice Rossi"  # type: ignore[union-attr]


def test_names_the_actor_and_the_object(alice: User, bob: User) -> None:
    event = record_audit("user.invitation_resent", actor=alice, target=bob)
    loaded = AuditEvent.objects.select_related("actor").get(pk=event.pk)
    with translation.override("it"):
        assert activity_in_words(loaded) == f"Alice Rossi ha inviato di nuovo l'invito a {bob}"
    with translation.override("en"):
        assert activity_in_words(loaded) == f"Alice Rossi sent the invitation to {bob} again"


def test_without_the_account_loaded_the_email_says_who(alice: User, bob: User) -> None:
    event = record_audit("user.invitation_resent", actor=alice, target=bob)
    plain = AuditEvent.objects.get(pk=event.pk)
    with translation.override("it"):
        assert activity_in_words(plain).startswith(f"{alice.email} ha inviato")


def test_a_failed_sign_in_names_the_email_typed(db: None) -> None:
    event = record_audit("user.sign_in_failed", actor=None, data={"email": "x@y.it"})
    with translation.override("it"):
        assert activity_in_words(event) == "Accesso non riuscito per x@y.it"


def test_an_unknown_code_reads_as_words_never_the_code(alice: User, bob: User) -> None:
    event = record_audit("something.new_happened", actor=alice, target=bob)
    loaded = AuditEvent.objects.select_related("actor").get(pk=event.pk)
    nobody = record_audit("something.else", actor=None)
    with translation.override("it"):
        text = activity_in_words(loaded)
        assert "something" not in text
        assert text == f"Alice Rossi ha fatto una modifica: {bob}"
        assert activity_in_words(nobody) == str(GENERIC_NO_OBJECT.happened)
        assert "something" not in activity_in_words(nobody)


def test_an_alias_history_row(alice: User, esempio: Customer, operator: User) -> None:
    event = AliasEvent.objects.create(
        alias_text="ACME",
        customer=esempio,
        actor=operator,
        actor_email=operator.email,
        actor_is_operator=True,
        action=AliasEventAction.VALIDATED,
    )
    loaded = AliasEvent.objects.select_related("actor").get(pk=event.pk)
    with translation.override("it"):
        assert activity_in_words(loaded) == "Olga Operatrice ha validato l'alias ACME"


@pytest.mark.parametrize(
    ("reason", "words"), [("password", "password errata"), ("code", "codice di verifica errato")]
)
def test_a_failed_sign_in_says_why_in_words(db: None, reason: str, words: str) -> None:
    event = record_audit("user.sign_in_failed", actor=None, reason=reason, data={"email": "x@y.it"})
    with translation.override("it"):
        assert activity_in_words(event) == f"Accesso non riuscito per x@y.it: {words}"
