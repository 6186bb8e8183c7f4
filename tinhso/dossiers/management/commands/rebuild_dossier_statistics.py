"""`tinhso manage rebuild_dossier_statistics`: recompute the II.06a rollup from the dossiers."""

import time

from django.core.management.base import BaseCommand

from tinhso.core.numbers import vn_number
from tinhso.dossiers.stats_rollup import rollup_rebuild


class Command(BaseCommand):
    help = "Tính lại bảng tổng hợp thống kê hồ sơ (Biểu II.06a) từ dữ liệu hồ sơ."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = rollup_rebuild()
        self.stdout.write(f"Đã tính lại {vn_number(rows)} dòng tổng hợp trong "
                          f"{vn_number(time.perf_counter() - started)} giây.")
