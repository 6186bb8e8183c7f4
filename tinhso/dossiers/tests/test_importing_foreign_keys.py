"""When the history import checks its foreign keys once at the end instead of per row (PostgreSQL)."""

import pytest
from django.db import connection

from tinhso.dossiers import importing


@pytest.mark.django_db
def test_foreign_keys_are_checked_once_for_a_large_file_or_a_file_large_for_the_table():
    if connection.vendor != "postgresql":
        pytest.skip("foreign keys are suspended on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'dossiers_dossier'::regclass")
        estimated = max(cursor.fetchone()[0], 0)
        assert importing._suspension_pays(cursor, lines=importing.LARGE_IMPORT_LINES + 1)
        assert not importing._suspension_pays(cursor, lines=importing.MEDIUM_IMPORT_LINES - 1)
        # A medium file: once at the end when it is more than a fifth of the table (the test table is near empty).
        assert estimated < importing.MEDIUM_IMPORT_LINES * 5
        assert importing._suspension_pays(cursor, lines=importing.MEDIUM_IMPORT_LINES)
