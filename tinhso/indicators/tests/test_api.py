"""The public overview and what needs a role."""

from datetime import date

import pytest

from tinhso.core.periods import year_period
from tinhso.indicators import rollups
from tinhso.indicators.services import computed_values_refresh

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
BASE = "/api/v1/indicators"


@pytest.fixture
def computed(world, operations):
    rollups.rebuild()
    computed_values_refresh(actor=None, root=world.province, periods=[year_period(2025)], today=date(2026, 1, 1))
    return world


def test_anonymous_visitor_reads_the_province_overview_with_2025_and_2030_targets(computed):
    rows = computed.client_for("anonymous").get(f"{BASE}/overview", {"year": 2025}).json()
    online = next(r for r in rows if r["indicator"] == "cq_ho_so_tthc_truc_tuyen_rate")
    assert online["unit_code"] == "38" and online["source"] == "computed"
    assert online["target_2025"]["value"] == 50 and online["target_2030"]["value"] == 80
    assert online["status"] in {"achieved", "on_track", "close", "behind"}


def test_anonymous_visitor_cannot_drill_down_to_a_commune(computed):
    client = computed.client_for("anonymous")
    assert client.get(f"{BASE}/overview", {"unit": "16000"}).status_code in (401, 403)
    assert client.get(f"{BASE}/values", {"unit": "16000"}).status_code in (401, 403)


def test_citizen_cannot_drill_down_but_an_officer_can(computed):
    path = f"{BASE}/definitions/cq_ho_so_tthc_truc_tuyen_rate/breakdown"
    assert computed.client_for("citizen").get(path, {"period": "2025"}).status_code == 403
    rows = computed.client_for("processing_officer").get(path, {"period": "2025"}).json()
    assert {r["key"]: (r["numerator"], r["denominator"]) for r in rows} == {"16000": (2, 5), "16001": (1, 2)}
    agencies = computed.client_for("processing_officer").get(
        path, {"period": "2025", "by": "agency", "unit": "16000"}).json()
    assert [r["key"] for r in agencies] == ["000.01.50.H56"]


def test_values_filter_by_pillar_and_period(computed):
    data = computed.client_for("anonymous").get(f"{BASE}/values", {"pillar": "chinh_quyen_so",
                                                                   "period": "2025"}).json()
    assert data["total"] > 0
    assert {i["period_start"] for i in data["items"]} == {"2025-01-01"}


def test_a_bad_period_gets_a_vietnamese_422(computed):
    response = computed.client_for("anonymous").get(f"{BASE}/values", {"period": "2025-13"})
    assert response.status_code == 422 and "Tháng" in response.json()["message"]


def test_computed_values_cannot_be_corrected_by_hand(computed):
    from tinhso.indicators.models import IndicatorValue

    value = IndicatorValue.objects.filter(source="computed", unit=computed.province).first()
    response = computed.client_for("province_admin").post(
        f"{BASE}/values/{value.pk}/corrections", {"value": 99, "reason": "thử"}, content_type="application/json")
    assert response.status_code == 422
    assert IndicatorValue.objects.filter(series_key=value.series_key).count() == 1
