from kontora.crm.views import cards, kanban, lists, pipelines

app_name = "crm"

urlpatterns = [*kanban.urlpatterns, *cards.urlpatterns, *lists.urlpatterns, *pipelines.urlpatterns]
