from django.urls import path

from . import views

app_name = "citizens"
urlpatterns = [
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/xac-nhan/", views.register_confirm, name="register_confirm"),
    path("quen-mat-khau/", views.reset, name="reset"),
    path("vneid/", views.eid_start, name="eid_start"),
    path("vneid/callback/", views.eid_callback, name="eid_callback"),
]
