from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "tinhso.opendata"
    label = "opendata"
    verbose_name = "Dữ liệu mở"
