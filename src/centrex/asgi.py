"""ASGI entry point (an alternative to WSGI for deployments that prefer it)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrex.settings")
application = get_asgi_application()
