from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("tu-dong-nghia/", views.synonym_list, name="synonyms"),
    path("tu-dong-nghia/<int:synonym_id>/", views.synonym_action, name="synonym_action"),
    path("<str:code>/", views.procedure_detail, name="detail"),
]
