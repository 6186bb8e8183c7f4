import pytest

from tinhso.notifications import kinds
from tinhso.notifications.choices import Channel
from tinhso.notifications.kinds import Kind, Wording

TEST_KIND = Kind(
    key="test.greeting", label="Lời chào thử",
    placeholders={"ten": "Họ tên", "ma": "Mã hồ sơ"},
    wording={Channel.IN_APP: Wording(subject="Chào {ten}", body="Hồ sơ {ma} đã được tiếp nhận."),
             Channel.EMAIL: Wording(subject="Chào {ten}", body="Kính gửi {ten}, hồ sơ {ma} đã được tiếp nhận."),
             Channel.SMS: Wording(body="Ho so {ma} da duoc tiep nhan.")})


@pytest.fixture(autouse=True)
def test_kind():
    kinds.register(TEST_KIND)
    return TEST_KIND


@pytest.fixture
def immediate_tasks(settings):
    """Background tasks run at once when enqueued (django-tasks resets its backends on the setting change)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
