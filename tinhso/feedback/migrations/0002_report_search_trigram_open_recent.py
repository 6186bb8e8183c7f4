"""Feedback at a million reports: an index for Open311's default read, and on PostgreSQL a trigram index.

- `feedback_open_recent`: open reports newest first, the order of Open311's requests.json when asked for open ones.
- `feedback_report_search_trgm` (PostgreSQL only): GIN over `search_key` with pg_trgm, so the folded search
  (`search_key LIKE '% word%'`, typed with or without diacritics) reads the matching rows instead of the table.
  SQLite keeps the plain LIKE on the same column: the same rows, without the index. pg_trgm needs to be
  creatable by the migrating role; where it is not, the search still works (sequential scan).
"""

from django.db import migrations, models, transaction


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("CREATE INDEX IF NOT EXISTS feedback_report_search_trgm ON feedback_report "
                               "USING gin (search_key gin_trgm_ops)")
    except Exception:  # noqa: BLE001 - no permission to create the extension: keep the plain search
        pass


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS feedback_report_search_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(condition=models.Q(("status__in", ["received", "verified", "assigned", "in_progress"])),
                               fields=["-received_at", "-id"], name="feedback_open_recent"),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
