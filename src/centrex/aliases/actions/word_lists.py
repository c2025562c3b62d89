"""The operators' word lists (R-A4b) and the alias character-set setting (R-A1)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.aliases.models import AliasSettings, GenericWord, ReservedName
from centrex.aliases.rules import alias_match_key
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode

_MAX_LIST_ENTRY = 100


def add_reserved_name(name: str, *, acting_user: User) -> ReservedName:
    """An operator adds a name reserved to public bodies (R-A4b). Names that differ only in
    case, accents, spaces or punctuation from one in the list are refused: they would match
    the same aliases."""
    require_operator(acting_user)
    cleaned = _clean_list_entry(name)
    with transaction.atomic():
        _refuse_listed(cleaned, ReservedName.objects.values_list("name", flat=True))
        entry = ReservedName.objects.create(name=cleaned)
        record_audit("alias.reserved_name_added", actor=acting_user, target=entry)
    return entry


def remove_reserved_name(entry: ReservedName, *, acting_user: User) -> None:
    """An operator removes a reserved name (R-A4b); aliases already validated stay as they are."""
    require_operator(acting_user)
    with transaction.atomic():
        record_audit("alias.reserved_name_removed", actor=acting_user, target=entry)
        ReservedName.objects.filter(pk=entry.pk).delete()


def add_generic_word(word: str, *, acting_user: User) -> GenericWord:
    """An operator adds a word too generic to be an alias by itself (R-A4b)."""
    require_operator(acting_user)
    cleaned = _clean_list_entry(word)
    with transaction.atomic():
        _refuse_listed(cleaned, GenericWord.objects.values_list("word", flat=True))
        entry = GenericWord.objects.create(word=cleaned)
        record_audit("alias.generic_word_added", actor=acting_user, target=entry)
    return entry


def remove_generic_word(entry: GenericWord, *, acting_user: User) -> None:
    """An operator removes a generic word (R-A4b)."""
    require_operator(acting_user)
    with transaction.atomic():
        record_audit("alias.generic_word_removed", actor=acting_user, target=entry)
        GenericWord.objects.filter(pk=entry.pk).delete()


def set_extended_charset(enabled: bool, *, acting_user: User) -> AliasSettings:
    """An operator widens (or narrows again) R-A1's character set with + * / = < > ( ) @ _ # &.
    Aliases already requested keep their text; new checks use the setting at once."""
    require_operator(acting_user)
    with transaction.atomic():
        row, _created = AliasSettings.objects.select_for_update().get_or_create(pk=1)
        previous = row.extended_charset
        row.extended_charset = bool(enabled)
        row.save()
        record_audit(
            "alias.settings_changed",
            actor=acting_user,
            target=row,
            data={"extended_charset": {"from": previous, "to": row.extended_charset}},
        )
    return row


def _clean_list_entry(value: str) -> str:
    cleaned = " ".join(value.split()) if isinstance(value, str) else ""
    if not alias_match_key(cleaned):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Enter a name or word with at least one letter or digit."),
            field="name",
        )
    if len(cleaned) > _MAX_LIST_ENTRY:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Shorten it to at most %(count)d characters.") % {"count": _MAX_LIST_ENTRY},
            field="name",
        )
    return cleaned


def _refuse_listed(value: str, listed: Any) -> None:
    key = alias_match_key(value)
    existing = next((entry for entry in listed if alias_match_key(entry) == key), None)
    if existing is not None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("“%(existing)s” is already in the list, which ignores case, accents and spaces.")
            % {"existing": existing},
            field="name",
        )
