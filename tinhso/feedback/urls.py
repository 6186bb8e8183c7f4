from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("gui/", views.report_submit, name="submit"),
    path("theo-doi/", views.report_track, name="track"),
    path("cua-toi/", views.mine, name="mine"),
    path("can-bo/", views.queue, name="queue"),
    path("can-bo/duong-day-nong/", views.hotline, name="hotline"),
    path("can-bo/<str:code>/", views.officer_detail, name="officer_detail"),
    path("<str:code>/", views.report_detail, name="detail"),
    path("<str:code>/thao-tac/", views.report_act, name="act"),
    path("<str:code>/anh/<int:photo_id>/", views.photo, name="photo"),
]
