"""Datasets come from registered sources; a province administrator describes, publishes, unpublishes (audited)."""

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.core.exceptions import NotFound, PermissionDenied, ValidationError
from tinhso.opendata import registry, selectors, services
from tinhso.opendata.models import Dataset

pytestmark = pytest.mark.django_db

BUILTIN = {"indicator-values", "dossier-statistics-ii06a", "procedure-catalogue", "unit-registry", "agency-registry"}


@pytest.mark.smoke
def test_sync_creates_one_unpublished_dataset_per_registered_source(world, settings):
    settings.TINHSO_PROVINCE_CODE = world.province.code
    counts = services.datasets_sync(actor=None)
    assert counts["created"] == len(registry.sources()) >= 5
    assert BUILTIN <= set(Dataset.objects.values_list("source_key", flat=True))
    assert not Dataset.objects.filter(is_published=True).exists()
    agencies = Dataset.objects.get(source_key="agency-registry")
    assert agencies.publisher == world.committee and agencies.spatial == world.province
    assert agencies.licence == "cc-by-4.0" and agencies.themes.filter(code="GOVE").exists()
    # Idempotent: a second sync creates nothing.
    assert services.datasets_sync(actor=None)["created"] == 0


def test_a_later_domain_registers_its_source_the_same_way(world, settings):
    source = registry.register(registry.Source(
        key="test-feedback", slug="phan-anh-theo-thang", title="Phản ánh theo tháng", description="Thử nghiệm.",
        columns=(registry.Column("month", "Tháng"), registry.Column("count", "Số phản ánh", "int")),
        fetch=lambda offset, limit: registry.slice_rows(iter([("2026-01", 3), ("2026-02", 5)]), offset, limit),
        count=lambda: 2))
    try:
        services.datasets_sync(actor=None)
        dataset = Dataset.objects.get(source_key="test-feedback")
        assert list(selectors.source_of(dataset).rows(1)) == [("2026-02", 5)]
    finally:
        registry._SOURCES.pop(source.key)


def test_province_admin_publishes_and_unpublishes_and_each_change_is_audited(world, settings):
    settings.TINHSO_PROVINCE_CODE = world.province.code
    services.datasets_sync(actor=None)
    admin = world.users["province_admin"]
    with pytest.raises(NotFound):
        selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")  # unpublished: hidden from the public
    services.dataset_publish(actor=admin, key="danh-muc-co-quan-ma-dinh-danh")
    assert selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh").is_published
    services.dataset_publish(actor=admin, key="danh-muc-co-quan-ma-dinh-danh", published=False)
    with pytest.raises(NotFound):
        selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    actions = list(AuditEvent.objects.filter(action__in=["opendata.dataset.publish", "opendata.dataset.unpublish"])
                   .order_by("seq").values_list("action", "actor_id"))
    assert actions == [("opendata.dataset.publish", admin.pk), ("opendata.dataset.unpublish", admin.pk)]


@pytest.mark.parametrize("persona", ["citizen", "processing_officer", "agency_leader", "unit_admin",
                                     "system_client"])
def test_only_a_province_admin_may_publish(world, settings, persona):
    settings.TINHSO_PROVINCE_CODE = world.province.code
    services.datasets_sync(actor=None)
    with pytest.raises((PermissionDenied, NotFound)):
        services.dataset_publish(actor=world.users[persona], key="danh-muc-co-quan-ma-dinh-danh")
    assert not Dataset.objects.filter(is_published=True).exists()


def test_describe_dataset_changes_fields_and_audits_the_diff(catalogue):
    admin = catalogue.users["province_admin"]
    dataset = services.dataset_update(actor=admin, key="danh-muc-thu-tuc-hanh-chinh", data={
        "title": "Danh mục TTHC", "tags": ["dịch vụ công", "một cửa"], "themes": ["GOVE"], "frequency": "MONTHLY",
        "publisher": "000.00.03.h56"})
    assert dataset.title == "Danh mục TTHC" and dataset.publisher == catalogue.justice
    assert sorted(t.name for t in dataset.tags.all()) == ["dịch vụ công", "một cửa"]
    event = AuditEvent.objects.get(action="opendata.dataset.update")
    assert event.changes["title"][1] == "Danh mục TTHC" and event.changes["frequency"] == ["IRREG", "MONTHLY"]
    assert " mot cua " in Dataset.objects.get(pk=dataset.pk).search_key


def test_bad_description_is_refused_field_by_field_with_no_write(catalogue):
    admin = catalogue.users["province_admin"]
    before = Dataset.objects.get(slug="danh-muc-thu-tuc-hanh-chinh")
    with pytest.raises(ValidationError) as caught:
        services.dataset_update(actor=admin, key=before.slug, data={
            "title": "Tên mới", "licence": "proprietary", "themes": ["XYZ"], "publisher": "999.99.99.H99"})
    assert set(caught.value.field_errors) == {"licence", "themes", "publisher"}
    after = Dataset.objects.get(pk=before.pk)
    assert after.title == before.title and not AuditEvent.objects.filter(action="opendata.dataset.update").exists()
