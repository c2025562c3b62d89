from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: whether the developer inbox exists."""
    return {"dev_inbox_enabled": settings.CENTREX_DEV_INBOX}
