"""Pages people see of running processes: the approvals inbox, instances, starting from a card."""

from django.urls import path

from kontora.automation.processes.views import inbox, instances, start

urlpatterns = [
    path("approvals/", inbox.approvals, name="approvals"),
    path("approvals/<int:pk>/", inbox.approval, name="approval"),
    path("instances/", instances.instance_list, name="process_instances"),
    path("instances/<int:pk>/", instances.instance, name="process_instance"),
    path("start/<str:document_type>/<int:document_pk>/", start.choose, name="process_choose"),
    path("start/<int:template_pk>/<str:document_type>/<int:document_pk>/", start.start, name="process_start"),
]
