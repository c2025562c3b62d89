"""Pages of the senders app, included at the site root: Communicator > Mittenti SMS (manual §4,
R-S1–S3)."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.senders import views

app_name = "senders"
urlpatterns: list[URLPattern] = [
    path("communicator/mittenti-sms/", views.policy_page, name="policy"),
    path("communicator/mittenti-sms/anteprima/", views.policy_preview, name="policy_preview"),
]
