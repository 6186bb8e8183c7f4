"""Open311 GeoReport v2: driven by the third-party `georeport` client (GET) against a live server, and by plain
form-encoded HTTP POST as the spec describes."""

import json
from xml.etree import ElementTree

import pytest
import requests
from django.test import Client
from georeport import GeoReport

from tinhso.feedback.models import Report, ReportPhoto

from .conftest import HANOI, HOANG_HOA, QUANG_XUONG, build_place
from .factories import png

BASE = "/open311/v2"


def post(client: Client, data: dict, files: dict | None = None):
    return client.post(f"{BASE}/requests.json", data={**data, **(files or {})})


def valid(place, **extra) -> dict:
    return {"api_key": place.api_key, "service_code": place.road.code, "lat": str(HOANG_HOA[0] + 0.005),
            "long": str(HOANG_HOA[1]), "description": "Ổ gà sâu giữa đường liên xã",
            "first_name": "Lê", "last_name": "Thị Hoa", "phone": "0912345678", "email": "hoa@example.vn",
            "address_string": "Số 12 ngõ 3 thôn Đông", "attribute[muc_do]": "nang"} | extra


@pytest.mark.django_db(transaction=True)
def test_georeport_lists_services_a_form_post_creates_a_request_and_georeport_reads_it_back(live_server, world,
                                                                                           settings):
    place = build_place(world, settings)
    root = live_server.url + BASE
    client = GeoReport(root)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} == {"duong-hong", "den-duong", "chay-no"}
    road = next(s for s in services if s["service_code"] == "duong-hong")
    assert road["service_name"] == "Đường hư hỏng, ổ gà" and road["metadata"] is True and road["type"] == "realtime"
    definition = client.get_service_definition("duong-hong")
    assert definition["attributes"][0]["code"] == "muc_do"
    assert [v["key"] for v in definition["attributes"][0]["values"]] == ["nhe", "nang"]
    xml_services = GeoReport(root, output_format="xml").get_service_list()
    assert {s["service_code"] for s in xml_services} == {"duong-hong", "den-duong", "chay-no"}

    # POST with plain form-encoded HTTP, as the spec describes.
    response = requests.post(f"{root}/requests.json", data=valid(place), timeout=30)
    assert response.status_code == 201, response.text
    created = response.json()[0]
    code, token = created["service_request_id"], created["token"]
    assert code.startswith("PA") and token

    read = client.get_service_request(code)
    assert read["service_code"] == "duong-hong" and read["status"] == "open"
    assert read["status_notes"] == "Đã tiếp nhận"
    assert read["address"] == world.commune.name and read["address_id"] == world.commune.code
    assert abs(read["lat"] - (HOANG_HOA[0] + 0.005)) < 0.001 and abs(read["long"] - HOANG_HOA[1]) < 0.001
    assert read["agency_responsible"] == world.commune_committee.name
    listed = client.get_service_requests(service_code="duong-hong", status="open")
    assert [r["service_request_id"] for r in listed] == [code]
    xml_one = GeoReport(root, output_format="xml").get_service_request(code)
    assert xml_one["service_request_id"] == code and xml_one["status"] == "open"
    token_reply = requests.get(f"{root}/tokens/{token}.json", timeout=30).json()
    assert token_reply == [{"service_request_id": code, "token": token}]

    # Nothing personal is published: not the name, phone, e-mail nor the exact address.
    for path in (f"{root}/requests/{code}.json", f"{root}/requests/{code}.xml", f"{root}/requests.json",
                 f"{live_server.url}/phan-anh/", f"{live_server.url}/phan-anh/{code}/"):
        text = requests.get(path, timeout=30).text
        for secret in ("Thị Hoa", "0912345678", "hoa@example.vn", "Số 12 ngõ 3"):
            assert secret not in text, (path, secret)

    # It appears on the public list and map, in the right commune.
    page = requests.get(f"{live_server.url}/phan-anh/", params={"commune": world.commune.code}, timeout=30).text
    assert code in page
    assert code not in requests.get(f"{live_server.url}/phan-anh/",
                                    params={"commune": world.other_commune.code}, timeout=30).text
    map_data = page.split('id="feedback-map-data" type="application/json">')[1].split("</script>")[0]
    points = json.loads(map_data)
    assert [r["code"] for r in points["reports"]] == [code]
    assert next(c for c in points["communes"] if c["code"] == world.commune.code)["count"] == 1


@pytest.fixture
def place(world, settings):
    return build_place(world, settings)


