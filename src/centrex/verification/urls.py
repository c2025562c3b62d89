"""Pages of the verification app, included at the site root: Opzioni Account > Numero di
cellulare (R-U9, R-M1–M3)."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.verification import views

app_name = "verification"
urlpatterns: list[URLPattern] = [
    path("accounts/opzioni/cellulare/", views.own_mobile, name="own_mobile"),
    path("accounts/opzioni/cellulare/verifica/", views.own_mobile_verify, name="own_mobile_verify"),
    path("accounts/opzioni/cellulare/rimuovi/", views.own_mobile_remove, name="own_mobile_remove"),
]
