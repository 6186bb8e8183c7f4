from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.core.periods import parse_period
from tinhso.indicators.frameworks import framework_rank
from tinhso.indicators.selectors import framework_get


class Command(BaseCommand):
    help = "Chấm điểm và xếp hạng các đơn vị theo một bộ chỉ số cho một kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--framework", required=True)
        parser.add_argument("--period", required=True, help="2025, 2025-H1, 2025-Q2, 2025-05")

    def handle(self, *args, **options):
        try:
            framework = framework_get(code=options["framework"])
            rows = framework_rank(actor=None, framework=framework, period=parse_period(options["period"]))
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        for row in rows:
            self.stdout.write(f"{row.rank:>3}/{row.out_of}  {row.unit.name:<40} {row.score:8.2f}")
