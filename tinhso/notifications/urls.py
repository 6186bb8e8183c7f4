from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/mo/", views.open_notification, name="open"),
    path("doc-het/", views.mark_all_read, name="mark_all_read"),
    path("cai-dat/", views.preferences, name="preferences"),
    path("huy-nhan/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mau/", views.template_list, name="template_list"),
    path("mau/<str:kind>/<str:channel>/", views.template_edit, name="template_edit"),
    path("nhat-ky-gui/", views.delivery_log, name="delivery_log"),
]
