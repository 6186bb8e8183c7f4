"""/api/v1/opendata: the catalogue for the platform's own clients (the CKAN Action API is the public standard
one, at /api/3/action/); describing and publishing datasets for province administrators."""

from django.urls import reverse
from ninja import Query, Router

from tinhso.api.schemas import ERROR_RESPONSES, Paging
from tinhso.core.pagination import paginate

from . import selectors, services
from .models import Dataset
from .schemas import DatasetOut, DatasetPage, DatasetPatch, SyncOut

router = Router(tags=["Dữ liệu mở"])


def _out(request, dataset: Dataset) -> dict:
    return {
        "id": str(dataset.uuid), "slug": dataset.slug, "title": dataset.title, "description": dataset.description,
        "source": dataset.source_key,
        "publisher": dataset.publisher.identifier_code if dataset.publisher_id else None,
        "publisher_name": dataset.publisher.name if dataset.publisher_id else None,
        "licence": dataset.licence, "licence_title": dataset.get_licence_display(), "frequency": dataset.frequency,
        "themes": [{"code": t.code, "title": t.get_code_display()} for t in dataset.themes.all()],
        "tags": [t.name for t in dataset.tags.all()], "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end, "spatial": dataset.spatial.code if dataset.spatial_id else None,
        "provenance": dataset.provenance, "is_published": dataset.is_published, "published_at": dataset.published_at,
        "updated_at": dataset.updated_at,
        "resources": [{"id": selectors.resource_id(dataset, f), "format": f.label,
                       "url": request.build_absolute_uri(reverse("opendata:download", args=[dataset.slug, f]))}
                      for f in selectors.FORMATS],
    }


@router.get("/datasets", response={200: DatasetPage, **ERROR_RESPONSES}, auth=None, summary="Danh mục bộ dữ liệu mở")
def list_datasets(request, include_unpublished: bool = False, paging: Query[Paging] = None):
    qs = selectors.dataset_list(user=request.user, include_unpublished=include_unpublished)
    page = paginate(qs, page=paging.page, page_size=paging.page_size)
    return page.as_dict([_out(request, d) for d in page.items])


@router.get("/datasets/{slug}", response={200: DatasetOut, **ERROR_RESPONSES}, auth=None,
            summary="Chi tiết bộ dữ liệu mở")
def get_dataset(request, slug: str):
    return _out(request, selectors.dataset_get(key=slug, user=request.user))


@router.patch("/datasets/{slug}", response={200: DatasetOut, **ERROR_RESPONSES}, summary="Sửa mô tả bộ dữ liệu")
def update_dataset(request, slug: str, payload: DatasetPatch):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return _out(request, services.dataset_update(actor=request.user, key=slug, data=data))


@router.post("/datasets/{slug}/publish", response={200: DatasetOut, **ERROR_RESPONSES}, summary="Công bố bộ dữ liệu")
def publish_dataset(request, slug: str):
    return _out(request, services.dataset_publish(actor=request.user, key=slug, published=True))


@router.post("/datasets/{slug}/unpublish", response={200: DatasetOut, **ERROR_RESPONSES},
             summary="Ngừng công bố bộ dữ liệu")
def unpublish_dataset(request, slug: str):
    return _out(request, services.dataset_publish(actor=request.user, key=slug, published=False))


@router.post("/sync", response={200: SyncOut, **ERROR_RESPONSES}, summary="Đồng bộ nguồn dữ liệu mở")
def sync_datasets(request):
    return services.datasets_sync(actor=request.user)
