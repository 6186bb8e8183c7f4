from django.urls import path

from . import views

app_name = "assistant"
urlpatterns = [
    path("", views.ask, name="ask"),
    path("danh-gia/<uuid:question_id>/", views.rate, name="rate"),
]
