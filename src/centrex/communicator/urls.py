"""Pages of the communicator app, included at the site root: Opzioni Account > Dispositivi
Communicator, Modifica Utente's devices, the back office's Dominio SIP (R-V1, R-V2, R-V4)."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.communicator import views

app_name = "communicator"
urlpatterns: list[URLPattern] = [
    path("accounts/opzioni/dispositivi/", views.own_device_add, name="own_device_add"),
    path(
        "accounts/opzioni/dispositivi/<int:device_pk>/revoca/",
        views.own_device_revoke,
        name="own_device_revoke",
    ),
    path(
        "impostazioni/utenti/<int:pk>/dispositivi/<int:device_pk>/revoca/",
        views.user_device_revoke,
        name="user_device_revoke",
    ),
    path(
        "backoffice/clienti/<int:pk>/dominio-sip/",
        views.customer_sip_domain,
        name="customer_sip_domain",
    ),
]
