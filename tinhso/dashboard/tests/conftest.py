"""Dashboard fixtures: the indicators' own test fixtures (definitions, the historical seed provinces, the published
figures, a year of dossiers), plus the computed values the background refresh would have produced."""

import pytest
from django.core.cache import cache

from tinhso.indicators.tests.conftest import definitions, operations, published, seed_units  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The overview is cached per (unit, year): each test starts from the database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def computed(world, operations):  # noqa: F811
    """Computed values and rankings of the world's province, as the background refresh leaves them."""
    from tinhso.indicators import rollups, services

    rollups.rebuild()
    services.computed_values_refresh(actor=None, root=world.province)
    services.rank_all(actor=None, root=world.province, years=[2025])
    return world
