from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("xep-hang/", views.rankings, name="rankings"),
    path("xep-hang/co-quan/", views.agency_rankings, name="agency_rankings"),
    path("chi-so/<str:code>/", views.indicator_detail, name="indicator"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit"),
    path("co-quan/<str:identifier_code>/", views.agency_detail, name="agency"),
]
