"""Mounted at /api/3/action/ and /api/action/ (the CKAN Action API's two addresses)."""

from django.urls import path

from . import ckan_views

urlpatterns = [
    path("<str:name>", ckan_views.action, name="ckan_action"),
]
