from django.core.management.base import BaseCommand, CommandError

from tinhso.audit.services import audit_verify


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn chuỗi băm của nhật ký kiểm toán."

    def handle(self, *args, **options):
        checked, problem = audit_verify()
        if problem:
            where = f"sự kiện số {problem.seq}" + (f" (id {problem.event_id})" if problem.event_id else "")
            raise CommandError(f"Nhật ký kiểm toán KHÔNG toàn vẹn: {where}: {problem.reason}. "
                               f"Đã kiểm tra đúng {checked} sự kiện trước đó.")
        self.stdout.write(f"Nhật ký kiểm toán toàn vẹn: {checked} sự kiện, chuỗi băm khớp.")
