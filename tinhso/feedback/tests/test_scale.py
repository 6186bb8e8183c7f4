"""Feedback at a million reports: the capped count, keyset paging, the indexed folded search (the same rows on
PostgreSQL and SQLite) and Open311's bounded default window."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.utils import timezone

from tinhso.core.numbers import vn_number
from tinhso.core.text import fold
from tinhso.feedback import paging, selectors, services
from tinhso.feedback.models import Report

from .conftest import HOANG_HOA, QUANG_XUONG

pytestmark = pytest.mark.django_db

DESCRIPTIONS = ["Đèn đường tắt cả tuần", "Ổ gà lớn trước chợ Đông", "Rác thải ùn ứ ở ngõ 5", "Đường ngập úng sau mưa",
                "Cây đổ chắn lối đi", "Đèn đường nhấp nháy", "Nước thải chảy ra đường Lê Lợi"]


def file_many(place, descriptions=DESCRIPTIONS) -> list[Report]:
    reports = []
    for i, text in enumerate(descriptions):
        lat, lon = HOANG_HOA if i % 2 else QUANG_XUONG
        report, _ = services.report_submit(actor=AnonymousUser(), service_code=place.road.code, description=text,
                                           latitude=lat, longitude=lon)
        reports.append(report)
    return reports


def codes(reports) -> list[str]:
    return [r.code for r in reports]


@pytest.mark.smoke
@pytest.mark.parametrize("typed", ["den duong", "Đèn đường", "ĐÈN ĐƯỜNG", "đen đuong"])
def test_search_with_or_without_diacritics_finds_the_same_reports_on_either_database(place, typed):
    reports = file_many(place)

    def found(query: str) -> list[str]:
        return sorted(codes(selectors.report_list(search=query)))

    assert found(typed) == sorted([reports[0].code, reports[5].code])
    # Every word must start a word: "uong" is inside "đường" but starts none.
    assert found("uong") == []
    assert found("cho dong") == [reports[1].code] and found("ngõ 5") == [reports[2].code]
    # The category's and the commune's names are searched too (all seven are "Đường hư hỏng, ổ gà").
    assert found("o ga") == sorted(codes(reports))
    hoang_hoa = place.world.commune.name
    assert fold(hoang_hoa) and found(hoang_hoa) == sorted(r.code for r in reports if r.commune == place.world.commune)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists only on PostgreSQL")
def test_on_postgresql_the_folded_search_and_open311_default_read_can_use_their_indexes(place):
    file_many(place)
    # The matching rows, unordered (what the capped count reads): the trigram index finds them.
    search_sql, search_params = selectors.report_list(search="den duong").order_by().query.sql_with_params()
    open_sql, open_params = selectors.report_list(open_closed="open", start=timezone.now() - timedelta(days=90)) \
        .query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'feedback_report_search_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
        # Seven rows: without this a scan is always cheaper. Without plain index scans, only an index that
        # can answer the LIKE itself serves the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + search_sql, search_params)
        search_plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_indexscan = on")
        cursor.execute("EXPLAIN " + open_sql + " LIMIT 1000", open_params)
        open_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "feedback_report_search_trgm" in search_plan
    assert "feedback_open_recent" in open_plan


@pytest.mark.smoke
def test_the_count_is_exact_up_to_the_cap_and_reads_more_than_beyond_it(place):
    file_many(place)
    reports = selectors.report_list()
    assert paging.capped_count(reports, cap=7) == 7 and paging.capped_count(reports, cap=6) == 7
    exact = paging.keyset_page(reports, order="-received_at", cap=7)
    assert (exact.total, exact.capped, exact.total_label) == (7, False, "7 phản ánh")
    over = paging.keyset_page(reports, order="-received_at", cap=5)
    assert (over.total, over.capped, over.total_label) == (5, True, "Hơn 5 phản ánh")
    assert vn_number(10_000) == "10.000" and vn_number(1_234_567) == "1.234.567"
    assert paging.keyset_page(reports, order="-received_at").total_label == "7 phản ánh"


@pytest.mark.smoke
@pytest.mark.parametrize("order", ["-received_at", "due_at"])
def test_keyset_pages_walk_every_report_once_in_order_both_ways_even_when_times_tie(place, order):
    reports = file_many(place)
    same = timezone.now() - timedelta(hours=1)
    Report.objects.filter(pk__in=[r.pk for r in reports[1:5]]).update(received_at=same, due_at=same)
    name = order.lstrip("-")
    qs = selectors.report_list()
    expected = codes(qs.order_by(order, f"{'-' if order.startswith('-') else ''}id"))
    pages, page = [], paging.keyset_page(qs, order=order, page_size=3)
    assert not page.has_previous
    while True:
        pages.append(codes(page.items))
        if not page.has_next:
            break
        page = paging.keyset_page(qs, order=order, after=page.next_key, page_size=3)
        assert page.has_previous
    assert [c for p in pages for c in p] == expected and [len(p) for p in pages] == [3, 3, 1]
    back = paging.keyset_page(qs, order=order, before=codes(page.items)[0], page_size=3)
    assert codes(back.items) == pages[1] and back.has_previous and back.has_next
    first = paging.keyset_page(qs, order=order, before=back.previous_key, page_size=3)
    assert codes(first.items) == pages[0] and not first.has_previous
    for junk in ("PA-unknown", "PA\x00001", "x" * 500, "' OR 1=1 --"):
        assert codes(paging.keyset_page(qs, order=order, after=junk, page_size=3).items) == pages[0]
    assert name in ("received_at", "due_at")


def test_the_public_list_shows_more_than_the_cap_and_pages_on_without_a_total(place, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    reports = file_many(place)
    newest_first = codes(sorted(reports, key=lambda r: (r.received_at, r.pk), reverse=True))
    client = Client()
    body = client.get("/phan-anh/").content.decode()
    assert 'id="report-count">Hơn 4 phản ánh<' in body
    shown = re.findall(r'<tr data-code="([^"]+)"', body)
    assert shown == newest_first  # seven fit on one page of thirty
    body = client.get("/phan-anh/", {"q": "den duong"}).content.decode()
    assert 'id="report-count">2 phản ánh<' in body and "Trang sau" not in body
    monkeypatch.setattr("tinhso.feedback.views.LIST_PAGE_SIZE", 3)
    body = client.get("/phan-anh/", {"status": "received"}).content.decode()
    assert re.findall(r'<tr data-code="([^"]+)"', body) == newest_first[:3]
    after = re.search(r'href="\?status=received&amp;after=([^"]+)" rel="next">Trang sau<', body).group(1)
    body = client.get("/phan-anh/", {"status": "received", "after": after}).content.decode()
    assert re.findall(r'<tr data-code="([^"]+)"', body) == newest_first[3:6]
    assert 'rel="prev">Trang trước<' in body and 'rel="first">Mới nhất<' in body
    assert client.get("/phan-anh/", {"after": "' OR 1=1 --", "before": "x" * 500}).status_code == 200
    assert client.get("/phan-anh/", {"after": "PA\x00"}).status_code == 400  # NUL bytes: refused before the view


def test_open311_reads_a_bounded_window_when_given_no_start(place):
    old, recent = file_many(place, DESCRIPTIONS[:2])
    end = timezone.now()
    Report.objects.filter(pk=old.pk).update(received_at=end - timedelta(days=100))
    Report.objects.filter(pk=recent.pk).update(received_at=end - timedelta(days=10))
    client = Client()

    def ids(**params):
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 200
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [recent.code]  # the spec's default: the most recent 90 days
    assert ids(end_date=(end - timedelta(days=5)).isoformat()) == [recent.code]  # 90 days ending there
    assert ids(end_date=(end - timedelta(days=50)).isoformat()) == [old.code]
    assert ids(start_date=(end - timedelta(days=200)).isoformat()) == [recent.code, old.code]
