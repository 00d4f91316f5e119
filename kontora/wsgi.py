"""WSGI entry point for pages and REST in distributed mode."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontora.settings")

application = get_wsgi_application()
