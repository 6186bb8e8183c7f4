"""The replica router without a replica: every read and write goes to the primary (SQLite included)."""

from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from tinhso.core import replica
from tinhso.dossiers.choices import Status
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.statistics import dossier_statistics, resolve_period
from tinhso.dossiers.tests.factories import make_dossier


@pytest.mark.smoke
@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(world):
    assert not replica.replica_configured()
    make_dossier(world, status=Status.RECEIVED)
    with replica.reading_from_replica():
        assert replica.ReplicaRouter().db_for_read(Dossier) == DEFAULT_DB_ALIAS
        today = timezone.localdate()
        week = resolve_period(date_from=today - timedelta(days=7), date_to=today)
        assert dossier_statistics(actor=None, period=week, group_by="none")["received_total"] == 1
    assert replica.ReplicaRouter().db_for_write(Dossier) == DEFAULT_DB_ALIAS
    assert not replica.ReplicaRouter().allow_migrate(replica.REPLICA, "dossiers")
