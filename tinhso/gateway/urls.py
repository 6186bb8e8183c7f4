from django.urls import path
from oauth2_provider import views as oauth2_views

from . import views

app_name = "gateway"
urlpatterns = [
    # OAuth2 (django-oauth-toolkit): only what client systems need — the client-credentials token endpoint,
    # revocation and introspection. Applications are registered by the gateway's own pages, not DOT's.
    path("o/token/", oauth2_views.TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="oauth2-revoke"),
    path("o/introspect/", oauth2_views.IntrospectTokenView.as_view(), name="oauth2-introspect"),
    path("", views.home, name="home"),
    path("he-thong/", views.client_list, name="client_list"),
    path("he-thong/<int:pk>/", views.client_detail, name="client_detail"),
    path("he-thong/<int:pk>/gioi-han/", views.client_limits, name="client_limits"),
    path("he-thong/<int:pk>/dich-vu/", views.client_grant, name="client_grant"),
    path("he-thong/<int:pk>/xac-thuc/", views.client_credentials, name="client_credentials"),
    path("he-thong/<int:pk>/yeu-cau/", views.client_request_access, name="client_request_access"),
    path("he-thong/<int:pk>/webhook/", views.client_webhook, name="client_webhook"),
    path("yeu-cau/", views.request_list, name="request_list"),
    path("yeu-cau/<int:pk>/quyet-dinh/", views.request_decide, name="request_decide"),
    path("nhat-ky/", views.access_log, name="access_log"),
    path("ket-noi/", views.outbox, name="outbox"),
    path("webhook/<int:pk>/", views.webhook_log, name="webhook_log"),
]
