from django.core.management.base import BaseCommand, CommandError

from tinhso.audit.services import audit_rekey


class Command(BaseCommand):
    help = ("Chuyển chuỗi nhật ký ghi trước khi có khóa kiểm toán sang chuỗi có khóa (HMAC): "
            "kiểm tra chuỗi cũ rồi ký lại từng sự kiện. Chạy một lần sau khi nâng cấp.")

    def handle(self, *args, **options):
        try:
            count = audit_rekey()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Đã ký lại {count} sự kiện bằng khóa kiểm toán. Hãy lưu đầu chuỗi mới: tinhso audit head")
