import pytest

from .vnpay_server import HASH_SECRET, TMN_CODE


@pytest.fixture
def vnpay_settings(settings):
    """A configured VNPAY terminal (the local test server's credentials); the demo simulator off."""
    settings.TINHSO_VNPAY_TMN_CODE = TMN_CODE
    settings.TINHSO_VNPAY_HASH_SECRET = HASH_SECRET
    settings.TINHSO_VNPAY_URL = "http://127.0.0.1:9/paymentv2/vpcpay.html"
    settings.TINHSO_VNPAY_SIMULATOR = ""
    return settings
