"""Attack: an injected script runs because the site sends no Content-Security-Policy, and pages themselves rely on
inline scripts and event handlers that a strict policy would block.

Every page is sent with a CSP whose script-src is only 'self' (no 'unsafe-inline', no 'unsafe-eval'), and no
page carries an inline script, an on*= handler attribute or htmx's eval-based hx-on."""

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
PAGES = [
    ("anonymous", "/"), ("anonymous", "/thu-tuc/"), ("anonymous", "/don-vi/"), ("anonymous", "/don-vi/co-quan/"),
    ("anonymous", "/ho-so/tra-cuu/"), ("anonymous", "/dashboard/"), ("anonymous", "/hoi-dap/"),
    ("anonymous", "/tai-khoan/dang-nhap/"), ("citizen", "/ho-so/cua-toi/"), ("receiving_officer", "/ho-so/xu-ly/"),
    ("province_admin", "/thong-ke/"), ("province_admin", "/nhat-ky/"), ("province_admin", "/chi-so/bao-cao/"),
    ("anonymous", "/khong-co-trang-nay/"),
]


@pytest.fixture(autouse=True)
def _home(settings, world):
    settings.TINHSO_PROVINCE_CODE = world.province.code


@pytest.mark.parametrize(("persona", "path"), PAGES)
def test_every_page_is_sent_with_a_strict_script_policy_and_has_no_inline_script(world, persona, path):
    response = world.client_for(persona).get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe" not in script_src
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html), (path, INLINE_SCRIPT.findall(html))
    assert not HANDLER.findall(html), (path, HANDLER.findall(html))
