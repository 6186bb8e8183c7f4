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


class ThrottleCounter(models.Model):
    """Failures of one public form for one key (a dossier code, a client address) in the current window.

    Kept in the database, not the per-process cache, so that every server worker counts the same failures."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_throttle_scope_key_uniq")]
        indexes = [models.Index(fields=["scope", "window_start"], name="core_throttle_scope_start_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"


class CalendarStamp(models.Model):
    """One row whose `stamp` takes a new random value whenever a `CalendarOverride` row is inserted, changed or
    deleted, by any process or tool: database triggers set it (migration 0003), so bulk edits, raw SQL and other
    processes count too. A random value, not a counter: a rolled-back edit must never leave a stamp that a later
    edit could take again. tinhso.core.calendar keeps a process's loaded calendar while the stamp read during a
    request is the one it was loaded under."""

    stamp = models.BigIntegerField(default=0)
