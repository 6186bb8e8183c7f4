from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.indicators.services import PUBLISHED_FIXTURE, published_load


class Command(BaseCommand):
    help = ("Nạp số liệu đã công bố trong các bài viết nguồn (Thái Bình, Thanh Hóa, Hà Giang, Quảng Ninh) "
            "vào các đơn vị lịch sử; chạy lại không tạo bản ghi trùng.")

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(PUBLISHED_FIXTURE))

    def handle(self, *args, **options):
        from pathlib import Path

        try:
            result = published_load(actor=None, path=Path(options["file"]))
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        self.stdout.write(f"Số liệu đã công bố: {result['created']} mới, {result['new_versions']} phiên bản mới, "
                          f"{result['unchanged']} không đổi; {result['targets']} mục tiêu.")
