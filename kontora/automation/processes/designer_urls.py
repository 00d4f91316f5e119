"""Template administration and the process designer (administrators)."""

from django.urls import path

from kontora.automation.processes.views import designer, templates

urlpatterns = [
    path("", templates.process_templates, name="process_templates"),
    path("import/", templates.process_import, name="process_import"),
    path("install/", templates.process_install, name="process_install"),
    path("new/", designer.process_new, name="process_new"),
    path("element/", designer.process_element, name="process_element"),
    path("<int:pk>/designer/", designer.process_designer, name="process_designer"),
    path("<int:pk>/export/", templates.process_export, name="process_export"),
    path("<int:pk>/switch/", templates.process_switch, name="process_switch"),
    path("<int:pk>/delete/", templates.process_delete, name="process_delete"),
]
