from django.db import models
from django.db.models import Q

from tinhso.core.text import fold, search_key

from .choices import AgencyKind, UnitLevel, UnitType


class AdministrativeUnit(models.Model):
    """A province, (historical) district or commune.

    `code` is the public key: the official GSO code for current units; historical units (before the
    1 July 2025 reorganisation) reuse GSO codes of units that may still exist, so theirs is prefixed `cu-`
    (“cũ”), with the GSO code kept in `official_code`.
    """

    code = models.CharField(max_length=20, unique=True)
    official_code = models.CharField(max_length=10, db_index=True)
    name = models.CharField(max_length=150)
    short_name = models.CharField(max_length=120, blank=True)
    level = models.CharField(max_length=10, choices=UnitLevel.choices)
    unit_type = models.CharField(max_length=24, choices=UnitType.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="Ngày cuối cùng đơn vị tồn tại; trống = hiện hành.")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="predecessors")
    identifier_prefix = models.CharField(max_length=3, blank=True,
                                         help_text="Cấp 1 của mã định danh điện tử (ví dụ H56) nếu là cấp tỉnh.")
    village_count = models.PositiveIntegerField(null=True, blank=True, help_text="Số thôn, tổ dân phố.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    search_key = models.CharField(max_length=300, db_index=True, editable=False)
    name_key = models.CharField(max_length=150, db_index=True, editable=False)
    short_key = models.CharField(max_length=120, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "level"]),
            models.Index(fields=["level", "valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        if self.is_current:
            return self.name
        # valid_to is the unit's last day (30/06/2025): it existed until, not before, that day.
        return f"{self.name} (đến hết {self.valid_to:%d/%m/%Y})"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def refresh_keys(self) -> None:
        """Recompute the search keys (save() does it; bulk writers call it themselves)."""
        self.search_key = search_key(self.name, self.short_name)
        self.name_key, self.short_key = fold(self.name), fold(self.short_name)

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)


class Agency(models.Model):
    """An agency or organisation (cơ quan, đơn vị) with its electronic identifier code."""

    identifier_code = models.CharField(max_length=13, unique=True)
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=24, choices=AgencyKind.choices)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False)
    name_key = models.CharField(max_length=255, editable=False)
    short_key = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["identifier_code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name, self.short_name, self.identifier_code)
        self.name_key, self.short_key = fold(self.name), fold(self.short_name)
        super().save(*args, **kwargs)


class DigitalTechTeam(models.Model):
    """A community digital-technology team (tổ công nghệ số cộng đồng) of a commune or one of its villages."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="digital_teams")
    village = models.CharField(max_length=150, blank=True, help_text="Trống = tổ của cấp xã.")
    member_count = models.PositiveIntegerField()
    established_on = models.DateField(null=True, blank=True)
    leader_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["unit__code", "village"]
        constraints = [models.UniqueConstraint(fields=["unit", "village"], name="one_team_per_village")]

    def __str__(self) -> str:
        return f"Tổ CNSCĐ {self.village or self.unit.name}"
