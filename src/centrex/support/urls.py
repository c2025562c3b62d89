"""Support pages, included at the site root: full Italian paths, as the manual's menus."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.support import views

app_name = "support"
urlpatterns: list[URLPattern] = [
    path("impostazioni/aiuto/", views.help_page, name="help"),
    path("impostazioni/aiuto/domanda/", views.ask, name="ask"),
    path("impostazioni/aiuto/domanda/<int:pk>/", views.question_detail, name="question"),
    path("privacy/", views.privacy, name="privacy"),
    path("backoffice/domande/", views.operator_questions, name="operator_questions"),
    path("backoffice/domande/<int:pk>/", views.operator_question, name="operator_question"),
]
