from tests.matrix import EVERYONE, Request, case

PROVINCE_ADMIN = {"province_admin"}
UNITS = "danh-muc-don-vi-hanh-chinh"


def _catalogue(w, *, published: bool = True) -> None:
    from django.test import override_settings

    from tinhso.opendata import services

    with override_settings(TINHSO_PROVINCE_CODE=w.province.code):
        services.datasets_sync(actor=None)
    if published:
        services.dataset_publish_all(actor=None)


def _with(published: bool, request: Request):
    def build(w):
        _catalogue(w, published=published)
        return request
    return build


MATRIX = {
    ("GET", "/api/v1/opendata/datasets"): case(_with(True, Request("/api/v1/opendata/datasets")), EVERYONE),
    ("GET", "/api/v1/opendata/datasets/{slug}"): case(
        _with(True, Request(f"/api/v1/opendata/datasets/{UNITS}")), EVERYONE),
    ("PATCH", "/api/v1/opendata/datasets/{slug}"): case(
        _with(True, Request(f"/api/v1/opendata/datasets/{UNITS}", json={"tags": ["địa giới"]})), PROVINCE_ADMIN),
    # Unpublished datasets are not revealed to anyone but the province administrator (404 for the others).
    ("POST", "/api/v1/opendata/datasets/{slug}/publish"): case(
        _with(False, Request(f"/api/v1/opendata/datasets/{UNITS}/publish")), PROVINCE_ADMIN),
    ("POST", "/api/v1/opendata/datasets/{slug}/unpublish"): case(
        _with(True, Request(f"/api/v1/opendata/datasets/{UNITS}/unpublish")), PROVINCE_ADMIN),
    ("POST", "/api/v1/opendata/sync"): case(lambda w: Request("/api/v1/opendata/sync"), PROVINCE_ADMIN),
}
