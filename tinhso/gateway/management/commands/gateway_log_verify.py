from django.core.management.base import BaseCommand, CommandError

from tinhso.gateway.accesslog import access_log_verify


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của nhật ký truy cập trục liên thông (chuỗi băm có khóa)."

    def handle(self, *args, **options):
        checked, problem = access_log_verify()
        if problem:
            where = f"bản ghi số {problem.seq}" + (f" (id {problem.entry_id})" if problem.entry_id else "")
            raise CommandError(f"Nhật ký truy cập KHÔNG toàn vẹn tại {where}: {problem.reason}. "
                               f"Đã kiểm tra {checked} bản ghi hợp lệ trước đó.")
        self.stdout.write(f"Nhật ký truy cập toàn vẹn: {checked} bản ghi.")
