"""The gateway's platform indicator, registered into the indicators engine from GatewayConfig.ready().

The gateway sits above `indicators` and `dashboard` reads indicators only, so the gateway hands the engine a
computation (the registry is the engine's hook for this) instead of the dashboard reading the gateway: the IOC's
"Nền tảng" pillar then shows gateway calls per day for the province, each commune and each owner agency.
Per-client figures stay on the gateway's own pages (indicators are kept per unit and agency, not per client).
"""

from collections import defaultdict
from datetime import date

from django.utils import timezone

from .selectors import calls_by_owner_agency

CALLS_PER_DAY = "nt_lgsp_luot_goi_ngay"


def calls_per_day(scope) -> tuple[dict, dict]:
    """Gateway calls since 1 January / days since 1 January (a yearly snapshot), per owner agency and per unit
    above it (each unit's figure is computed from its agencies' calls, not summed from ratios)."""
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    days = (today - start).days + 1
    by_agency = calls_by_owner_agency(agency_ids=scope.agency_unit, start=start, end=today)
    per_unit: dict[int, float] = defaultdict(float)
    for agency_id, calls in by_agency.items():
        for unit_id in scope.chains.get(scope.agency_unit[agency_id], []):
            per_unit[unit_id] += calls
    return ({u: (n, days) for u, n in per_unit.items()}, {a: (n, days) for a, n in by_agency.items()})


def register() -> None:
    from tinhso.indicators.computations import snapshot

    snapshot(CALLS_PER_DAY)(calls_per_day)
