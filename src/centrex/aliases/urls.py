"""Pages of SMS sender aliases, included at the site root: the Communicator section of the
customer area (Italian paths, as the manual's menus) and the operators' alias pages under
/backoffice/alias/."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.aliases import views

app_name = "aliases"
urlpatterns: list[URLPattern] = [
    # Customer area: Communicator > Alias (manual §2–3)
    path("communicator/", views.communicator, name="communicator"),
    path("communicator/alias/", views.alias_list, name="alias_list"),
    path("communicator/alias/nuovo/", views.alias_create, name="alias_create"),
    path("communicator/alias/verifica/", views.alias_check, name="alias_check"),
    path("communicator/alias/<int:pk>/richiesta/", views.alias_submit, name="alias_submit"),
    path("communicator/alias/<int:pk>/elimina/", views.alias_delete, name="alias_delete"),
    path("communicator/regole-mittenti-sms/", views.alias_rules, name="rules"),
    # Back office (R-B1)
    path("backoffice/alias/", views.alias_queue, name="queue"),
    path("backoffice/alias/<int:pk>/", views.alias_review, name="review"),
    path("backoffice/alias/<int:pk>/approva/", views.alias_approve, name="approve"),
    path("backoffice/alias/<int:pk>/rifiuta/", views.alias_reject, name="reject"),
    path("backoffice/alias/<int:pk>/revoca/", views.alias_revoke, name="revoke"),
    path("backoffice/alias/<int:pk>/riprova/", views.alias_retry, name="retry"),
    path("backoffice/alias/parole/", views.alias_lists, name="lists"),
    path("backoffice/alias/parole/riservati/", views.reserved_name_add, name="reserved_add"),
    path(
        "backoffice/alias/parole/riservati/<int:pk>/rimuovi/",
        views.reserved_name_remove,
        name="reserved_remove",
    ),
    path("backoffice/alias/parole/generiche/", views.generic_word_add, name="generic_add"),
    path(
        "backoffice/alias/parole/generiche/<int:pk>/rimuovi/",
        views.generic_word_remove,
        name="generic_remove",
    ),
    path("backoffice/alias/impostazioni/", views.alias_settings, name="settings"),
    path("backoffice/alias/registro/", views.alias_audit, name="audit"),
    path("backoffice/alias/registro/export.csv", views.alias_audit_export, name="audit_export"),
]
