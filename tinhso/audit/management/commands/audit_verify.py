from django.core.management.base import BaseCommand, CommandError

from tinhso.audit.services import audit_verify, parse_head


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn chuỗi băm của nhật ký kiểm toán (và đối chiếu đầu chuỗi đã lưu nơi khác)."

    def add_arguments(self, parser):
        parser.add_argument("--head", default="", help="Đầu chuỗi đã lưu, dạng SỐ_SỰ_KIỆN:MÃ_BĂM (tinhso audit head)")

    def handle(self, *args, **options):
        try:
            anchor = parse_head(options["head"]) if options.get("head") else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        checked, problem = audit_verify(anchor=anchor)
        if problem:
            where = f"sự kiện số {problem.seq}" + (f" (id {problem.event_id})" if problem.event_id else "")
            raise CommandError(f"Nhật ký kiểm toán KHÔNG toàn vẹn: {where}: {problem.reason}. "
                               f"Đã kiểm tra đúng {checked} sự kiện trước đó.")
        suffix = f", khớp đầu chuỗi đã lưu ({anchor[0]} sự kiện)" if anchor else ""
        self.stdout.write(f"Nhật ký kiểm toán toàn vẹn: {checked} sự kiện, chuỗi băm khớp{suffix}.")
