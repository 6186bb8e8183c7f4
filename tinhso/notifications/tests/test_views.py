import pytest

from tinhso.notifications.choices import Channel
from tinhso.notifications.models import MessageTemplate
from tinhso.notifications.services import Recipient, notify, unsubscribe_path

pytestmark = pytest.mark.smoke


def _greet(user, **kw):
    return notify(kind="test.greeting", context={"ten": "Dân", "ma": "HS-9"}, recipient=Recipient(user=user),
                  channels=(Channel.IN_APP,), **kw)[0]


def test_inbox_shows_the_unread_count_in_the_header_and_opening_marks_read(world):
    citizen = world.users["citizen"]
    n = _greet(citizen, link="/ho-so/cua-toi/")
    client = world.client_for("citizen")
    page = client.get("/thong-bao/").content.decode()
    assert "Hồ sơ HS-9 đã được tiếp nhận." in page
    assert 'aria-label="1 thông báo chưa đọc"' in page
    response = client.post(f"/thong-bao/{n.pk}/mo/")
    assert response.status_code == 302 and response["Location"] == "/ho-so/cua-toi/"
    assert "thông báo chưa đọc" not in client.get("/thong-bao/").content.decode()


def test_an_open_redirect_through_a_message_link_is_refused(world):
    n = _greet(world.users["citizen"], link="https://ke-gian.example/")
    response = world.client_for("citizen").post(f"/thong-bao/{n.pk}/mo/")
    assert response["Location"] == "/thong-bao/"


def test_someone_elses_message_is_404(world):
    n = _greet(world.users["citizen"])
    assert world.client_for("processing_officer").post(f"/thong-bao/{n.pk}/mo/").status_code == 404


def test_citizen_turns_sms_off_on_the_settings_page(world):
    client = world.client_for("citizen")
    client.post("/thong-bao/cai-dat/", {"email": "on"})
    page = client.get("/thong-bao/cai-dat/").content.decode()
    assert 'name="email" checked' in page and 'name="sms" checked' not in page


def test_province_admin_edits_a_template_and_a_bad_placeholder_is_shown_on_the_field(world):
    client = world.client_for("province_admin")
    assert "Lời chào thử" in client.get("/thong-bao/mau/").content.decode()
    bad = client.post("/thong-bao/mau/test.greeting/sms/", {"body": "Ma {bi_mat}"})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    assert "không dùng được" in bad.content.decode()
    ok = client.post("/thong-bao/mau/test.greeting/sms/", {"body": "Ma ho so {ma}"})
    assert ok.status_code == 302
    assert MessageTemplate.objects.get(kind="test.greeting", channel="sms").body == "Ma ho so {ma}"


@pytest.mark.parametrize("persona", ["unit_admin", "citizen", "receiving_officer"])
def test_templates_and_delivery_log_are_closed_to_others(world, persona):
    client = world.client_for(persona)
    assert client.get("/thong-bao/mau/").status_code == 403
    assert client.get("/thong-bao/nhat-ky-gui/").status_code == 403


def test_delivery_log_lists_sms_for_the_province_admin(world):
    notify(kind="test.greeting", context={"ten": "Dân", "ma": "HS-9"}, recipient=Recipient(phone="0912345678"))
    page = world.client_for("province_admin").get("/thong-bao/nhat-ky-gui/?channel=sms").content.decode()
    assert "0912345678" in page and "Đang chờ gửi" in page


def test_unsubscribe_page_asks_then_confirms(db, client):
    path = unsubscribe_path(Channel.EMAIL, "dan@example.vn")
    assert "da***@example.vn" in client.get(path).content.decode()
    assert "Đã hủy nhận thông báo" in client.post(path).content.decode()
    assert client.get("/thong-bao/huy-nhan/sai/").status_code == 404
