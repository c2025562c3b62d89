"""`{% load activity_words %}` then `{{ event|in_words }}`: an activity row as a sentence with
who and what (R-Z4, R-B1; `core.activity_words`)."""

from __future__ import annotations

from typing import Any

from django import template

from centrex.core.activity_words import activity_in_words

register = template.Library()


@register.filter
def in_words(event: Any) -> str:
    """The sentence of an `AuditEvent` or an `AliasEvent` in the active language."""
    return activity_in_words(event)
