"""Pages of SMS sender aliases, included at the site root: the Communicator section of the
customer area (Italian paths, as the manual's menus). The operators' alias pages, under
/backoffice/alias/, are the back office's (`centrex.backoffice.urls`)."""

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
]
