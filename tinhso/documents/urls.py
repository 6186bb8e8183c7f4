from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("moi/", views.document_new, name="new"),
    path("nhap-edxml/", views.document_import, name="import"),
    path("kiem-tra-chu-ky/", views.verify, name="verify"),
    path("<int:document_id>/", views.document_detail, name="detail"),
    path("<int:document_id>/thao-tac/", views.document_act, name="act"),
    path("<int:document_id>/tep/<int:file_id>/", views.document_file, name="file"),
]
