"""Support pages, included at the site root: full Italian paths, as the manual's menus. The
operators' pages of questions, under /backoffice/domande/, are the back office's."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.support import views

app_name = "support"
urlpatterns: list[URLPattern] = [
    path("impostazioni/aiuto/", views.help_page, name="help"),
    path("impostazioni/aiuto/domanda/", views.ask, name="ask"),
    path("impostazioni/aiuto/domanda/<int:pk>/", views.question_detail, name="question"),
    path("privacy/", views.privacy, name="privacy"),
]
