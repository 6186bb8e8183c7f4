"""`tinhso report dossiers (--agency ID | --unit CODE) --from YYYY-MM-DD --to YYYY-MM-DD --format json|xlsx|csv`."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.dossiers.reports import statistics_csv, statistics_json, statistics_xlsx
from tinhso.dossiers.statistics import GROUP_BY_CHOICES, dossier_statistics, resolve_period


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ngày “{value}” không hợp lệ; dùng dạng YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Thống kê hồ sơ thủ tục hành chính theo Biểu II.06a (JSON, Excel hoặc CSV)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--agency", default="", help="Mã định danh của cơ quan (ví dụ 000.00.03.H56)")
        scope.add_argument("--unit", default="", help="Mã đơn vị hành chính (gồm cả các đơn vị cấp dưới)")
        parser.add_argument("--from", dest="date_from", default="", help="Từ ngày (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", default="", help="Đến ngày (YYYY-MM-DD)")
        parser.add_argument("--period", default="", help="Hoặc một kỳ: 2021, 2021-H1, 2021-Q2, 2021-05")
        parser.add_argument("--group-by", dest="group_by", default="agency", choices=sorted(GROUP_BY_CHOICES))
        parser.add_argument("--format", dest="format", default="json", choices=["json", "xlsx", "csv"])
        parser.add_argument("--output", default="", help="Tệp kết quả (mặc định: in ra màn hình với JSON)")

    def handle(self, *args, agency="", unit="", date_from="", date_to="", period="", group_by="agency",
               output="", **options):
        fmt = options.get("format") or "json"
        if fmt == "xlsx" and not output:
            raise CommandError("Định dạng xlsx cần --output TỆP.")
        try:
            period_obj = resolve_period(period=period, date_from=_day(date_from) if date_from else None,
                                        date_to=_day(date_to) if date_to else None)
            stats = dossier_statistics(actor=None, period=period_obj, agency=agency, unit=unit, group_by=group_by)
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        if fmt == "xlsx":
            Path(output).write_bytes(statistics_xlsx(stats))
            self.stderr.write(f"Đã ghi {output}")
            return
        text = statistics_csv(stats) if fmt == "csv" else statistics_json(stats)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Đã ghi {output}")
        else:
            self.stdout.write(text)
