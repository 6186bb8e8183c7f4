"""What the documents app measures of itself, per agency, for whoever computes indicators (it never calls them).

The indicators engine registers computations that read these functions, as it reads the dossiers' tables.
Periods are [start, end] dates, inclusive.
"""

import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .choices import Direction
from .models import Delivery, Document

Ratio = tuple[float, float]


def _issued(agency_ids, start: date, end: date):
    return Document.objects.filter(direction=Direction.OUTGOING, agency_id__in=list(agency_ids),
                                   issued_on__gte=start, issued_on__lte=end)


def signed_share_by_agency(*, agency_ids, start: date, end: date) -> dict[int, Ratio]:
    """Outgoing documents issued in the period bearing the agency's digital signature / all issued."""
    rows = (_issued(agency_ids, start, end).values("agency_id")
            .annotate(signed=Count("id", filter=Q(agency_signed_at__isnull=False)), total=Count("id")).order_by())
    return {r["agency_id"]: (r["signed"], r["total"]) for r in rows}


def electronic_share_by_agency(*, agency_ids, start: date, end: date) -> dict[int, Ratio]:
    """Outgoing documents issued in the period and sent electronically to at least one recipient / all issued."""
    sent = Exists(Delivery.objects.filter(document=OuterRef("pk"), electronic=True))
    rows = (_issued(agency_ids, start, end).annotate(sent=sent).values("agency_id")
            .annotate(electronic=Count("id", filter=Q(sent=True)), total=Count("id")).order_by())
    return {r["agency_id"]: (r["electronic"], r["total"]) for r in rows}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def handling_days_by_agency(*, agency_ids, start: date, end: date) -> dict[int, list[float]]:
    """Days from registration to completion of incoming documents completed in the period, per receiving agency."""
    low, high = _bounds(start, end)
    out: dict[int, list[float]] = defaultdict(list)
    rows = (Document.objects.filter(direction=Direction.INCOMING, agency_id__in=list(agency_ids),
                                    completed_at__gte=low, completed_at__lt=high, received_at__isnull=False)
            .values_list("agency_id", "received_at", "completed_at"))
    for agency_id, received, completed in rows:
        out[agency_id].append((completed - received).total_seconds() / 86400)
    return dict(out)


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
