from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("", views.home, name="home"),
    path("nop/", views.go_submit, name="go_submit"),
    path("nop/<str:procedure_code>/", views.submit, name="submit"),
    path("tra-cuu/", views.track, name="track"),
    path("cua-toi/", views.mine, name="mine"),
    path("xu-ly/", views.queue, name="queue"),
    path("tiep-nhan/", views.counter, name="counter"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/phieu-tiep-nhan/", views.receipt, name="receipt"),
    path("<str:code>/thao-tac/", views.act, name="act"),
    path("<str:code>/danh-gia/", views.rate, name="rate"),
    path("<str:code>/tep/<int:attachment_id>/", views.attachment, name="attachment"),
]
