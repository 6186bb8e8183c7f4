from django.core.management.base import BaseCommand

from tinhso.indicators.services import definitions_load


class Command(BaseCommand):
    help = "Nạp định nghĩa chỉ tiêu, mục tiêu chung, biểu báo cáo và các bộ chỉ số (chạy lại không sao)."

    def handle(self, *args, **options):
        result = definitions_load(actor=None)
        self.stdout.write(f"Đã nạp {result['indicators']} chỉ tiêu, {result['frameworks']} bộ chỉ số.")
