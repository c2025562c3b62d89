"""The operators' back office pages, at /backoffice/ (R-B1)."""

from django.urls import path

from centrex.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("clienti/", views.customer_list, name="customer_list"),
    path("clienti/nuovo/", views.customer_create, name="customer_create"),
    path("clienti/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("clienti/<int:pk>/modifica/", views.customer_edit, name="customer_edit"),
    path("clienti/<int:pk>/stato/", views.customer_set_active, name="customer_set_active"),
    path("clienti/<int:pk>/interni/", views.extension_list, name="extension_list"),
    path("clienti/<int:pk>/interni/aggiungi/", views.extension_add, name="extension_add"),
    path(
        "clienti/<int:pk>/interni/intervallo/",
        views.extension_add_range,
        name="extension_add_range",
    ),
    path("clienti/<int:pk>/interni/importa/", views.extension_import, name="extension_import"),
    path(
        "clienti/<int:pk>/interni/<int:extension_pk>/rimuovi/",
        views.extension_remove,
        name="extension_remove",
    ),
    path("clienti/<int:pk>/utenti/nuovo/", views.user_create, name="user_create"),
    path("clienti/<int:pk>/utenti/<int:user_pk>/", views.user_edit, name="user_edit"),
    path(
        "clienti/<int:pk>/utenti/<int:user_pk>/invito/",
        views.user_resend_invitation,
        name="user_resend_invitation",
    ),
    path("registro/", views.audit_list, name="audit_list"),
    path("registro/export.csv", views.audit_export, name="audit_export"),
]
