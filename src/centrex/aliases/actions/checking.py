"""Checking an alias text against the rules before it is saved (R-A1–A5): the live check of the
page and of `POST /aliases/check`, and R-A4's uniqueness of a name, under a lock on the name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _

from centrex.aliases.access import consumer_not_allowed
from centrex.aliases.models import (
    CLAIMING_STATUSES,
    LIVE_STATUSES,
    AliasSettings,
    GenericWord,
    ReservedName,
    SenderAlias,
)
from centrex.aliases.relatedness import relatedness
from centrex.aliases.rules import FIELD, alias_match_key, check_alias
from centrex.core.errors import ErrorCode, FieldError
from centrex.customers.models import Customer


@dataclass
class AliasCheck:
    """The outcome of checking an alias text for a customer: whether it may be requested,
    every rule it breaks, and how much it relates to the company's names (R-A5)."""

    valid: bool
    errors: list[FieldError]
    relatedness: float
    matched: str | None


def check_alias_text(
    customer: Customer, text: str, *, exclude: SenderAlias | None = None
) -> AliasCheck:
    """Every rule `text` breaks as an alias of `customer`, and the relatedness hint; no side
    effect (the live check of the page and of `POST /aliases/check`).

    A consumer customer gets only `alias_consumer_not_allowed` (R-A3). Otherwise: the text
    rules (R-A1, R-A1b, R-A2, R-A4b) with the current word lists and charset setting, and
    R-A4's `alias_duplicate` (the customer already has a live alias with that name) and
    `alias_taken` (another customer's alias with that name is pending or validated).
    `exclude` is the alias being re-checked itself.
    """
    if not customer.is_business:  # R-A3
        error = consumer_not_allowed()
        return AliasCheck(False, list(error.errors), 0.0, None)
    errors = check_alias(
        text,
        reserved=ReservedName.objects.values_list("name", flat=True),
        generic=GenericWord.objects.values_list("word", flat=True),
        extended_charset=_extended_charset(),
    )
    errors = [*name_conflicts(customer, text, exclude=exclude), *errors]
    hint = relatedness(text, customer.name, customer.brands or [])  # R-A5
    return AliasCheck(not errors, errors, hint.score, hint.matched)


def _extended_charset() -> bool:
    """The operator setting of R-A1, read without creating the settings row."""
    value = AliasSettings.objects.filter(pk=1).values_list("extended_charset", flat=True).first()
    return bool(value)


def name_conflicts(
    customer: Customer, text: str, *, exclude: SenderAlias | None
) -> list[FieldError]:
    """R-A4: the same name (ignoring case, accents, spaces and punctuation) live for this
    customer, or pending or validated for another one."""
    key = alias_match_key(text)
    if not key or len(key) > SenderAlias._meta.get_field("match_key").max_length:  # type: ignore[operator]
        return []
    same_name = SenderAlias.objects.filter(match_key=key)
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude.pk)
    errors: list[FieldError] = []
    own = same_name.filter(customer=customer, status__in=LIVE_STATUSES).first()
    if own is not None:
        errors.append(
            FieldError(
                FIELD,
                ErrorCode.ALIAS_DUPLICATE,
                _(
                    "You already have the alias “%(existing)s”, which differs from this one at "
                    "most in case, accents, spaces or punctuation. Use it, or choose another name."
                )
                % {"existing": own.text},
            )
        )
    if same_name.exclude(customer=customer).filter(status__in=CLAIMING_STATUSES).exists():
        errors.append(
            FieldError(
                FIELD,
                ErrorCode.ALIAS_TAKEN,
                _(
                    "Another company has already requested or registered this alias (case, "
                    "spaces and punctuation do not make a difference, Delibera 12/23/CIR). "
                    "Choose a name of your own company or brand."
                ),
            )
        )
    return errors


def lock_name(match_key: str) -> None:
    """R-A4: serialise, until the transaction ends, everything that claims the name
    `match_key`. PostgreSQL: an advisory lock on the name's hash (two names sharing a hash
    only wait for each other). SQLite: every transaction already holds the database's write
    lock from BEGIN (`transaction_mode=IMMEDIATE`), so claims are serialised anyway."""
    if connection.vendor != "postgresql" or not match_key:
        return
    digest = hashlib.sha256(f"centrex.alias:{match_key}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
