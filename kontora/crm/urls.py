from kontora.crm.views import cards, fields, kanban, lists, pipelines, products

app_name = "crm"

urlpatterns = [
    *kanban.urlpatterns,
    *cards.urlpatterns,
    *lists.urlpatterns,
    *pipelines.urlpatterns,
    *products.urlpatterns,
    *fields.urlpatterns,
]
