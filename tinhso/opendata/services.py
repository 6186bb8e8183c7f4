"""Every write to the catalogue: datasets created from registered sources, described, published, unpublished.

Each change is audited. Rows are never stored: a dataset's rows are read live from its source.
"""

from django.db import transaction
from django.utils import timezone

from tinhso.audit.services import audit_record, diff
from tinhso.core.exceptions import ValidationError
from tinhso.org import selectors as org_selectors
from tinhso.org.choices import AgencyKind

from . import registry
from .choices import Frequency, Licence, Theme
from .models import Dataset, DatasetTag, DatasetTheme
from .selectors import dataset_get, require_manager, system_dataset_get

MAX_TAGS = 20
EDITABLE = ("title", "description", "licence", "frequency", "provenance", "themes", "tags", "publisher")


def _default_publisher():
    """The provincial People's Committee publishes the province's data unless the administrator says otherwise."""
    return org_selectors.agency_list(kind=AgencyKind.PROVINCIAL_COMMITTEE).first()


def _set_tags(dataset: Dataset, names: list[str]) -> list[str]:
    tags = [DatasetTag.objects.get_or_create(name=n)[0] for n in names]
    dataset.tags.set(tags)
    return names


def _set_themes(dataset: Dataset, codes: list[str]) -> None:
    dataset.themes.set([DatasetTheme.objects.get_or_create(code=c)[0] for c in codes])


def _snapshot(dataset: Dataset) -> dict:
    return {"title": dataset.title, "description": dataset.description, "licence": dataset.licence,
            "frequency": dataset.frequency, "provenance": dataset.provenance,
            "publisher": dataset.publisher.identifier_code if dataset.publisher_id else None,
            "themes": sorted(t.code for t in dataset.themes.all()),
            "tags": sorted(t.name for t in dataset.tags.all()), "is_published": dataset.is_published}


@transaction.atomic
def datasets_sync(*, actor=None) -> dict[str, int]:
    """A Dataset row (unpublished) for each registered source that has none; refresh the temporal coverage and
    the spatial coverage (the home province) of all of them."""
    if actor is not None:
        require_manager(actor)
    created = refreshed = 0
    province = org_selectors.home_province()
    publisher = _default_publisher()
    existing = {d.source_key: d for d in Dataset.objects.all()}
    for source in registry.sources():
        dataset = existing.get(source.key)
        if dataset is None:
            dataset = Dataset(source_key=source.key, slug=source.dataset_slug, title=source.title,
                              description=source.description, frequency=source.frequency,
                              provenance=source.provenance, publisher=publisher, licence=Licence.CC_BY_4_0)
            dataset.refresh_keys(list(source.tags))
            dataset.save()
            _set_tags(dataset, list(source.tags))
            _set_themes(dataset, list(source.themes))
            created += 1
            audit_record(actor=actor, action="opendata.dataset.create", obj=dataset,
                         summary=f"Tạo bộ dữ liệu mở “{dataset.title}” từ nguồn {source.key} (chưa công bố)")
        changes = {}
        if source.temporal is not None:
            start, end = source.temporal()
            if (start, end) != (dataset.temporal_start, dataset.temporal_end):
                changes.update(temporal_start=start, temporal_end=end)
        if source.spatial_is_province and province is not None and dataset.spatial_id != province.pk:
            changes["spatial"] = province
        if dataset.publisher_id is None and publisher is not None:
            changes["publisher"] = publisher
        if changes:
            for name, value in changes.items():
                setattr(dataset, name, value)
            dataset.save(update_fields=[*changes, "updated_at"])
            refreshed += 1
    return {"created": created, "refreshed": refreshed, "sources": len(registry.sources())}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value)


