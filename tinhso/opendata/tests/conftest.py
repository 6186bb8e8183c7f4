import pytest

from tinhso.opendata import services


@pytest.fixture
def catalogue(world, settings):
    """The world's province with every built-in dataset created and published."""
    settings.TINHSO_PROVINCE_CODE = world.province.code
    services.datasets_sync(actor=None)
    services.dataset_publish_all(actor=None)
    return world
