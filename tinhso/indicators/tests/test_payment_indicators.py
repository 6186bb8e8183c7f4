"""The payment indicators (computations over tinhso.payments.measures) equal direct sums over a generated history
of bills and payments, per agency and for the province, by month and by year; the QĐ 766 group 4 scores them."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tinhso.core.periods import month_period, year_period
from tinhso.dossiers.tests.factories import make_dossier
from tinhso.indicators.frameworks import score_units
from tinhso.indicators.models import IndicatorValue
from tinhso.indicators.selectors import framework_get
from tinhso.indicators.services import computed_values_refresh
from tinhso.payments import measures
from tinhso.payments.choices import BillStatus, Method, PaymentStatus
from tinhso.payments.models import Bill, Payment
from tinhso.payments.tests.factories import priced_procedure

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RATE, AMOUNT = "cq_ho_so_thanh_toan_truc_tuyen_rate", "cq_so_tien_thanh_toan_truc_tuyen"
OUTCOMES = ["unpaid", "online", "online", "counter", "cancelled", "refunded", "held", "exempt"]


def _history(world, n: int, seed: int = 11) -> list[tuple[Bill, str]]:
    """n bills of 2025 (January–March) at three agencies, with outcomes of every kind; payments may fall in the
    month after the bill."""
    rng = random.Random(seed)
    procedure = priced_procedure(world)
    agencies = [world.justice, world.health, world.commune_committee]
    out = []
    for i in range(n):
        agency = rng.choice(agencies)
        issued = datetime(2025, rng.randint(1, 3), rng.randint(1, 28), rng.randint(7, 16), tzinfo=TZ)
        outcome = rng.choice(OUTCOMES)
        total = 0 if outcome == "exempt" else 8000 * rng.randint(1, 5)
        dossier = make_dossier(world, procedure=procedure, handling_agency=agency, submitted_at=issued)
        paid = outcome in ("online", "counter", "refunded")
        bill = Bill.objects.create(
            dossier=dossier, procedure=procedure, agency=world.service_centre, stat_agency=agency, total=total,
            issued_at=issued, pay_first=True,
            status={"unpaid": BillStatus.UNPAID, "online": BillStatus.PAID, "counter": BillStatus.PAID,
                    "cancelled": BillStatus.CANCELLED, "refunded": BillStatus.REFUNDED, "held": BillStatus.UNPAID,
                    "exempt": BillStatus.EXEMPT}[outcome],
            paid_method=(Method.CASH if outcome == "counter" else Method.VNPAY) if paid else "")
        if paid or outcome == "held":
            at = issued + timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 8))
            Payment.objects.create(
                bill=bill, method=Method.CASH if outcome == "counter" else Method.VNPAY, amount=total,
                provider_amount=total + (1000 if outcome == "held" else 0), reference=f"TSH{i:06d}",
                status=PaymentStatus.HELD if outcome == "held" else PaymentStatus.CONFIRMED, paid_at=at,
                created_at=at, confirmed_at=None if outcome == "held" else at)
        out.append((bill, outcome))
    return out


def _direct(history, agency_ids, start: date, end: date) -> tuple[tuple[int, int], int]:
    """By hand: (dossiers with fees paid online, dossiers with fees) by the bill's day; amount by the payment's day."""
    billed = [(b, o) for b, o in history if b.stat_agency_id in agency_ids and b.total > 0
              and o not in ("cancelled", "refunded") and start <= b.issued_at.astimezone(TZ).date() <= end]
    online = sum(1 for _, o in billed if o == "online")
    amount = sum(p.amount for b, o in history if b.stat_agency_id in agency_ids and o in ("online", "refunded")
                 for p in b.payments.all() if start <= p.paid_at.astimezone(TZ).date() <= end)
    return (online, len(billed)), amount


def _value(code, period, **owner):
    return IndicatorValue.objects.filter(indicator__code=code, period_start=period.start, period_end=period.end,
                                         is_current=True, **owner).first()


def test_payment_indicators_equal_direct_sums_over_a_generated_history(world, definitions):
    history = _history(world, 120)
    periods = [month_period(2025, m) for m in (1, 2, 3, 4)] + [year_period(2025)]
    computed_values_refresh(actor=None, root=world.province, periods=periods, today=date(2025, 12, 31))
    everyone = {world.justice.pk, world.health.pk, world.commune_committee.pk}
    checked = 0
    for period in periods:
        for owner, ids in [({"agency": world.justice}, {world.justice.pk}), ({"agency": world.health},
                           {world.health.pk}), ({"unit": world.commune}, {world.commune_committee.pk}),
                           ({"unit": world.province}, everyone)]:
            (online, billed), amount = _direct(history, ids, period.start, period.end)
            rate, money = _value(RATE, period, **owner), _value(AMOUNT, period, **owner)
            if billed:
                assert (rate.numerator, rate.denominator) == (online, billed)
                assert rate.value == round(100 * online / billed, 4)  # the engine keeps 4 decimals
                checked += 1
            else:
                assert rate is None
            if amount:
                assert (money.value, money.numerator, money.denominator) == (amount, amount, None)
                checked += 1
            else:
                assert money is None
    assert checked > 20
    # The measures by field add up to the province's figures.
    (online, billed), amount = _direct(history, everyone, date(2025, 1, 1), date(2025, 12, 31))
    by_field = measures.online_paid_share_by_field(start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert list(by_field.values()) == [(online, billed)]
    assert sum(measures.amount_paid_online_by_field(start=date(2025, 1, 1), end=date(2025, 12, 31)).values()) \
        == amount


def test_the_766_online_service_group_scores_online_payment(world, definitions):
    history = _history(world, 40, seed=5)
    computed_values_refresh(actor=None, root=world.province, periods=[year_period(2025)], today=date(2025, 12, 31))
    (online, billed), _ = _direct(history, {world.commune_committee.pk}, date(2025, 1, 1), date(2025, 12, 31))
    scores = score_units(framework_get(code="qd766"), year_period(2025), [world.commune])
    assert billed and scores[world.commune.pk]["components"]["thanh_toan_truc_tuyen"] == pytest.approx(
        6 * online / billed)
