import pytest


@pytest.fixture(autouse=True)
def _seal_after_every_call(settings):
    """The gateway's tests read the access log and the usage counters right after a call: seal after each one
    (production seals at most every TINHSO_GATEWAY_SEAL_SECONDS per process). Tests of unsealed rows override it."""
    settings.TINHSO_GATEWAY_SEAL_SECONDS = 0
