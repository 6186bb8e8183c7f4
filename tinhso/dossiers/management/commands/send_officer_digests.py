from django.core.management.base import BaseCommand
from django.db import transaction

from tinhso.dossiers.notices import officer_digest_send


class Command(BaseCommand):
    help = "Gửi tin tổng hợp hồ sơ sắp đến hạn, quá hạn cho cán bộ xử lý (chạy hằng ngày, ví dụ bằng cron)."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = officer_digest_send()
        self.stdout.write(f"Đã gửi tin tổng hợp cho {count} cán bộ.")
