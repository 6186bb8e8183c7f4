"""Acceptance: a dataset of indicator values follows new data with no manual step — a dossier is resolved, the
rollup task runs (as `tinhso manage db_worker` would), and the dataset's rows have changed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tinhso.indicators import rollups
from tinhso.indicators.services import computed_values_refresh, definitions_load
from tinhso.indicators.tasks import refresh_indicators
from tinhso.indicators.tests.conftest import at, make_dossier, make_procedure
from tinhso.opendata import resources, selectors

pytestmark = pytest.mark.django_db
ONLINE_SHARE = "cq_ho_so_tthc_truc_tuyen_rate"


def _rows(slug: str) -> list[tuple]:
    return list(selectors.source_of(selectors.dataset_get(key=slug)).rows())


def test_indicator_dataset_changes_after_a_dossier_is_resolved_and_the_rollup_task_runs(
        catalogue, django_capture_on_commit_callbacks):
    w = catalogue
    definitions_load(actor=None)
    procedure = make_procedure("1.001193", [w.commune_committee])
    day = timezone.localdate() - timedelta(days=1)
    make_dossier(procedure=procedure, agency=w.commune_committee, channel="direct", received=day - timedelta(days=3),
                 resolved=day - timedelta(days=2), timeliness="late", status="resolved")
    rollups.rebuild()
    computed_values_refresh(actor=None, root=w.province)
    before = _rows("gia-tri-chi-tieu-chuyen-doi-so")
    assert before and all(r[4] == w.province.code for r in before)  # only public, province-level values

    # A citizen's online dossier is received, then resolved on time: only dossier writes, no open-data step.
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_dossier(procedure=procedure, agency=w.commune_committee, channel="online", received=day)
    with django_capture_on_commit_callbacks(execute=True):
        dossier.status, dossier.resolved_at, dossier.timeliness = "resolved", at(day, 11), "on_time"
        dossier.save()
    assert DBTaskResult.objects.filter(task_path__endswith="refresh_indicators").exists()
    refresh_indicators.call()  # what the worker runs

    after = _rows("gia-tri-chi-tieu-chuyen-doi-so")
    assert after != before
    def online_share(rows):  # (numerator, denominator) of the province's online share in the dossier's month
        found = [(r[10], r[11]) for r in rows if r[7] == day.replace(day=1).isoformat() and r[0] == ONLINE_SHARE]
        return found[0] if found else (0, 0)

    assert online_share(after) == (online_share(before)[0] + 1, online_share(before)[1] + 1)
    # The same live read serves the CKAN datastore and the downloads.
    page = resources.datastore_search(selectors.dataset_get(key="gia-tri-chi-tieu-chuyen-doi-so"), limit=len(after))
    assert page["total"] == len(after)


def test_ii06a_dataset_counts_a_resolved_dossier_in_its_agency_and_month(catalogue):
    w = catalogue
    procedure = make_procedure("1.001193", [w.commune_committee])
    day = timezone.localdate() - timedelta(days=1)
    make_dossier(procedure=procedure, agency=w.commune_committee, channel="online", received=day - timedelta(days=1),
                 resolved=day, timeliness="early", status="resolved")
    rollups.rebuild()
    rows = _rows("thong-ke-ho-so-tthc-bieu-ii06a")
    mine = [r for r in rows if r[0] == f"{day:%Y-%m}" and r[1] == w.commune_committee.identifier_code]
    assert mine, rows
    row = dict(zip([c.name for c in selectors.source_of(
        selectors.dataset_get(key="thong-ke-ho-so-tthc-bieu-ii06a")).columns], mine[0], strict=True))
    assert row["resolved_early"] == 1 and row["new_online"] + row["carried_over"] == 1
    assert row["on_time_rate"] == 100.0
