from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tinhso.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self):
        from . import scoping

        scoping.connect_signals()  # a role or org-tree change clears the per-process scope cache
