from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("bao-cao/", views.report_list, name="report_list"),
    path("bao-cao/lap/", views.report_create, name="report_create"),
    path("bao-cao/<int:report_id>/", views.report_detail, name="report_detail"),
    path("bao-cao/<int:report_id>/minh-chung/<int:evidence_id>/", views.evidence_download,
         name="evidence_download"),
    path("ky-bao-cao/<int:period_id>/", views.period_completeness, name="period_completeness"),
]
