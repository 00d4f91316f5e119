from django.conf import settings
from django.urls import include, path

from kontora.web.views import media_file

urlpatterns = [
    path("", include("kontora.rest.urls")),
    path("", include("kontora.web.urls")),
    path("", include("kontora.accounts.urls")),
    path("crm/", include("kontora.crm.urls")),
    path("tasks/", include("kontora.tasks.urls")),
    path("timeman/", include("kontora.timeman.urls")),
    path("lists/", include("kontora.lists.urls")),
    path("automation/", include("kontora.automation.urls")),
    path("analytics/", include("kontora.analytics.urls")),
]

if not settings.STORAGES["default"]["BACKEND"].startswith("storages."):
    # Embedded mode keeps uploads on disk and serves them itself.
    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(path(f"{media}<path:path>", media_file, name="media"))
