"""URL map: pages by app (Italian paths, as the manual's menus), the API at /api/v1/."""

from django.contrib import admin
from django.urls import include, path, re_path

from centrex.accounts import views as accounts_views
from centrex.accounts.access import require_customer_admin
from centrex.api import api
from centrex.core import views as core_views
from centrex.core.pages import page_for
from centrex.customers.urls import admin_pages as customers_admin_pages

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("", include("centrex.accounts.urls")),
    # customers stands below accounts: its pages get the admin guard here (customers/urls.py).
    path("", include(customers_admin_pages(page_for(require_customer_admin)))),
    path("", include("centrex.support.urls")),
    path("", include("centrex.aliases.urls")),
    path("", include("centrex.verification.urls")),
    path("", include("centrex.senders.urls")),
    path("", include("centrex.sms.urls")),
    path("", include("centrex.smsc.urls")),
    path("", include("centrex.communicator.urls")),
    path("", include("centrex.dashboards.urls")),
    path("backoffice/", include("centrex.backoffice.urls")),
    path("dev/inbox/", include("centrex.devinbox.urls")),
    path("api/v1/", api.urls),
    # Anything else under /api/ answers problem+json, not an HTML page.
    re_path(r"^api/", core_views.api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
