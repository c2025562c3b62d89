"""Pages of the customers app, for a customer's admins, included at the site root (Italian
paths, as the manual's menus).

customers stands below accounts, which knows who is an admin: so the guard is given where the
URL map is assembled, as `centrex.api` gives the extensions router its authentication::

    path("", include(admin_pages(page_for(require_customer_admin)))),
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from centrex.customers import views

app_name = "customers"

Guard = Callable[[Callable[..., Any]], Callable[..., Any]]


def admin_pages(guard: Guard) -> tuple[list[URLPattern], str]:
    """The patterns, each view behind `guard` (which passes the acting admin), and the
    namespace: what `include` takes."""
    patterns = [
        path("impostazioni/interni/", guard(views.extension_list), name="extension_list"),
        path("impostazioni/dati-aziendali/", guard(views.company_data), name="company"),
    ]
    return patterns, app_name
