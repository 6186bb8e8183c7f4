"""Gateway calls per day reach the IOC's platform pillar as an indicator (the dashboard reads indicators only)."""

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tinhso.gateway.measures import CALLS_PER_DAY
from tinhso.indicators.models import Indicator, IndicatorValue
from tinhso.indicators.services import computed_values_refresh, definitions_load

from .factories import make_client, token_for

pytestmark = pytest.mark.django_db


def test_calls_per_day_is_a_computed_platform_indicator_per_unit_and_owner_agency(world):
    definitions_load(actor=None)
    indicator = Indicator.objects.get(code=CALLS_PER_DAY)
    assert (indicator.pillar, indicator.source_kind) == ("nen_tang", "computed")
    client = make_client(world, services_=["registry"], owner=world.justice)
    http = HttpClient(headers={"Authorization": f"Bearer {token_for(world, client)}"})
    for _ in range(4):
        assert http.get("/lien-thong/api/units").status_code == 200
    http.get("/lien-thong/api/procedures")  # refused calls count too: they used the gateway
    computed_values_refresh(root=world.province)
    today = timezone.localdate()
    days = (today - today.replace(month=1, day=1)).days + 1
    province = IndicatorValue.objects.get(indicator=indicator, unit=world.province, is_current=True)
    assert province.numerator == 5 and province.denominator == days
    assert province.value == pytest.approx(5 / days, abs=1e-3)
    agency = IndicatorValue.objects.get(indicator=indicator, agency=world.justice, is_current=True)
    assert agency.numerator == 5
    overview = HttpClient().get("/dashboard/")
    assert overview.status_code == 200
    assert indicator.name in overview.content.decode()
