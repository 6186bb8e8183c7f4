from django.core.management.base import BaseCommand

from tinhso.feedback.services import escalation_sweep
from tinhso.feedback.tasks import sweep_escalations


class Command(BaseCommand):
    help = ("Nhắc hạn phản ánh: báo lãnh đạo cơ quan khi sắp đến hạn, báo cơ quan cấp trên khi quá hạn "
            "(chạy định kỳ, ví dụ 15 phút một lần, từ cron).")

    def add_arguments(self, parser):
        parser.add_argument("--background", action="store_true",
                            help="Đưa từng phản ánh cần nhắc vào hàng đợi tác vụ nền thay vì xử lý ngay.")

    def handle(self, *args, **options):
        if options["background"]:
            result = sweep_escalations.enqueue()
            self.stdout.write(f"Đã đưa tác vụ nhắc hạn vào hàng đợi ({result.id}).")
            return
        count = escalation_sweep()
        self.stdout.write(f"Đã nhắc hạn {count} phản ánh.")
