from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "tinhso.gateway"
    label = "gateway"
    verbose_name = "Trục liên thông dữ liệu (LGSP)"

    def ready(self):
        # The platform indicator (gateway calls per day) joins the indicators engine's registry.
        from . import measures

        measures.register()
