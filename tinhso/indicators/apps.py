from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "tinhso.indicators"
    label = "indicators"
    verbose_name = "Chỉ số chuyển đổi số"

    def ready(self):
        # The measured apps never import indicators: the rollups listen to dossier saves from here.
        from . import rollups

        rollups.connect_signals()
