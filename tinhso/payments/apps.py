from django.apps import AppConfig

# The timeline labels of the events this app writes on a dossier (shown by dossiers.selectors.dossier_history).
EVENT_LABELS = {
    "fee_bill_issued": "Thông báo phí, lệ phí",
    "fee_bill_adjusted": "Điều chỉnh phí, lệ phí",
    "fee_paid": "Đã nộp phí, lệ phí",
    "fee_payment_held": "Giao dịch thanh toán chờ xem xét",
    "fee_bill_cancelled": "Hủy hóa đơn phí, lệ phí",
    "fee_refund_recorded": "Ghi nhận hoàn trả phí, lệ phí",
}


class PaymentsConfig(AppConfig):
    name = "tinhso.payments"
    label = "payments"
    verbose_name = "Phí, lệ phí và thanh toán"

    def ready(self):
        # Dossiers never import payments: bills follow the dossier's events (post_save, like dossiers.notices),
        # and "a pay-first dossier is processed once paid" is a guard registered with the dossier services.
        from django.db.models.signals import post_save

        from tinhso.dossiers import services as dossier_services
        from tinhso.dossiers import workflow
        from tinhso.dossiers.models import DossierEvent

        from . import notices, services

        notices.register_kinds()
        post_save.connect(services.on_dossier_event, sender=DossierEvent, dispatch_uid="payments_dossier_events")
        dossier_services.transition_guard_register(services.pay_first_guard)
        for action, label in EVENT_LABELS.items():
            workflow.EVENT_LABELS.setdefault(action, label)
