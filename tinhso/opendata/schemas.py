from datetime import date, datetime

from ninja import Field, Schema


class ThemeOut(Schema):
    code: str
    title: str


class ResourceOut(Schema):
    id: str
    format: str
    url: str


class DatasetOut(Schema):
    id: str
    slug: str
    title: str
    description: str
    source: str
    publisher: str | None
    publisher_name: str | None
    licence: str
    licence_title: str
    frequency: str
    themes: list[ThemeOut]
    tags: list[str]
    temporal_start: date | None
    temporal_end: date | None
    spatial: str | None
    provenance: str
    is_published: bool
    published_at: datetime | None
    updated_at: datetime
    resources: list[ResourceOut]


class DatasetPage(Schema):
    total: int
    page: int
    page_size: int
    items: list[DatasetOut]


class DatasetPatch(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=10000)
    publisher: str | None = Field(None, max_length=13)
    licence: str | None = Field(None, max_length=20)
    frequency: str | None = Field(None, max_length=12)
    themes: list[str] | None = Field(None, max_length=20)
    tags: list[str] | None = Field(None, max_length=50)
    provenance: str | None = Field(None, max_length=10000)


class SyncOut(Schema):
    created: int
    refreshed: int
    sources: int
