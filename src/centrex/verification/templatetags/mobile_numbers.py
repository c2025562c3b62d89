"""`{% load mobile_numbers %}`: mobile numbers as people read them on pages."""

from __future__ import annotations

from django import template

from centrex.verification.actions import display_number

register = template.Library()


@register.filter
def national_number(e164: str) -> str:
    """ "+393331234567" → "333 123 4567"; a foreign number in its international form."""
    return display_number(e164) if e164 else ""
