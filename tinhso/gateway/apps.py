from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "tinhso.gateway"
    label = "gateway"
    verbose_name = "Trục liên thông dữ liệu (LGSP)"