@pytest.mark.smoke
@pytest.mark.django_db
def test_bad_input_gets_the_spec_error_format_and_nothing_is_written(place):
    client = Client()
    cases = [
        (valid(place, service_code="khong-co"), None, 400, "service_code"),
        (valid(place, lat=str(HANOI[0]), long=str(HANOI[1])), None, 400, "ngoài địa bàn"),
        (valid(place), {"media": _upload("anh.png", b"GIF89a not really an image")}, 400, "không phải ảnh"),
        ({k: v for k, v in valid(place).items() if k != "api_key"}, None, 403, "api_key"),
        (valid(place, api_key="sai-khoa"), None, 403, "api_key"),
    ]
    for data, files, status, words in cases:
        response = post(client, data, files)
        assert response.status_code == status, (data, response.content)
        body = response.json()
        assert isinstance(body, list) and body[0]["code"] == status and words in body[0]["description"], body
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    xml = client.post(f"{BASE}/requests.xml", data=valid(place, service_code="khong-co"))
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"
    assert "khong-co" in root.find("error/description").text
    assert client.get(f"{BASE}/services/khong-co.json").json()[0]["code"] == 404
    assert client.get(f"{BASE}/requests/PA999999.json").status_code == 404
    assert client.get(f"{BASE}/requests.json", {"start_date": "hôm qua"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


@pytest.mark.django_db
def test_a_ten_kilobyte_script_in_the_description_is_kept_and_shown_as_text(place):
    script = "<script>alert('xss')</script>" + "x" * 10_000
    response = post(Client(), valid(place, description=script))
    assert response.status_code == 201
    code = response.json()[0]["service_request_id"]
    assert Client().get(f"{BASE}/requests/{code}.json").json()[0]["description"] == script
    page = Client().get(f"/phan-anh/{code}/").content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page


@pytest.mark.django_db
def test_filters_of_the_spec(place):
    client = Client()
    first = post(client, valid(place)).json()[0]["service_request_id"]
    second = post(client, valid(place, service_code=place.light.code, lat=str(QUANG_XUONG[0]),
                                long=str(QUANG_XUONG[1]))).json()[0]["service_request_id"]
    Report.objects.filter(code=first).update(status="closed")

    def ids(**params):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]

    assert ids() == [second, first]
    assert ids(status="open") == [second] and ids(status="closed") == [first]
    assert ids(service_code=place.light.code) == [second]
    assert ids(service_request_id=f"{first},{second}", status="open") == [second, first]  # id overrides
    assert ids(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    closed = client.get(f"{BASE}/requests/{first}.json").json()[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "Đã đóng"
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert client.get(f"{BASE}/requests.json", {"jurisdiction_id": "01"}).status_code == 404


@pytest.mark.django_db
def test_updates_flow_both_ways_through_the_extension(place):
    client = Client()
    created = post(client, valid(place, lat=str(QUANG_XUONG[0]), long=str(QUANG_XUONG[1]))).json()[0]
    code, token = created["service_request_id"], created["token"]
    from tinhso.feedback import services

    services.report_comment(actor=place.world.users["processing_officer"], code=code, note="Đã cử người kiểm tra.")
    services.report_comment(actor=place.world.users["processing_officer"], code=code, note="nội bộ", internal=True)
    reply = client.post(f"{BASE}/requests/{code}/updates.json",
                        data={"api_key": place.api_key, "token": token, "description": "Cảm ơn, tôi chờ."})
    assert reply.status_code == 201
    updates = client.get(f"{BASE}/requests/{code}/updates.json").json()
    descriptions = [u["description"] for u in updates]
    assert descriptions[1:] == ["Cơ quan xử lý: Đã cử người kiểm tra.", "Người phản ánh: Cảm ơn, tôi chờ."]
    assert all("nội bộ" not in d for d in descriptions)
    wrong = client.post(f"{BASE}/requests/{code}/updates.json",
                        data={"api_key": place.api_key, "token": "sai", "description": "x"})
    assert wrong.status_code == 404 and wrong.json()[0]["code"] == 404


@pytest.mark.django_db
def test_photos_are_checked_and_each_key_is_rate_limited(place, settings):
    settings.TINHSO_THROTTLES = {"feedback.submit.key": {"limit": 2, "window": 600}}
    client = Client()
    ok = post(client, valid(place), {"media": _upload("a.png", png())})
    assert ok.status_code == 201
    assert ReportPhoto.objects.count() == 1
    assert post(client, valid(place)).status_code == 201
    throttled = post(client, valid(place))
    assert throttled.status_code == 429 and throttled.json()[0]["code"] == 429
    assert Report.objects.count() == 2


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.mark.django_db
def test_a_listed_request_equals_its_detail_for_photos_duplicates_and_reopened_reports(place):
    """The list reads values in one query, the detail reads the report: both give the same item."""
    client = Client()
    with_photo = post(client, valid(place), {"media": _upload("a.png", png())}).json()[0]["service_request_id"]
    original = post(client, valid(place)).json()[0]["service_request_id"]
    duplicate = post(client, valid(place)).json()[0]["service_request_id"]
    reopened = post(client, valid(place, service_code=place.light.code)).json()[0]["service_request_id"]
    Report.objects.filter(code=duplicate).update(status="rejected", reject_reason="duplicate",
                                                 duplicate_of=Report.objects.get(code=original))
    Report.objects.filter(code=reopened).update(reopen_count=2, answer="Đã thay bóng đèn")
    listed = {r["service_request_id"]: r for r in client.get(f"{BASE}/requests.json").json()}
    assert set(listed) == {with_photo, original, duplicate, reopened}
    for code, item in listed.items():
        assert client.get(f"{BASE}/requests/{code}.json").json()[0] == item
    assert listed[with_photo]["media_url"].endswith(f"/anh/{ReportPhoto.objects.get().pk}/")
    assert listed[original]["media_url"] == ""
    assert listed[duplicate]["status"] == "closed" and f"(phản ánh gốc {original})" in listed[duplicate]["status_notes"]
    assert listed[reopened]["status_notes"].endswith("(mở lại 2 lần)")
    assert listed[reopened]["service_notice"] == "Trả lời chính thức: Đã thay bóng đèn"
