from django.core.management.base import BaseCommand

from tinhso.notifications.services import notifications_sweep


class Command(BaseCommand):
    help = "Đưa lại vào hàng đợi các thông báo đang chờ gửi đã đến lượt thử lại."

    def handle(self, *args, **options):
        count = notifications_sweep()
        self.stdout.write(f"Đã đưa {count} thông báo vào hàng đợi gửi.")
