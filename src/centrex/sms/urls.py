"""Pages of the SMS app, included at the site root: sending and history (R-T*), the admins'
usage (R-R1). The operators'
traceability export is the back office's (`backoffice:sms_traceability`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.sms import views as sending_views

app_name = "sms"
urlpatterns: list[URLPattern] = []

# Communicator > Invia SMS, SMS inviati (R-T1–T5, R-U6).
urlpatterns += [
    path("communicator/sms/", sending_views.compose, name="compose"),
    path("communicator/sms/contatore/", sending_views.counter, name="counter"),
    path(
        "communicator/sms/destinatari/",
        sending_views.recipients_check,
        name="recipients_check",
    ),
    path("communicator/sms/inviati/", sending_views.history, name="history"),
    path(
        "communicator/sms/inviati/export.csv",
        sending_views.history_export,
        name="history_export",
    ),
    path("communicator/sms/inviati/<int:pk>/", sending_views.message, name="message"),
    path(
        "communicator/sms/inviati/<int:pk>/stato/",
        sending_views.message_status,
        name="message_status",
    ),
]

# Communicator > Consumo SMS, for admins (R-R1, R-R2).
urlpatterns += [
    path("communicator/sms/consumo/", sending_views.usage, name="usage"),
    path("communicator/sms/consumo/export.csv", sending_views.usage_export, name="usage_export"),
]
