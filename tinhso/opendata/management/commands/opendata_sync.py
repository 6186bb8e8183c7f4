from django.core.management.base import BaseCommand

from tinhso.opendata.services import datasets_sync


class Command(BaseCommand):
    help = "Tạo bộ dữ liệu mở (chưa công bố) cho mỗi nguồn mới đăng ký; cập nhật phạm vi thời gian, không gian."

    def add_arguments(self, parser):
        parser.add_argument("--publish", action="store_true", help="Công bố mọi bộ dữ liệu (dùng cho bản demo).")

    def handle(self, *args, publish=False, **options):
        counts = datasets_sync(actor=None)
        if publish:
            from tinhso.opendata.services import dataset_publish_all

            counts["published"] = dataset_publish_all(actor=None)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
