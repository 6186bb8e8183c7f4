from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ một cửa"

    def ready(self):
        # Applicants are told when their dossier moves: every recorded event goes through dossiers.notices
        # (a post_save hook because events are created in several services; bulk imports send none).
        from django.db.models.signals import post_save

        from . import notices
        from .models import DossierEvent

        notices.register_kinds()
        post_save.connect(notices.on_event_saved, sender=DossierEvent, dispatch_uid="dossier_event_notices")
        # Every dossier save or delete updates the one dossier rollup in its transaction (dossiers.stats_rollup).
        from . import stats_rollup

        stats_rollup.connect_signals()
