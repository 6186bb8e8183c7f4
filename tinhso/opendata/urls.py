from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalog.<str:fmt>", views.catalogue_rdf, name="catalogue_rdf"),
    path("quan-tri/", views.manage, name="manage"),
    path("quan-tri/dong-bo/", views.manage_sync, name="manage_sync"),
    path("quan-tri/<slug:slug>/cong-bo/", views.manage_publish, name="manage_publish"),
    path("quan-tri/<slug:slug>/sua/", views.manage_edit, name="manage_edit"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
    path("<slug:slug>/tai-ve.<str:fmt>", views.download, name="download"),
    path("<slug:slug>/dcat.<str:fmt>", views.dataset_rdf, name="dataset_rdf"),
]
