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
        # Any dossier write makes the II.06a rollup stale until it is rebuilt (dossiers.stats_rollup).
        from django.db.models.signals import post_delete

        from . import stats_rollup
        from .models import Dossier

        post_save.connect(stats_rollup.mark_stale, sender=Dossier, dispatch_uid="dossier_stat_rollup_save")
        post_delete.connect(stats_rollup.mark_stale, sender=Dossier, dispatch_uid="dossier_stat_rollup_delete")
