from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "tinhso.gateway"
    label = "gateway"
    verbose_name = "Trục liên thông dữ liệu (LGSP)"

    def ready(self):
        # The platform indicator (gateway calls per day) joins the indicators engine's registry.
        from . import measures

        measures.register()
        # The gateway sits above dossiers, feedback, documents and org, so it may listen to them: their events feed
        # the webhooks, dossier status changes the national-portal connector, agency saves the shared-catalogue one.
        from django.db.models.signals import post_save

        from tinhso.dossiers.models import DossierEvent
        from tinhso.org.models import Agency

        from . import connectors, webhooks

        webhooks.connect_signals()  # dossier, feedback and document events
        post_save.connect(connectors.on_dossier_event_saved, sender=DossierEvent,
                          dispatch_uid="gateway_connector_dvcqg")
        post_save.connect(connectors.on_agency_saved, sender=Agency, dispatch_uid="gateway_connector_catalogue")
