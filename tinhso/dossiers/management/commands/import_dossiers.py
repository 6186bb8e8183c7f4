"""`tinhso import dossiers FILE`: dossier history from an old system (.csv or .jsonl), all rows or none."""

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError, ImportFailed
from tinhso.core.numbers import vn_number
from tinhso.dossiers.importing import dossiers_import_file


class Command(BaseCommand):
    help = "Nhập lịch sử hồ sơ từ hệ thống cũ (.csv hoặc .jsonl); lỗi báo theo số dòng, nhập tất cả hoặc không."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .csv hoặc .jsonl")

    def handle(self, *args, file, **options):
        try:
            result = dossiers_import_file(actor=None, path=file)
        except ImportFailed as exc:
            raise CommandError(exc.report()) from exc
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        rate = result.rows / result.seconds if result.seconds else 0
        self.stdout.write(f"Đã nhập {vn_number(result.rows)} hồ sơ ({vn_number(result.created)} mới, "
                          f"{vn_number(result.updated)} cập nhật, {vn_number(result.unchanged)} không đổi) "
                          f"trong {vn_number(result.seconds)} giây (~{vn_number(round(rate))} dòng/giây). "
                          f"SHA-256: {result.sha256}")
        if result.warning_count:
            self.stdout.write(f"Lưu ý {vn_number(result.warning_count)} dòng (đã nhập, nên kiểm tra lại):")
            for line, message in result.warnings[:50]:
                self.stdout.write(f"Dòng {line}: {message}")
            if result.warning_count > 50:
                self.stdout.write(f"… và {result.warning_count - 50} dòng khác")
