"""Open311 GeoReport v2 at /open311/v2/ (formats: .json and .xml)."""

from django.urls import path, re_path

from . import open311_views as views

app_name = "open311"
F = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    path("", views.root, name="root"),
    re_path(r"^discovery" + F, views.discovery, name="discovery"),
    re_path(r"^services" + F, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + F, views.service_definition, name="service"),
    re_path(r"^requests" + F, views.requests, name="requests"),
    re_path(r"^requests/(?P<code>[^/]+?)/updates" + F, views.request_updates, name="updates"),
    re_path(r"^requests/(?P<code>[^/]+?)" + F, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + F, views.token_detail, name="token"),
]
