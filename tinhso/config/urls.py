from django.urls import include, path

from tinhso.api.api import api

urlpatterns = [
    path("", include("tinhso.core.urls")),
    path("don-vi/", include("tinhso.org.urls")),
    path("thu-tuc/", include("tinhso.procedures.urls")),
    path("ho-so/", include("tinhso.dossiers.urls")),
    path("van-ban/", include("tinhso.documents.urls")),
    path("tai-khoan/", include("tinhso.accounts.urls")),
    path("cong-dan/", include("tinhso.citizens.urls")),
    path("nhat-ky/", include("tinhso.audit.urls")),
    path("thong-bao/", include("tinhso.notifications.urls")),
    path("thong-ke/", include("tinhso.dossiers.stats_urls")),
    path("chi-so/", include("tinhso.indicators.urls")),
    path("dashboard/", include("tinhso.dashboard.urls")),
    path("hoi-dap/", include("tinhso.assistant.urls")),
    path("phan-anh/", include("tinhso.feedback.urls")),
    path("thanh-toan/", include("tinhso.payments.urls")),
    path("du-lieu-mo/", include("tinhso.opendata.urls")),
    path("lien-thong/", include("tinhso.gateway.urls")),
    path("open311/v2/", include("tinhso.feedback.open311_urls")),
    path("api/3/action/", include("tinhso.opendata.ckan_urls")),
    path("api/action/", include("tinhso.opendata.ckan_urls")),
    path("api/v1/", api.urls),
]
