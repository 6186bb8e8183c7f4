from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError, ImportFailed
from tinhso.procedures.services import procedures_import_file


class Command(BaseCommand):
    help = ("Nhập danh mục thủ tục hành chính từ tệp .json hoặc .csv (nhập tất cả hoặc không nhập gì). "
            "Cột `agencies` ghi mã định danh cơ quan thực hiện.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .json hoặc .csv (UTF-8)")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{file}”.")
        try:
            counts = procedures_import_file(actor=None, content=path.read_bytes(), filename=path.name)
        except ImportFailed as exc:
            raise CommandError(exc.report()) from exc
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Đã nhập {path.name}: {counts['created']} thủ tục mới, {counts['updated']} thủ tục cập nhật, "
            f"{counts['unchanged']} thủ tục không đổi; {counts['fields_created']} lĩnh vực mới."))
