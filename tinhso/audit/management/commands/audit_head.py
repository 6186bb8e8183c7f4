from django.core.management.base import BaseCommand

from tinhso.audit.services import audit_head


class Command(BaseCommand):
    help = ("In đầu chuỗi nhật ký kiểm toán (SỐ_SỰ_KIỆN:MÃ_BĂM) để công bố hoặc lưu nơi khác; "
            "đối chiếu sau bằng `tinhso audit verify --head ...`.")

    def handle(self, *args, **options):
        count, digest = audit_head()
        self.stdout.write(f"{count}:{digest}")
