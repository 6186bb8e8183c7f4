"""`tinhso manage payments_reconcile --day 2026-12-01 statement.csv [--output report.csv|.xlsx]`"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError, ImportFailed
from tinhso.payments import reconciliation


class Command(BaseCommand):
    help = "Đối soát giao dịch VNPAY của một ngày với tệp sao kê CSV; in các chênh lệch (thiếu, thừa, lệch)."

    def add_arguments(self, parser):
        parser.add_argument("statement", help="Tệp sao kê CSV (cột: " + ", ".join(reconciliation.STATEMENT_COLUMNS) + ")")
        parser.add_argument("--day", required=True, help="Ngày đối soát YYYY-MM-DD")
        parser.add_argument("--output", default="", help="Ghi chênh lệch ra tệp .csv hoặc .xlsx")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["day"])
        except ValueError as exc:
            raise CommandError("Ngày đối soát phải có dạng YYYY-MM-DD.") from exc
        path = Path(options["statement"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        try:
            run = reconciliation.reconcile(actor=None, day=day, content=path.read_bytes())
        except ImportFailed as exc:
            raise CommandError(exc.report()) from exc
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        self.stdout.write(f"Ngày {day:%d/%m/%Y}: {run.statement_rows} giao dịch trong sao kê, {run.platform_rows} trên "
                          f"nền tảng, {run.matched} khớp, {len(run.differences)} chênh lệch.")
        for row in reconciliation.rows(run):
            self.stdout.write(f"- {row['kind_label']}: {row['reference']} · sao kê {row['statement_amount']} · "
                              f"nền tảng {row['platform_amount']} · {row['note']}")
        if options["output"]:
            fmt = "xlsx" if options["output"].endswith(".xlsx") else "csv"
            content, _ = reconciliation.export(run, fmt)
            Path(options["output"]).write_bytes(content)
            self.stdout.write(f"Đã ghi {options['output']}.")
