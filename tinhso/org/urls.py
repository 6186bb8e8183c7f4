from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.unit_search, name="unit_search"),
    path("cay/", views.unit_tree, name="unit_tree"),
    path("co-quan/", views.agency_list, name="agency_list"),
    path("co-quan/xuat.csv", views.agency_export, name="agency_export"),
    path("co-quan/nhap/", views.agency_import, name="agency_import"),
    path("co-quan/them/", views.agency_create, name="agency_create"),
    path("co-quan/<str:identifier_code>/", views.agency_detail, name="agency_detail"),
    path("<str:code>/", views.unit_detail, name="unit_detail"),
]
