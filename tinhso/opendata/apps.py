from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "tinhso.opendata"
    label = "opendata"
    verbose_name = "Dữ liệu mở"

    def ready(self):
        # Import every registered source module (registry.py explains how a domain adds its own).
        from . import registry

        registry.load_modules()
