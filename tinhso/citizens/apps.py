from django.apps import AppConfig


class CitizensConfig(AppConfig):
    """Citizens' own way in: self-registration and password reset with a one-time code sent by SMS or e-mail,
    and login with the national e-ID (VNeID) as an OpenID Connect relying party."""

    name = "tinhso.citizens"
    label = "citizens"
    verbose_name = "Tài khoản công dân"

    def ready(self):
        from .codes import register_kinds

        register_kinds()
