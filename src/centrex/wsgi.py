"""WSGI entry point for `centrex web`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrex.settings")
application = get_wsgi_application()

from centrex.core.memory import freeze_startup_objects  # noqa: E402 - needs Django set up

freeze_startup_objects()
