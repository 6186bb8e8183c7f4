import json

from django.core.management.base import BaseCommand, CommandError

from tinhso.core.exceptions import DomainError
from tinhso.indicators.selectors import status_list, unit_by_code


class Command(BaseCommand):
    help = "Trạng thái các chỉ tiêu của một đơn vị trong một năm so với mục tiêu gần nhất (JSON hoặc bảng)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã đơn vị (ví dụ 38, cu-34)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args, **options):
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("Năm phải trong khoảng 2000–2100.")
        try:
            rows = status_list(unit=unit_by_code(options["unit"]), year=options["year"])
        except DomainError as exc:
            raise CommandError(exc.describe()) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            target = f"{r['comparator']} {r['target']:g} ({r['target_year']})" if r["target"] is not None else "—"
            self.stdout.write(f"{r['indicator']:<40} {r['level'] or '':<9} {r['value']:>10g}  {target:<18} "
                              f"{r['status'] or '—':<9} {r['source']}")
