"""What the payments app measures of itself, per agency and per field, for whoever computes indicators (it
never calls them). Periods are [start, end] dates, inclusive, in local time.

- Dossiers with fees paid online: of the dossiers whose bill was issued in the period with something to pay
  (cancelled and refunded bills left out: in the end no fee was due), those paid online / all of them. QĐ 766
  counts online payment among dossiers that carry a financial obligation.
- Amount paid online: the sum of online payments confirmed by the provider with vnp_PayDate in the period
  (held and to-be-refunded payments are not counted).
The agency is the one statistics count a dossier for (the handling agency, else the receiving one), as II.06a.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .choices import ONLINE_METHODS, BillStatus, PaymentStatus
from .models import Bill, Payment

Ratio = tuple[float, float]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def _billed(start: date, end: date):
    low, high = _bounds(start, end)
    return Bill.objects.filter(issued_at__gte=low, issued_at__lt=high, total__gt=0).exclude(
        status__in=[BillStatus.CANCELLED, BillStatus.REFUNDED])


_PAID_ONLINE = Q(status=BillStatus.PAID, paid_method__in=list(ONLINE_METHODS))


def online_paid_share_by_agency(*, agency_ids, start: date, end: date) -> dict[int, Ratio]:
    rows = (_billed(start, end).filter(stat_agency_id__in=list(agency_ids)).values("stat_agency_id")
            .annotate(online=Count("id", filter=_PAID_ONLINE), total=Count("id")).order_by())
    return {r["stat_agency_id"]: (r["online"], r["total"]) for r in rows}


def online_paid_share_by_field(*, start: date, end: date, agency_ids=None) -> dict[int, Ratio]:
    bills = _billed(start, end)
    if agency_ids is not None:
        bills = bills.filter(stat_agency_id__in=list(agency_ids))
    rows = (bills.values("procedure__field_id").annotate(online=Count("id", filter=_PAID_ONLINE), total=Count("id"))
            .order_by())
    return {r["procedure__field_id"]: (r["online"], r["total"]) for r in rows}


def _paid_online(start: date, end: date):
    low, high = _bounds(start, end)
    return Payment.objects.filter(method__in=list(ONLINE_METHODS), status=PaymentStatus.CONFIRMED,
                                  paid_at__gte=low, paid_at__lt=high)


def amount_paid_online_by_agency(*, agency_ids, start: date, end: date) -> dict[int, int]:
    rows = (_paid_online(start, end).filter(bill__stat_agency_id__in=list(agency_ids))
            .values("bill__stat_agency_id").annotate(amount=Sum("amount")).order_by())
    return {r["bill__stat_agency_id"]: r["amount"] or 0 for r in rows}


def amount_paid_online_by_field(*, start: date, end: date, agency_ids=None) -> dict[int, int]:
    payments = _paid_online(start, end)
    if agency_ids is not None:
        payments = payments.filter(bill__stat_agency_id__in=list(agency_ids))
    rows = payments.values("bill__procedure__field_id").annotate(amount=Sum("amount")).order_by()
    return {r["bill__procedure__field_id"]: r["amount"] or 0 for r in rows}
