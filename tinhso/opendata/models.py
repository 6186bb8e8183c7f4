"""The dataset registry: one row per published table; its rows come live from a registered source (registry.py)."""

import uuid

from django.db import models

from tinhso.core.text import fold, search_key

from .choices import Frequency, Licence, Theme


class DatasetTheme(models.Model):
    """A theme of the EU data-theme vocabulary (a CKAN "group")."""

    code = models.CharField(max_length=12, unique=True, choices=Theme.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class DatasetTag(models.Model):
    """A free keyword (CKAN tag, dcat:keyword)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """A dataset of the open-data catalogue. Its columns and rows are those of `source_key` in the registry."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=100, unique=True)
    source_key = models.CharField(max_length=100, unique=True,
                                  help_text="Nguồn dữ liệu đã đăng ký trong mã nguồn (opendata.registry).")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    publisher = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text="Cơ quan công bố.")
    licence = models.CharField(max_length=20, choices=Licence.choices, default=Licence.CC_BY_4_0)
    themes = models.ManyToManyField(DatasetTheme, blank=True, related_name="datasets")
    tags = models.ManyToManyField(DatasetTag, blank=True, related_name="datasets")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.UPDATE_CONT)
    temporal_start = models.DateField(null=True, blank=True)
    temporal_end = models.DateField(null=True, blank=True)
    spatial = models.ForeignKey("org.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text="Phạm vi không gian.")
    provenance = models.TextField(blank=True, help_text="Nguồn gốc, cách dữ liệu được tạo ra.")
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_key = models.TextField(editable=False, default="")
    name_key = models.CharField(max_length=300, editable=False, default="")
    short_key = models.CharField(max_length=100, editable=False, default="")

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["is_published", "title"]),
                   models.Index(fields=["is_published", "updated_at"])]

    def __str__(self) -> str:
        return self.title

    def refresh_keys(self, tag_names: list[str] | None = None) -> None:
        """The folded search key over title, description and tags (the caller passes the tags it just set)."""
        tags = tag_names if tag_names is not None else (
            [t.name for t in self.tags.all()] if self.pk else [])
        self.search_key = search_key(self.title, self.slug, self.description, " ".join(tags))
        self.name_key, self.short_key = fold(self.title), fold(self.slug)
