"""The navigation shows each role only what it may open (issue 9)."""

import pytest

pytestmark = pytest.mark.smoke


def _nav(world, persona) -> str:
    page = world.client_for(persona).get("/thu-tuc/").content.decode()
    return page[page.index('<nav id="site-nav"'):page.index("</nav>")]


def test_a_citizen_sees_no_officer_or_admin_entries(world):
    nav = _nav(world, "citizen")
    assert "Hồ sơ của tôi" in nav
    for entry in ("Thống kê", "Báo cáo chỉ tiêu", "Nhật ký", "Văn bản", "Mẫu thông báo"):
        assert entry not in nav


def test_an_officer_sees_work_entries_but_not_the_admin_ones(world):
    nav = _nav(world, "processing_officer")
    assert "Văn bản" in nav and "Thống kê" in nav
    assert "Mẫu thông báo" not in nav


def test_the_province_admin_sees_the_audit_log_and_the_templates(world):
    nav = _nav(world, "province_admin")
    assert "Nhật ký" in nav and "Mẫu thông báo" in nav
