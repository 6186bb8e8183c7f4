from django.urls import path

from . import stats_views

app_name = "statistics"
urlpatterns = [
    path("", stats_views.statistics_page, name="dossiers"),
    path("bieu-II.06a.xlsx", stats_views.statistics_download, name="dossiers_xlsx"),
    path("bieu-II.06a.csv", stats_views.statistics_download_csv, name="dossiers_csv"),
]
