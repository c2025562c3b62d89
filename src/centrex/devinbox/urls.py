"""The developer inbox, included at /dev/inbox/."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.devinbox import views

app_name = "devinbox"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("<str:name>/", views.message, name="message"),
]
