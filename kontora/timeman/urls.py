from django.urls import path

from kontora.timeman import views

app_name = "timeman"
urlpatterns = [
    path("absences/", views.absences, name="absences"),
    path("absences/<int:pk>/delete/", views.delete, name="delete"),
]
