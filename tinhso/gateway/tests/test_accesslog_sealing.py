"""The access log off the request path: each call's row is written unsealed at once, the sealer chains the rows in
order later; verification covers the sealed rows, reports the unsealed ones apart, and still finds a changed, a
deleted or an un-sealed row."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from tinhso.gateway.accesslog import access_log_seal, access_log_verify, unsealed_count
from tinhso.gateway.models import AccessLogEntry, AccessLogHead, UsageCounter

from .factories import make_client, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_sealing(settings):
    settings.TINHSO_GATEWAY_SEAL_SECONDS = 10**9  # the middleware never seals: only the tests do


def _calls(world, n=3, **limits):
    client = make_client(world, services_=["registry"], **limits)
    http = HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"})
    statuses = [http.get("/lien-thong/api/units").status_code for _ in range(n)]
    return client, http, statuses


def _verify(*args) -> str:
    out = io.StringIO()
    call_command("gateway_log_verify", *args, stdout=out)
    return out.getvalue()


@pytest.mark.smoke
def test_a_call_is_logged_unsealed_and_the_sealer_chains_it_in_order(world, no_sealing):
    _calls(world, n=3)
    rows = list(AccessLogEntry.objects.order_by("id"))
    assert len(rows) == 3 and all(r.seq is None and r.hash == "" and not r.sealed for r in rows)
    assert access_log_verify() == (0, None) and unsealed_count() == 3
    assert access_log_seal() == 3
    rows = list(AccessLogEntry.objects.order_by("id"))
    assert [r.seq for r in rows] == [1, 2, 3]
    assert (
        rows[0].prev_hash == "0" * 64
        and rows[1].prev_hash == rows[0].hash
        and rows[2].prev_hash == rows[1].hash
    )
    head = AccessLogHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, rows[2].hash)
    assert access_log_verify() == (3, None) and unsealed_count() == 0
    assert access_log_seal() == 0  # nothing left


def test_sealing_in_small_batches_continues_one_chain(world, no_sealing):
    _calls(world, n=5)
    assert access_log_seal(batch_size=2, limit=3) == 3
    assert unsealed_count() == 2 and access_log_verify() == (3, None)
    assert access_log_seal(batch_size=2) == 2
    assert access_log_verify() == (5, None)
    assert list(AccessLogEntry.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_the_verify_command_reports_unsealed_rows_apart_and_seals_first_when_asked(world, no_sealing):
    _calls(world, n=2)
    access_log_seal()
    _calls_more = HttpClient(
        headers={"Authorization": f"Bearer {token_for(world, AccessLogEntry.objects.first().client)}"}
    )
    _calls_more.get("/lien-thong/api/units")
    out = _verify()
    assert "toàn vẹn: 2 bản ghi đã niêm phong" in out and "Chưa niêm phong: 1 bản ghi" in out
    out = _verify("--seal")
    assert "Đã niêm phong 1 bản ghi" in out and "toàn vẹn: 3 bản ghi đã niêm phong" in out
    assert "Chưa niêm phong" not in out


def test_tampering_with_a_sealed_row_is_detected(world, no_sealing):
    _calls(world, n=3)
    access_log_seal()
    AccessLogEntry.objects.filter(seq=2).update(status=200, bytes=1)
    with pytest.raises(CommandError, match="bản ghi số 2.*đã bị thay đổi"):
        _verify()
    # sealing rows written after the tampering does not launder it
    with pytest.raises(CommandError, match="bản ghi số 2"):
        _verify("--seal")


def test_deleting_a_sealed_row_or_unsealing_it_is_detected(world, no_sealing):
    _, http, _ = _calls(world, n=4)
    access_log_seal()
    AccessLogEntry.objects.filter(seq=2).delete()
    http.get("/lien-thong/api/units")  # later calls are chained on after the gap; the gap stays visible
    access_log_seal()
    checked, problem = access_log_verify()
    assert checked == 1 and problem.seq == 2 and "đã bị xóa" in problem.reason


def test_putting_a_sealed_row_back_to_unsealed_is_detected(world, no_sealing):
    _calls(world, n=3)
    access_log_seal()
    AccessLogEntry.objects.filter(seq=3).update(seq=None, prev_hash="", hash="")  # hide the last call
    checked, problem = access_log_verify()
    assert checked == 2 and problem is not None and "đã bị xóa" in problem.reason
    access_log_seal()  # re-sealed as a new link: the chain no longer matches the head's hash
    _, problem = access_log_verify()
    assert problem is not None


def test_the_sealer_rolls_the_calls_up_into_the_usage_counters_once(world, no_sealing):
    client, _, _ = _calls(world, n=3)
    assert not UsageCounter.objects.exists()
    access_log_seal()
    counts = dict(UsageCounter.objects.filter(client=client).values_list("period", "count"))
    assert counts == {"minute": 3, "day": 3}
    access_log_seal()
    assert dict(UsageCounter.objects.filter(client=client).values_list("period", "count")) == counts


def test_the_quota_counts_sealed_and_unsealed_calls_alike(world, no_sealing):
    client, http, statuses = _calls(world, n=2, daily_quota=3)
    access_log_seal()  # two calls in the counters
    assert http.get("/lien-thong/api/units").status_code == 200  # the third, unsealed
    response = http.get("/lien-thong/api/units")
    assert response.status_code == 429 and response.json()["code"] == "quota_exceeded"
    assert 0 < int(response["Retry-After"]) <= 86400
    access_log_seal()
    assert http.get("/lien-thong/api/units").status_code == 429


def test_the_rate_limit_counts_unsealed_calls(world, no_sealing):
    _, http, statuses = _calls(world, n=2, rate_per_minute=2)
    assert statuses == [200, 200]
    response = http.get("/lien-thong/api/units")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_log_page_and_api_show_unsealed_rows_as_such(world, no_sealing):
    _calls(world, n=2)
    access_log_seal(limit=1)
    admin = world.client_for("province_admin")
    page = admin.get("/lien-thong/nhat-ky/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("chưa niêm phong</span>") == 1 and 'class="unsealed"' in html
    items = admin.get("/api/v1/gateway/access-log").json()["items"]
    assert [(i["seq"], i["sealed"]) for i in items] == [(None, False), (1, True)]


def test_the_middleware_seals_after_the_response_when_due(world, settings):
    settings.TINHSO_GATEWAY_SEAL_SECONDS = 0
    _calls(world, n=2)
    assert unsealed_count() == 0 and access_log_verify() == (2, None)


def test_a_call_that_finds_sealing_not_due_queues_a_seal_job_that_seals_the_rest(world, settings):
    import time

    from django_tasks_db.models import DBTaskResult

    from tinhso.gateway import accesslog
    from tinhso.gateway.tasks import seal_access_log

    settings.TINHSO_GATEWAY_SEAL_SECONDS = 60
    accesslog._last_seal[0], accesslog._last_scheduled[0] = time.monotonic(), float("-inf")
    _calls(world, n=2)  # neither seals (sealed a moment ago); the first queues one job, the second none
    assert unsealed_count() == 2
    jobs = DBTaskResult.objects.filter(task_path="tinhso.gateway.tasks.seal_access_log")
    assert jobs.count() == 1 and jobs.get().run_after is not None
    assert seal_access_log.call() == 2
    assert unsealed_count() == 0 and access_log_verify() == (2, None)
