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


def _index_definitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'dossiers_dossier'::regclass "
                       "ORDER BY 1")
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'dossiers_dossier'::regclass "
                       "AND contype = 'u'")
        return [*definitions, *(row[0] for row in cursor.fetchall())]


def test_a_large_first_import_builds_the_indexes_again_and_a_known_code_mid_file_still_upserts(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("indexes are suspended on PostgreSQL only")
    from tinhso.dossiers.models import Dossier

    from .test_importing import GOOD_ROWS, _foreign_keys, csv_bytes
    from .test_statistics import make_procedure

    make_procedure(agencies=[world.justice])
    before, foreign_keys = _index_definitions(), _foreign_keys()
    assert "unique_dossier_code" in before
    monkeypatch.setattr(importing, "MEDIUM_IMPORT_LINES", 2)
    monkeypatch.setattr(importing, "LARGE_IMPORT_LINES", 2)
    suspended = []
    real = importing._suspend_indexes
    monkeypatch.setattr(importing, "_suspend_indexes", lambda cursor: suspended.append(1) or real(cursor))

    first = importing.dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS[:3]), name="a.csv")
    assert suspended and (first.created, first.updated) == (3, 0)
    assert _index_definitions() == before
    # A later file whose first code is new and whose third exists: the COPY without the unique index cannot see
    # it; building that index again does, and the file goes through the upsert instead.
    changed = GOOD_ROWS[2].replace(",postal,", ",online,")
    again = importing.dossiers_import_content(actor=None, content=csv_bytes([*GOOD_ROWS[3:], changed]), name="b.csv")
    assert len(suspended) == 2 and (again.created, again.updated) == (3, 1)
    assert _index_definitions() == before and _foreign_keys() == foreign_keys and len(foreign_keys) >= 3
    assert Dossier.objects.count() == 6 and Dossier.objects.get(code="H56-0003").channel == "online"
