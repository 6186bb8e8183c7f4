"""The indicators step of `tinhso demo`: definitions, published history, rollups, computed values, rankings,
and open report rounds for the last year. Fast on SQLite: everything is computed from the rollups."""

from datetime import timedelta

from django.utils import timezone

from tinhso.core.periods import year_period
from tinhso.org import services as org_services
from tinhso.org.models import AdministrativeUnit

from . import rollups, services
from .choices import PeriodStatus
from .models import ReportForm, ReportPeriod

PUBLISHED_LEGACY_CODES = ["02", "22", "34", "38"]


def provision_indicators(*, province: AdministrativeUnit) -> dict:
    missing = [c for c in PUBLISHED_LEGACY_CODES if not AdministrativeUnit.objects.filter(code=f"cu-{c}").exists()]
    if missing:
        org_services.units_load_historical(actor=None, legacy_codes=missing)
    services.definitions_load(actor=None)
    published = services.published_load(actor=None)
    rows = rollups.rebuild()
    computed = services.computed_values_refresh(actor=None, root=province)
    rankings = services.rank_all(actor=None, root=province)
    today = timezone.localdate()
    last_year = year_period(today.year - 1)
    for form in ReportForm.objects.filter(is_active=True):
        if not ReportPeriod.objects.filter(form=form, period_start=last_year.start,
                                           period_end=last_year.end).exists():
            services.report_period_create(actor=None, form=form, period=last_year, opens_on=today,
                                          deadline=today + timedelta(days=30), open_now=True)
    return {"published": published, "rollup_rows": rows, "computed": computed, "rankings": rankings,
            "open_periods": ReportPeriod.objects.filter(status=PeriodStatus.OPEN).count()}
