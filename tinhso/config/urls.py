from django.urls import include, path

from tinhso.api.api import api

urlpatterns = [
    path("", include("tinhso.core.urls")),
    path("don-vi/", include("tinhso.org.urls")),
    path("tai-khoan/", include("tinhso.accounts.urls")),
    path("nhat-ky/", include("tinhso.audit.urls")),
    path("api/v1/", api.urls),
]
