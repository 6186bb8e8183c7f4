"""Payments at scale. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_payments.py`
(default 20,000 bills and 1,000 IPNs; TINHSO_BENCH_PAY_ROWS=1000000 TINHSO_BENCH_PAY_IPN=10000 for the full size).

1. IPN confirmations: signed VNPAY confirmations of open payments, each verified, row-locked and written with its
   dossier event and audit record; beside the replay of the same IPNs (signature check + lookup, no write);
2. daily reconciliation of a statement of every online payment of one busy day, beside parsing the CSV alone;
3. the indicator measures over all the bills (share paid online and amount, per agency, for the year), beside a
   plain count of the bills.
"""

import os
import random
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import common

ROWS = int(os.environ.get("TINHSO_BENCH_PAY_ROWS", 20_000))
IPNS = int(os.environ.get("TINHSO_BENCH_PAY_IPN", 1_000))


def main() -> None:
    common.setup_django()
    from django.conf import settings
    from django.db import connection

    from tinhso.dossiers.models import Dossier
    from tinhso.payments import measures, reconciliation, services, simulator
    from tinhso.payments.choices import BillStatus, Method, PaymentStatus
    from tinhso.payments.models import Bill, Payment
    from tinhso.payments.providers import VN_TIME, vnp_date

    settings.TINHSO_VNPAY_TMN_CODE, settings.TINHSO_VNPAY_HASH_SECRET = "BENCH001", "B" * 32
    settings.TINHSO_VNPAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    province, agencies, procedures, _admin, _officer = common.build_province()
    rng = random.Random(17)
    print(f"Bills: {ROWS:,}; IPNs: {IPNS:,}", flush=True)

    start = time.perf_counter()
    dossiers, year = [], datetime(2025, 1, 1, 8, tzinfo=VN_TIME)
    for i in range(ROWS):
        agency = rng.choice(agencies)
        at = year + timedelta(minutes=rng.randint(0, 364 * 24 * 60))
        dossiers.append(Dossier(code=f"B{i:08d}", procedure=rng.choice(procedures), receiving_agency=agency,
                                handling_agency=agency, channel="online", status="received", submitted_at=at,
                                received_at=at))
    Dossier.objects.bulk_create(dossiers, batch_size=5000)
    bills, payments, busy_day = [], [], datetime(2025, 6, 2, tzinfo=VN_TIME)
    for d in dossiers:
        outcome = rng.random()
        status = BillStatus.UNPAID if outcome < 0.3 else BillStatus.PAID
        method = Method.VNPAY if outcome >= 0.55 else Method.CASH if status == BillStatus.PAID else ""
        bills.append(Bill(dossier=d, procedure=d.procedure, agency=d.receiving_agency, stat_agency=d.handling_agency,
                          status=status, total=8000 * rng.randint(1, 5), issued_at=d.submitted_at,
                          paid_method=method))
    Bill.objects.bulk_create(bills, batch_size=5000)
    for i, b in enumerate(bills):
        if b.status == BillStatus.PAID:
            # a fifth of the online payments fall on one busy day, for the reconciliation
            paid = busy_day + timedelta(seconds=rng.randint(0, 86_000)) if b.paid_method == Method.VNPAY and \
                rng.random() < 0.2 else b.issued_at + timedelta(hours=rng.randint(0, 48))
            payments.append(Payment(bill=b, method=b.paid_method, status=PaymentStatus.CONFIRMED, amount=b.total,
                                    provider_amount=b.total, reference=f"TSB{i:09d}", created_at=paid, paid_at=paid,
                                    confirmed_at=paid, provider_transaction_no=str(10**8 + i),
                                    receipt_number=f"BLB{i:09d}"))
    Payment.objects.bulk_create(payments, batch_size=5000)
    print(f"  generated {ROWS:,} dossiers, bills and {len(payments):,} payments in "
          f"{time.perf_counter() - start:.1f} s", flush=True)

    # 1. IPNs: open payments on unpaid bills, confirm each by a signed IPN, then replay them all.
    open_bills = list(Bill.objects.filter(status=BillStatus.UNPAID).select_related("dossier")[:IPNS])
    confirmations = []
    for bill in open_bills:
        _, url = services.online_start(actor=None, bill=bill, return_url="http://127.0.0.1/r/")
        confirmations.append(simulator.result_params(dict(parse_qsl(urlsplit(url).query)),
                                                     secret=settings.TINHSO_VNPAY_HASH_SECRET))
    start = time.perf_counter()
    codes = [services.online_confirm(params=p)[0] for p in confirmations]
    first = time.perf_counter() - start
    start = time.perf_counter()
    replays = [services.online_confirm(params=p)[0] for p in confirmations]
    replay = time.perf_counter() - start
    assert set(codes) == {"00"} and set(replays) == {"02"}, (set(codes), set(replays))
    common.figure("ipn", f"IPN confirmations ({len(confirmations):,}), per second", len(confirmations) / first,
                  "IPN/s", anchor_label="replayed IPNs (verify + look up, no write)",
                  anchor=len(confirmations) / replay)

    # 2. Reconciliation of the busy day's statement.
    day = busy_day.date()
    online = Payment.objects.filter(method=Method.VNPAY, paid_at__date=day).values_list(
        "reference", "provider_transaction_no", "amount", "paid_at")
    lines = [",".join(reconciliation.STATEMENT_COLUMNS)]
    lines += [f"{r},{t},{a * 100},{vnp_date(p)},NCB,00" for r, t, a, p in online]
    content = ("\n".join(lines) + "\n").encode()
    start = time.perf_counter()
    run = reconciliation.reconcile(actor=None, day=day, content=content)
    reconcile_s = time.perf_counter() - start
    start = time.perf_counter()
    reconciliation.parse_statement(content, day=day)
    parse_s = time.perf_counter() - start
    common.figure("reconciliation", f"reconcile one day ({run.statement_rows:,} transactions, "
                  f"{len(run.differences)} differences)", reconcile_s * 1000, "ms",
                  anchor_label="parse the statement alone", anchor=parse_s * 1000)

    # 3. Indicator measures over the year.
    ids = [a.pk for a in agencies]
    low, high = datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date()
    share_s = common.median_seconds(lambda: measures.online_paid_share_by_agency(agency_ids=ids, start=low,
                                                                                 end=high), runs=3)
    amount_s = common.median_seconds(lambda: measures.amount_paid_online_by_agency(agency_ids=ids, start=low,
                                                                                   end=high), runs=3)

    def count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM payments_bill")
            cursor.fetchone()

    count_s = common.median_seconds(count, runs=3)
    common.figure("measures", f"share paid online per agency, a year of {ROWS:,} bills", share_s * 1000, "ms",
                  anchor_label="SELECT count(*) of the bills", anchor=count_s * 1000)
    common.figure("measures", f"amount paid online per agency, a year of {len(payments):,} payments",
                  amount_s * 1000, "ms", anchor_label="SELECT count(*) of the bills", anchor=count_s * 1000)
    common.write_results(ROWS)


if __name__ == "__main__":
    main()
