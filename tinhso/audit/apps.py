from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tinhso.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm toán"

    def ready(self):
        from . import signals  # noqa: F401  (login success / failure are audited)
