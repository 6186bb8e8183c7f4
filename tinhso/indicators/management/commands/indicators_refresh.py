from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.indicators import rollups
from tinhso.indicators.selectors import default_unit, unit_by_code
from tinhso.indicators.services import computed_values_refresh, rank_all


class Command(BaseCommand):
    help = ("Tính lại bảng tổng hợp hồ sơ (toàn bộ, dùng sau khi nhập dữ liệu hàng loạt), các chỉ tiêu tính từ "
            "dữ liệu nghiệp vụ và bảng xếp hạng.")

    def add_arguments(self, parser):
        parser.add_argument("--unit", default="", help="Mã đơn vị gốc (mặc định: tỉnh của hệ thống)")
        parser.add_argument("--dirty-only", action="store_true",
                            help="Chỉ đếm lại các ô tổng hợp bị đánh dấu thay đổi (không dựng lại toàn bộ)")
        parser.add_argument("--no-rankings", action="store_true")

    def handle(self, *args, **options):
        try:
            root = unit_by_code(options["unit"]) if options["unit"] else default_unit()
            if options["dirty_only"]:
                self.stdout.write(f"Đã đếm lại các ô tổng hợp của {len(rollups.refresh_dirty())} ngày.")
            else:
                self.stdout.write(f"Đã dựng lại {rollups.rebuild()} dòng tổng hợp hồ sơ.")
            counts = computed_values_refresh(actor=None, root=root)
            self.stdout.write(f"Chỉ tiêu của {root.name}: {counts['created']} mới, {counts['new_versions']} phiên "
                              f"bản mới, {counts['updated']} cập nhật, {counts['unchanged']} không đổi.")
            if not options["no_rankings"]:
                for line in rank_all(actor=None, root=root):
                    self.stdout.write(line)
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
