"""The operators' back office pages, at /backoffice/ (R-B1): customers, their extensions and
users, the alias queue and its decisions, the alias word lists, the two audit trails, the
customers' support questions, SMS traceability and usage. The paths are the operators' bookmarks: they do not change."""

from django.urls import URLPattern, path

from centrex.backoffice.views import (
    aliases,
    audit,
    customers,
    dashboard,
    extensions,
    support,
    traceability,
    usage,
    users,
    wordlists,
)

app_name = "backoffice"
urlpatterns: list[URLPattern] = [
    path("", dashboard.dashboard, name="dashboard"),
    # Customers (R-C*), their extensions (R-U1) and users (R-U3–U7)
    path("clienti/", customers.customer_list, name="customer_list"),
    path("clienti/nuovo/", customers.customer_create, name="customer_create"),
    path("clienti/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("clienti/<int:pk>/modifica/", customers.customer_edit, name="customer_edit"),
    path("clienti/<int:pk>/stato/", customers.customer_set_active, name="customer_set_active"),
    path("clienti/<int:pk>/interni/", extensions.extension_list, name="extension_list"),
    path("clienti/<int:pk>/interni/aggiungi/", extensions.extension_add, name="extension_add"),
    path(
        "clienti/<int:pk>/interni/intervallo/",
        extensions.extension_add_range,
        name="extension_add_range",
    ),
    path("clienti/<int:pk>/interni/importa/", extensions.extension_import, name="extension_import"),
    path(
        "clienti/<int:pk>/interni/<int:extension_pk>/rimuovi/",
        extensions.extension_remove,
        name="extension_remove",
    ),
    path("clienti/<int:pk>/utenti/nuovo/", users.user_create, name="user_create"),
    path("clienti/<int:pk>/utenti/<int:user_pk>/", users.user_edit, name="user_edit"),
    path(
        "clienti/<int:pk>/utenti/<int:user_pk>/invito/",
        users.user_resend_invitation,
        name="user_resend_invitation",
    ),
    path(
        "clienti/<int:pk>/utenti/<int:user_pk>/verifica/azzera/",
        users.user_reset_two_step,
        name="user_reset_two_step",
    ),
    # Aliases: the queue, the review and the decisions (R-A8–A10)
    path("alias/", aliases.alias_queue, name="alias_queue"),
    path("alias/<int:pk>/", aliases.alias_review, name="alias_review"),
    path("alias/<int:pk>/approva/", aliases.alias_approve, name="alias_approve"),
    path("alias/<int:pk>/rifiuta/", aliases.alias_reject, name="alias_reject"),
    path("alias/<int:pk>/revoca/", aliases.alias_revoke, name="alias_revoke"),
    path("alias/<int:pk>/riprova/", aliases.alias_retry, name="alias_retry"),
    # The alias word lists (R-A4b) and the character-set setting (R-A1)
    path("alias/parole/", wordlists.alias_lists, name="alias_lists"),
    path(
        "alias/parole/riservati/",
        wordlists.entry_add,
        {"word_list": wordlists.RESERVED_NAME_LIST},
        name="alias_reserved_add",
    ),
    path(
        "alias/parole/riservati/<int:pk>/rimuovi/",
        wordlists.entry_remove,
        {"word_list": wordlists.RESERVED_NAME_LIST},
        name="alias_reserved_remove",
    ),
    path(
        "alias/parole/generiche/",
        wordlists.entry_add,
        {"word_list": wordlists.GENERIC_WORD_LIST},
        name="alias_generic_add",
    ),
    path(
        "alias/parole/generiche/<int:pk>/rimuovi/",
        wordlists.entry_remove,
        {"word_list": wordlists.GENERIC_WORD_LIST},
        name="alias_generic_remove",
    ),
    path("alias/impostazioni/", wordlists.alias_settings, name="alias_settings"),
    # The audit trails
    path("alias/registro/", audit.alias_audit, name="alias_audit"),
    path("alias/registro/export.csv", audit.alias_audit_export, name="alias_audit_export"),
    path("registro/", audit.audit_list, name="audit_list"),
    path("registro/export.csv", audit.audit_export, name="audit_export"),
    # Support questions (R-U8)
    path("domande/", support.question_list, name="question_list"),
    path("domande/<int:pk>/", support.question_detail, name="question_detail"),
    # SMS traceability (R-S4)
    path("sms/tracciabilita/", traceability.sms_traceability, name="sms_traceability"),
    path(
        "sms/tracciabilita/export.csv",
        traceability.sms_traceability_export,
        name="sms_traceability_export",
    ),
    # SMS usage by customer, for billing (R-R1)
    path("sms/consumo/", usage.usage, name="sms_usage"),
    path("sms/consumo/export.csv", usage.usage_export, name="sms_usage_export"),
]
