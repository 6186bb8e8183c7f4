from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.org import services


class Command(BaseCommand):
    help = ("Nạp (hoặc cập nhật) danh mục đơn vị hành chính chính thức: 34 tỉnh, 3.321 xã hiện hành theo danh mục "
            "của Tổng cục Thống kê (Công văn 1027/CTK-CSCL) và các đơn vị trước 01/07/2025. Cơ sở dữ liệu đã nạp "
            "mã dự thảo được đổi mã tại chỗ; hồ sơ, cơ quan, tài khoản vẫn trỏ đúng đơn vị.")

    def add_arguments(self, parser):
        parser.add_argument("--no-historical", action="store_true", help="Chỉ nạp đơn vị hiện hành")

    def handle(self, *args, no_historical=False, **options):
        try:
            current = services.units_load_official(actor=None)
            self.stdout.write(f"Đơn vị hiện hành: {current['total']} ({current['created']} mới, "
                              f"{current['updated']} cập nhật, {current['rekeyed']} đổi mã theo danh mục chính thức).")
            if not no_historical:
                historical = services.units_load_historical(actor=None)
                self.stdout.write(f"Đơn vị trước 01/07/2025: {historical['created']} mới.")
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
