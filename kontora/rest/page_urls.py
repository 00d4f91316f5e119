"""Pages of the REST app: OAuth, settings and docs (included by kontora/rest/urls.py ahead of the method patterns)."""

from django.urls import path

from kontora.rest import oauth, pages

app_name = "rest"

urlpatterns = [
    path("oauth/authorize/", oauth.authorize, name="oauth_authorize"),
    path("oauth/token/", oauth.token, name="oauth_token"),
    path("settings/rest/", pages.settings_page, name="settings"),
    path("settings/rest/<slug:action>/", pages.settings_action, name="settings_action"),
    path("rest/docs/", pages.docs_index, name="docs"),
    path("rest/docs/openapi.json", pages.openapi_json, name="openapi"),
    path("rest/docs/<str:name>/", pages.docs_method, name="docs_method"),
]
