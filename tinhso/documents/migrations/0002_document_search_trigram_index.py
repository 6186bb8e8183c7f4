"""On PostgreSQL, a trigram index serves the `search_key LIKE '% word%'` search over millions of documents.

pg_trgm needs to be creatable by the migrating role; where it is not, the search still works (sequential scan).
"""

from django.db import migrations, transaction


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("CREATE INDEX IF NOT EXISTS document_search_trgm ON documents_document "
                               "USING gin (search_key gin_trgm_ops)")
    except Exception:  # noqa: BLE001 - no permission to create the extension: keep the plain search
        pass


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS document_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_documents_registers_signatures_exchange")]
    operations = [migrations.RunPython(forwards, backwards)]
