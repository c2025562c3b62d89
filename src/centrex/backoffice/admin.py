"""Django admin is the operators' second tool (the back office pages are the product): it
says so in its titles and its "view site" link leads to the back office."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Centrex Portal administration")
admin.site.site_title = _("Centrex Portal administration")
admin.site.index_title = _("Data (the back office pages are the main tool)")
admin.site.site_url = "/backoffice/"
