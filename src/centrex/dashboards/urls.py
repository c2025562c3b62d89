"""The Area Clienti's home page (issue 14), at the path the manual and the bookmarks know."""

from __future__ import annotations

from django.urls import URLPattern, path

from centrex.dashboards import views

app_name = "dashboards"
urlpatterns: list[URLPattern] = [
    path("area-clienti/", views.customer_home, name="customer_home"),
]
