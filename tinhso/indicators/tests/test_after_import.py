"""A bulk import fires no model signals; the importer announces it and indicators rebuild in the background."""

import pytest
from django_tasks_db.models import DBTaskResult

from tinhso.dossiers.importing import dossiers_import_content
from tinhso.dossiers.models import DossierStatDay
from tinhso.dossiers.tests.test_importing import GOOD_ROWS, catalogue, csv_bytes  # noqa: F401
from tinhso.indicators import rollups

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_import_queues_a_rebuild_that_counts_the_imported_dossiers(catalogue, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    assert DBTaskResult.objects.filter(task_path__endswith="rebuild_indicators").count() == 1
    # The import keeps the dossier rollup itself, in its transaction; the worker's rebuild finds it exact.
    counted = sorted(DossierStatDay.objects.values_list("agency_id", "day", "month", "received_online", "closed"))
    assert counted
    rollups.rebuild()
    assert sorted(DossierStatDay.objects.values_list("agency_id", "day", "month", "received_online", "closed")) == counted


def test_reimporting_unchanged_rows_queues_nothing(catalogue, django_capture_on_commit_callbacks):  # noqa: F811
    dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    with django_capture_on_commit_callbacks(execute=True):
        dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="lich-su.csv")
    assert not DBTaskResult.objects.filter(task_path__endswith="rebuild_indicators").exists()
