"""Pages of the accounts app, included at the site root (Italian paths follow the manual's
menus: Area Clienti, Impostazioni > Utenti)."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.accounts import two_step_pages, views

app_name = "accounts"
urlpatterns: list[URLPattern] = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/codice/", two_step_pages.login_code, name="login_code"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "accounts/set-password/<str:uidb64>/<str:token>/",
        views.set_password,
        name="set_password",
    ),
    path("accounts/opzioni/", views.options, name="options"),
    path(
        "accounts/opzioni/token/<int:pk>/revoca/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path(
        "accounts/opzioni/verifica-in-due-passaggi/",
        two_step_pages.two_step,
        name="two_step",
    ),
    path("impostazioni/sicurezza/", two_step_pages.security, name="security"),
    path("impostazioni/registro/", views.activity, name="activity"),
    path("impostazioni/registro/export.csv", views.activity_export, name="activity_export"),
    path("accounts/lingua/", views.choose_language, name="language"),
    path("impostazioni/utenti/", views.user_list, name="user_list"),
    path("impostazioni/utenti/nuovo/", views.user_create, name="user_create"),
    path("impostazioni/utenti/importa/", views.user_import, name="user_import"),
    path(
        "impostazioni/utenti/importa/esempio.csv",
        views.user_import_example,
        name="user_import_example",
    ),
    path("impostazioni/utenti/<int:pk>/", views.user_edit, name="user_edit"),
    path("impostazioni/utenti/<int:pk>/disattiva/", views.user_deactivate, name="user_deactivate"),
    path("impostazioni/utenti/<int:pk>/riattiva/", views.user_reactivate, name="user_reactivate"),
    path(
        "impostazioni/utenti/<int:pk>/invito/",
        views.user_resend_invitation,
        name="user_resend_invitation",
    ),
    path(
        "impostazioni/utenti/<int:pk>/verifica/azzera/",
        two_step_pages.user_reset_two_step,
        name="user_reset_two_step",
    ),
]
