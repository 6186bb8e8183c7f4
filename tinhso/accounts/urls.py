from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    path("xac-minh-dinh-danh/", views.citizen_id_verify, name="citizen_id_verify"),
]
