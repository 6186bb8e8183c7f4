from django.db import models


class CalendarOverride(models.Model):
    """An admin-editable exception to the working-day calendar of `holidays.VN`:
    an extra day off, or an official make-up working day, decided after the library was released."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc bù"

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"
