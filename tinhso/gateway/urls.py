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
]
