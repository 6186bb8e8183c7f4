from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.index, name="index"),
    path("hd/<str:token>/", views.bill, name="bill"),
    path("hd/<str:token>/bien-lai/<str:reference>.pdf", views.receipt, name="receipt"),
    path("vnpay/tra-ve/", views.vnpay_return, name="vnpay_return"),
    path("mo-phong-vnpay/", views.simulated_gateway, name="simulator"),
    path("hoa-don/<int:bill_id>/", views.manage, name="manage"),
    path("hoa-don/<int:bill_id>/dieu-chinh/", views.adjust, name="adjust"),
    path("hoa-don/<int:bill_id>/thu-tai-quay/", views.counter, name="counter"),
    path("xem-xet/", views.held, name="held"),
    path("doi-soat/", views.reconcile, name="reconcile"),
    path("doi-soat/<int:run_id>/", views.reconciliation_detail, name="reconciliation"),
]
