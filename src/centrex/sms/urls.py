"""Pages of the SMS app, included at the site root: Communicator > SMS senders (R-S1), sending
and history (R-T*), the own mobile number of Account Options (R-M*), and the operators'
traceability export under /backoffice/."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "sms"
urlpatterns: list[URLPattern] = []
