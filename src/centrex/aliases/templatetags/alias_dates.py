"""How the alias pages write a due time: «lunedì 30/11/2026 15:00» on the provider's calendar
(R-A8). Italian writes weekdays in lower case inside a sentence, English capitalised."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def weekday_datetime(moment: datetime | None, zone: str = "Europe/Rome") -> str:
    """`moment` as weekday dd/mm/yyyy HH:MM in `zone`, in the active language."""
    if moment is None:
        return ""
    text = format_date(timezone.localtime(moment, ZoneInfo(zone)), "l d/m/Y H:i")
    if (translation.get_language() or "").startswith("it"):
        return text[:1].lower() + text[1:]
    return text
