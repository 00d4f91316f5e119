from django.urls import path

from kontora.lists import views

app_name = "lists"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.list_new, name="list_new"),
    path("<slug:code>/", views.elements, name="elements"),
    path("<slug:code>/settings/", views.list_settings, name="settings"),
    path("<slug:code>/fields/<int:pk>/", views.field_edit, name="field_edit"),
    path("<slug:code>/new/", views.element_new, name="element_new"),
    path("<slug:code>/<int:pk>/", views.element, name="element"),
    path("<slug:code>/<int:pk>/edit/", views.element_edit, name="element_edit"),
    path("<slug:code>/<int:pk>/files/<slug:field_code>/<int:index>/", views.element_file, name="file"),
]
