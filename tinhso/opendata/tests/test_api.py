"""/api/v1/opendata: the catalogue for the platform's clients; describing and publishing for administrators."""

import pytest

from tinhso.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
UNITS = "danh-muc-don-vi-hanh-chinh"


@pytest.mark.smoke
def test_public_list_shows_published_datasets_with_their_resources(catalogue, client):
    body = client.get("/api/v1/opendata/datasets").json()
    assert body["total"] == 5
    units = next(d for d in body["items"] if d["slug"] == UNITS)
    assert [r["format"] for r in units["resources"]] == ["CSV", "JSON", "XLSX"]
    assert units["publisher"] == "000.00.00.H56" and units["licence"] == "cc-by-4.0"


def test_unpublished_datasets_only_for_the_province_admin(catalogue):
    admin = catalogue.client_for("province_admin")
    assert admin.post(f"/api/v1/opendata/datasets/{UNITS}/unpublish").json()["is_published"] is False
    assert catalogue.client_for("anonymous").get(f"/api/v1/opendata/datasets/{UNITS}").status_code == 404
    assert catalogue.client_for("agency_leader").get(
        "/api/v1/opendata/datasets", {"include_unpublished": "true"}).status_code == 403
    every = admin.get("/api/v1/opendata/datasets", {"include_unpublished": "true"}).json()
    assert every["total"] == 5 and admin.get(f"/api/v1/opendata/datasets/{UNITS}").status_code == 200
    assert AuditEvent.objects.filter(action="opendata.dataset.unpublish").count() == 1


def test_patch_validates_field_by_field(catalogue):
    admin = catalogue.client_for("province_admin")
    response = admin.patch(f"/api/v1/opendata/datasets/{UNITS}", {"licence": "all-rights-reserved", "title": ""},
                           content_type="application/json")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"licence", "title"}
    ok = admin.patch(f"/api/v1/opendata/datasets/{UNITS}", {"description": "Mô tả mới.", "themes": ["regi"]},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["description"] == "Mô tả mới."
    assert [t["code"] for t in ok.json()["themes"]] == ["REGI"]
