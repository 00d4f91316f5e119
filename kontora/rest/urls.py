from django.urls import include, path, re_path

from kontora.rest import views

METHOD = r"(?P<method>[A-Za-z][\w.]*?)(?:\.(?P<fmt>json|xml))?/?"

urlpatterns = [
    path("", include("kontora.rest.page_urls")),  # OAuth, settings and docs: before the catch-all method pattern
    re_path(rf"^rest/(?P<user_id>\d+)/(?P<code>[\w-]+)/{METHOD}$", views.call_method, name="rest_webhook"),
    re_path(rf"^rest/{METHOD}$", views.call_method, name="rest_oauth"),
]
