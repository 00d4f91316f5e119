from kontora.tasks.views import card, gantt, lists, projects, reports, templates

app_name = "tasks"

urlpatterns = [
    *lists.urlpatterns,
    *card.urlpatterns,
    *gantt.urlpatterns,
    *projects.urlpatterns,
    *templates.urlpatterns,
    *reports.urlpatterns,
]
