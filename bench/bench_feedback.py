"""Feedback at scale. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_feedback.py`
(TINHSO_BENCH_FEEDBACK_ROWS=1000000 for the acceptance size; the default, 20,000, runs in about a minute).

1. Open311 POST throughput: form-encoded POST /open311/v2/requests.json through the whole stack (API key,
   nearest commune, routing, SLA clock, report + event + audit + notification in one transaction), beside a GET
   of /open311/v2/services.json through the same stack (the anchor: what a request costs without the write);
2. the public list's latency with TINHSO_BENCH_FEEDBACK_ROWS reports, as the page reads it (a count capped at
   10,000 and keyset paging, tinhso.feedback.paging): the first page and its count, filtered by commune, by status,
   by a search typed without diacritics (a common phrase and a rare word, served by the trigram index), a page deep
   in the list, and the whole HTML page (with the map's data), beside the hand-written PostgreSQL query of the
   first page and its capped count; the exact count(*) the list used to show, for comparison;
3. Open311's requests.json (default: the last 90 days, at most 1000; and open ones in a 90-day window), beside the
   hand-written SQL of the same rows.
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
    from django.utils import timezone

    from tinhso.core.text import search_key
    from tinhso.feedback import paging, selectors, services
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
    start_at = timezone.now() - timedelta(days=365)  # the last year, so Open311's default 90 days has reports
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
        # As autovacuum leaves a live table: statistics, and the trigram index's pending list merged.
        cursor.execute("VACUUM ANALYZE feedback_report")

    def first_page(after: str = "", **filters):
        page = paging.keyset_page(selectors.report_list(**filters), order="-received_at", after=after, page_size=30)
        return page.total_label, page.items

    public = "NOT (r.status = 'rejected' AND r.reject_reason = 'spam')"

    def hand_written():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM feedback_report r WHERE {public} LIMIT 10001) t")
            cursor.fetchone()
            cursor.execute("SELECT r.id, r.code, s.name, u.name FROM feedback_report r JOIN feedback_service s ON "
                           "s.id = r.service_id JOIN org_administrativeunit u ON u.id = r.commune_id WHERE "
                           f"{public} ORDER BY r.received_at DESC, r.id DESC LIMIT 30")
            cursor.fetchall()

    def exact_count():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM feedback_report r WHERE {public}")
            cursor.fetchone()

    total = Report.objects.count()
    print(f"\n== Feedback: public list latency over {total:,} reports (median of 5)")
    anchor = common.median_seconds(hand_written) * 1000
    anchor_label = "hand-written SQL, first page + capped count"
    deep = selectors.report_list().values_list("code", flat=True)[min(10_000, total - 1)]
    rare = Report.objects.order_by("id").values_list("code", flat=True)[total // 2]
    cases = [("first page + count", {}), ("one commune", {"commune_code": communes[7].code}),
             ("status in progress", {"status": "in_progress"}), ("search 'o ga' (no diacritics)", {"search": "o ga"}),
             ("search 'den duong' (no diacritics)", {"search": "den duong"}),
             (f"search a rare word '{rare.lower()}'", {"search": rare.lower()}),
             ("a page after the 10,000th report (keyset)", {"after": deep})]
    for label, filters in cases:
        ms = common.median_seconds(lambda f=filters: first_page(**f)) * 1000
        common.figure("feedback", f"public list, {label}", ms, "ms", anchor_label=anchor_label, anchor=anchor,
                      target="< 150 ms")
    ms = common.median_seconds(exact_count) * 1000
    common.figure("feedback", "exact count(*) of the public reports (what the list showed before)", ms, "ms",
                  anchor_label=anchor_label, anchor=anchor)
    page_ms = common.median_seconds(lambda: client.get("/phan-anh/")) * 1000
    common.figure("feedback", "public list page /phan-anh/ (HTML + map data)", page_ms, "ms",
                  anchor_label=anchor_label, anchor=anchor)
    search_page_ms = common.median_seconds(lambda: client.get("/phan-anh/", {"q": "den duong"})) * 1000
    common.figure("feedback", "public list page /phan-anh/?q=den+duong (HTML + map data)", search_page_ms, "ms",
                  anchor_label=anchor_label, anchor=anchor)

    print("\n== Feedback: Open311 GET requests.json (median of 5)")
    now = timezone.now()
    window = {"status": "open", "start_date": (now - timedelta(days=90)).isoformat(), "end_date": now.isoformat()}

    def hand_written_requests(open_only: bool):
        status = "AND r.status IN ('received', 'verified', 'assigned', 'in_progress') " if open_only else ""
        with connection.cursor() as cursor:
            cursor.execute("SELECT r.code, r.status, r.description, r.received_at, r.updated_at, r.due_at, r.latitude, "
                           "r.longitude, r.answer, s.code, s.name, u.code, u.name, a.name FROM feedback_report r "
                           "JOIN feedback_service s ON s.id = r.service_id JOIN org_administrativeunit u ON "
                           "u.id = r.commune_id JOIN org_agency a ON a.id = r.agency_id WHERE "
                           f"{public} {status}AND r.received_at >= %s ORDER BY r.received_at DESC, r.id DESC "
                           "LIMIT 1000", [now - timedelta(days=90)])
            cursor.fetchall()

    for label, params, open_only in [("default (last 90 days, ≤ 1000)", {}, False),
                                     ("open, a 90-day window (≤ 1000)", window, True)]:
        sql_ms = common.median_seconds(lambda o=open_only: hand_written_requests(o)) * 1000
        ms = common.median_seconds(lambda p=params: client.get("/open311/v2/requests.json", p)) * 1000
        common.figure("feedback", f"Open311 GET requests.json, {label}", ms, "ms",
                      anchor_label="hand-written SQL of the same 1000 rows", anchor=sql_ms)
    common.write_results(total)


if __name__ == "__main__":
    main()
