"""The SMS engine's HTTP face, included at the site root: `/metrics` for Prometheus."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.smsc import views

app_name = "smsc"
urlpatterns: list[URLPattern] = [
    path("metrics", views.metrics, name="metrics"),
]
