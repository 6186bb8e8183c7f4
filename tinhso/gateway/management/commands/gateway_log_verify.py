from django.core.management.base import BaseCommand, CommandError

from tinhso.gateway.accesslog import access_log_seal, access_log_verify, unsealed_count


class Command(BaseCommand):
    help = ("Kiểm tra tính toàn vẹn của nhật ký truy cập trục liên thông (chuỗi băm có khóa); các bản ghi chưa "
            "niêm phong được báo riêng.")

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true",
                            help="Niêm phong các bản ghi đang chờ vào chuỗi băm trước khi kiểm tra.")

    def handle(self, *args, **options):
        if options["seal"]:
            sealed = access_log_seal()
            self.stdout.write(f"Đã niêm phong {sealed} bản ghi đang chờ.")
        checked, problem = access_log_verify()
        pending = unsealed_count()
        if problem:
            where = f"bản ghi số {problem.seq}" + (f" (id {problem.entry_id})" if problem.entry_id else "")
            raise CommandError(f"Nhật ký truy cập KHÔNG toàn vẹn tại {where}: {problem.reason}. "
                               f"Đã kiểm tra {checked} bản ghi hợp lệ trước đó; {pending} bản ghi chưa niêm phong.")
        self.stdout.write(f"Nhật ký truy cập toàn vẹn: {checked} bản ghi đã niêm phong.")
        if pending:
            self.stdout.write(f"Chưa niêm phong: {pending} bản ghi (chưa nằm trong chuỗi băm nên chưa kiểm tra "
                              "được; chạy lại với --seal để niêm phong rồi kiểm tra).")
