"""Feedback at scale. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_feedback.py`
(TINHSO_BENCH_FEEDBACK_ROWS=1000000 for the acceptance size; the default, 20,000, runs in about a minute).

1. Open311 POST throughput: form-encoded POST /open311/v2/requests.json through the whole stack (API key,
   nearest commune, routing, SLA clock, report + event + audit + notification in one transaction), beside a GET
   of /open311/v2/services.json through the same stack (the anchor: what a request costs without the write);
2. the public list's latency with TINHSO_BENCH_FEEDBACK_ROWS reports: the first page and its count, filtered by
   commune, by status, by a search typed without diacritics, the whole HTML page (with the map's data), and
   Open311's requests.json, beside the hand-written PostgreSQL query of the first page and count.
"""

import os
import random
import time
from datetime import timedelta

import common

ROWS = int(os.environ.get("TINHSO_BENCH_FEEDBACK_ROWS", 20_000))
POSTS = int(os.environ.get("TINHSO_BENCH_FEEDBACK_POSTS", 300))
WORDS = ["ổ gà", "đèn đường", "rác thải", "ngập úng", "cây đổ", "nước thải", "tiếng ồn", "lấn chiếm vỉa hè",
         "cống tắc", "sụt lún"]


def main() -> None:
    common.setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tinhso.core.text import search_key
    from tinhso.feedback import selectors, services
    from tinhso.feedback.models import Report
    from tinhso.org.choices import UnitLevel
    from tinhso.org.models import AdministrativeUnit

    settings.ALLOWED_HOSTS = ["*"]
    settings.TINHSO_THROTTLES = {**settings.TINHSO_THROTTLES,
                                 "feedback.submit.key": {"limit": 10 ** 9, "window": 60}}
    province, agencies, _procedures, admin, _officer = common.build_province()
    communes = list(AdministrativeUnit.objects.filter(parent=province, level=UnitLevel.COMMUNE).order_by("code"))
    for i, commune in enumerate(communes):  # a grid of seats about 5 km apart
        commune.latitude, commune.longitude, commune.area_km2 = 19.3 + (i // 15) * 0.045, 105.2 + (i % 15) * 0.05, 60
        commune.save()
    committee = agencies[0]
    codes = []
    for n, word in enumerate(WORDS):
        codes.append(services.service_upsert(actor=admin, code=f"loai-{n}", name=f"Phản ánh {word}",
                                             sla_amount=5, fallback_agency_code=committee.identifier_code).code)
    _, key = services.api_key_create(actor=admin, name="bench")
    client = Client()
    rng = random.Random(5)

    print(f"\n== Feedback: Open311 POST throughput ({POSTS} requests)")

    def one_post(i: int) -> None:
        seat = communes[rng.randrange(len(communes))]
        response = client.post("/open311/v2/requests.json", {
            "api_key": key, "service_code": codes[i % len(codes)], "lat": seat.latitude + rng.uniform(-0.01, 0.01),
            "long": seat.longitude + rng.uniform(-0.01, 0.01), "description": f"Phản ánh {WORDS[i % 10]} số {i}",
            "email": f"nguoi{i}@example.vn"})
        assert response.status_code == 201, response.content

    one_post(-1)
    start = time.perf_counter()
    for i in range(POSTS):
        one_post(i)
    post_rate = POSTS / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(POSTS):
        client.get("/open311/v2/services.json")
    get_rate = POSTS / (time.perf_counter() - start)
    common.figure("feedback", "Open311 POST requests.json", post_rate, "requests/s",
                  anchor_label="GET services.json, same stack", anchor=get_rate)

    print(f"\n== Feedback: generating {ROWS:,} reports")
    start_at = common.YEAR_START
    service_ids = list(selectors.service_list().values_list("id", flat=True))
    commune_ids = [c.pk for c in communes]
    agency_ids = [a.pk for a in agencies]
    statuses = ["received", "verified", "assigned", "in_progress", "answered", "closed", "closed", "closed"]
    with common.timed(f"bulk insert of {ROWS:,} reports"):
        batch = []
        for i in range(ROWS):
            received = start_at + timedelta(seconds=rng.randrange(365 * 86400))
            word = WORDS[rng.randrange(len(WORDS))]
            code = f"PB{i:08d}"
            status = statuses[rng.randrange(len(statuses))]
            answered = received + timedelta(hours=rng.randrange(2, 200)) if status in ("answered", "closed") else None
            batch.append(Report(
                code=code, service_id=service_ids[rng.randrange(len(service_ids))], status=status, channel="web",
                description=f"Phản ánh {word} tại khu dân cư số {i % 97}", commune_id=commune_ids[i % len(commune_ids)],
                agency_id=agency_ids[rng.randrange(len(agency_ids))], token_hash=f"{i:064x}", received_at=received,
                due_at=received + timedelta(days=7), answered_at=answered, first_answered_at=answered,
                closed_at=answered if status == "closed" else None,
                search_key=search_key(code, f"tại khu dân cư số {i % 97}", word)))
            if len(batch) == 5000:
                Report.objects.bulk_create(batch)
                batch = []
        Report.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_report")

    def first_page(**filters):
        qs = selectors.report_list(**filters)
        return qs.count(), list(qs[:30])

    def hand_written():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM feedback_report WHERE NOT (status = 'rejected' AND reject_reason = 'spam')")
            cursor.fetchone()
            cursor.execute("SELECT r.id, r.code, s.name, u.name FROM feedback_report r JOIN feedback_service s ON "
                           "s.id = r.service_id JOIN org_administrativeunit u ON u.id = r.commune_id WHERE NOT "
                           "(r.status = 'rejected' AND r.reject_reason = 'spam') ORDER BY r.received_at DESC, r.id DESC "
                           "LIMIT 30")
            cursor.fetchall()

    total = Report.objects.count()
    print(f"\n== Feedback: public list latency over {total:,} reports (median of 5)")
    anchor = common.median_seconds(hand_written) * 1000
    cases = [("first page + count", {}), ("one commune", {"commune_code": communes[7].code}),
             ("status in progress", {"status": "in_progress"}), ("search 'o ga' (no diacritics)", {"search": "o ga"})]
    for label, filters in cases:
        ms = common.median_seconds(lambda f=filters: first_page(**f)) * 1000
        common.figure("feedback", f"public list, {label}", ms, "ms", anchor_label="hand-written SQL, first page + count",
                      anchor=anchor)
    page_ms = common.median_seconds(lambda: client.get("/phan-anh/")) * 1000
    common.figure("feedback", "public list page /phan-anh/ (HTML + map data)", page_ms, "ms",
                  anchor_label="hand-written SQL, first page + count", anchor=anchor)
    window = {"status": "open", "start_date": (start_at + timedelta(days=275)).isoformat(),
              "end_date": (start_at + timedelta(days=365)).isoformat()}
    open311_ms = common.median_seconds(lambda: client.get("/open311/v2/requests.json", window)) * 1000
    common.figure("feedback", "Open311 GET requests.json, open, a 90-day window (≤ 1000)", open311_ms, "ms",
                  anchor_label="hand-written SQL, first page + count", anchor=anchor)
    common.write_results(total)


if __name__ == "__main__":
    main()
