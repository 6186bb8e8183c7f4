from django.core.management.base import BaseCommand

from tinhso.gateway.connectors import outbox_sweep
from tinhso.gateway.webhooks import webhooks_sweep


class Command(BaseCommand):
    help = ("Đưa vào hàng đợi các lượt gửi webhook và kết nối ra ngoài đã đến hạn (chạy định kỳ, ví dụ mỗi phút, "
            "và sau khi khởi động lại).")

    def handle(self, *args, **options):
        subscriptions = webhooks_sweep()
        connectors = outbox_sweep()
        self.stdout.write(f"Webhook: {subscriptions} đăng ký; kết nối ra ngoài: {connectors} bộ kết nối.")