def _clean(data: dict) -> dict:
    """Field-level validation of an edit; returns the cleaned values of the fields given."""
    errors: dict[str, list[str]] = {}
    out = {}
    for name, value in data.items():
        if _has_nul(value):
            errors.setdefault(name, []).append("Không được chứa ký tự NUL.")
            continue
        if name not in EDITABLE:
            errors.setdefault(name, []).append("Trường này không sửa được.")
            continue
        if name == "title":
            value = (value or "").strip()
            if not value:
                errors.setdefault(name, []).append("Hãy nhập tên bộ dữ liệu.")
            elif len(value) > 300:
                errors.setdefault(name, []).append("Tên bộ dữ liệu tối đa 300 ký tự.")
        elif name in ("description", "provenance"):
            value = (value or "").strip()
            if len(value) > 10_000:
                errors.setdefault(name, []).append("Tối đa 10.000 ký tự.")
        elif name == "licence" and value not in Licence.values:
            errors.setdefault(name, []).append(f"Giấy phép không hợp lệ; dùng: {', '.join(Licence.values)}.")
        elif name == "frequency" and value not in Frequency.values:
            errors.setdefault(name, []).append(f"Tần suất không hợp lệ; dùng: {', '.join(Frequency.values)}.")
        elif name == "themes":
            value = [str(v).upper() for v in (value or [])]
            bad = [v for v in value if v not in Theme.values]
            if bad:
                errors.setdefault(name, []).append(f"Chủ đề không hợp lệ: {', '.join(bad[:5])}.")
        elif name == "tags":
            value = list(dict.fromkeys(t.strip() for t in (value or []) if isinstance(t, str) and t.strip()))
            if len(value) > MAX_TAGS:
                errors.setdefault(name, []).append(f"Tối đa {MAX_TAGS} từ khóa.")
            elif any(len(t) > 100 for t in value):
                errors.setdefault(name, []).append("Mỗi từ khóa tối đa 100 ký tự.")
        elif name == "publisher":
            code = (value or "").strip()
            agency = org_selectors.agency_list().filter(identifier_code=code.upper()).first() if code else None
            if agency is None:
                errors.setdefault(name, []).append(f"Không có cơ quan mã định danh “{code[:20]}”.")
            value = agency
        out[name] = value
    if errors:
        raise ValidationError("Thông tin bộ dữ liệu chưa hợp lệ.", field_errors=errors)
    return out


@transaction.atomic
def dataset_update(*, actor, key: str, data: dict) -> Dataset:
    """Describe a dataset: title, description, licence, frequency, provenance, themes, tags, publisher."""
    if actor is not None:
        require_manager(actor)
    cleaned = _clean(data)
    dataset = _locked(actor, key)
    before = _snapshot(dataset)
    for name in ("title", "description", "licence", "frequency", "provenance", "publisher"):
        if name in cleaned:
            setattr(dataset, name, cleaned[name])
    if "themes" in cleaned:
        _set_themes(dataset, cleaned["themes"])
    tags = _set_tags(dataset, cleaned["tags"]) if "tags" in cleaned else None
    dataset.refresh_keys(tags)
    dataset.save()
    changes = diff(before, _snapshot(dataset))
    if changes:
        audit_record(actor=actor, action="opendata.dataset.update", obj=dataset, changes=changes,
                     summary=f"Sửa mô tả bộ dữ liệu mở “{dataset.title}”")
    return _fresh(actor, dataset)


def _locked(actor, key: str) -> Dataset:
    """The dataset row, locked; actor None is the system (the demo, the command line)."""
    found = system_dataset_get(key=key) if actor is None else dataset_get(key=key, user=actor)
    return Dataset.objects.select_for_update().get(pk=found.pk)


def _fresh(actor, dataset: Dataset) -> Dataset:
    return system_dataset_get(key=dataset.slug) if actor is None else dataset_get(key=dataset.slug, user=actor)


@transaction.atomic
def dataset_publish(*, actor, key: str, published: bool = True) -> Dataset:
    """Publish (or unpublish) a dataset: once published, anyone can find, read and download it."""
    if actor is not None:
        require_manager(actor)
    dataset = _locked(actor, key)
    if dataset.is_published == published:
        return _fresh(actor, dataset)
    dataset.is_published = published
    dataset.published_at = timezone.now() if published else None
    dataset.save(update_fields=["is_published", "published_at", "updated_at"])
    verb = "Công bố" if published else "Ngừng công bố"
    audit_record(actor=actor, action="opendata.dataset.publish" if published else "opendata.dataset.unpublish",
                 obj=dataset, changes={"is_published": [not published, published]},
                 summary=f"{verb} bộ dữ liệu mở “{dataset.title}”")
    return _fresh(actor, dataset)


@transaction.atomic
def dataset_publish_all(*, actor=None) -> int:
    """Publish every unpublished dataset (the demo province publishes its built-in datasets)."""
    slugs = list(Dataset.objects.filter(is_published=False).values_list("slug", flat=True))
    for slug in slugs:
        dataset_publish(actor=actor, key=slug, published=True)
    return len(slugs)
