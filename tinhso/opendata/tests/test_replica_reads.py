"""Open data's row reads (datastore_search, the preview and its row count) run inside a replica block, so the
router may send them to the read replica; the dataset lookups before them stay on the primary. Router-level, so it
runs on SQLite too: the router is spied on, not a standby (tinhso/core/tests/test_replica.py has the real one)."""

import pytest
from django.db import DEFAULT_DB_ALIAS

from tinhso.core import replica
from tinhso.opendata import resources, selectors
from tinhso.org.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(monkeypatch):
    """Every read the router is asked about, with whether it was inside a replica block; as if a replica were
    configured (inside the test's transaction the router still answers the primary, so the reads succeed)."""
    seen: list[tuple[str, bool]] = []
    real = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append((model._meta.label, replica._reading.get()))
        return real(self, model, **hints)

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    return seen


@pytest.mark.smoke
def test_datastore_search_preview_and_count_read_their_rows_inside_a_replica_block(catalogue, routed):
    dataset = selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    assert routed and not any(inside for _, inside in routed)  # the lookup itself: the primary
    agencies = selectors.source_of(dataset).count()
    assert agencies >= 2 and not any(inside for _, inside in routed)
    routed.clear()
    page = resources.datastore_search(dataset, limit=5)
    assert page["total"] == agencies and len(page["records"]) == min(5, agencies)
    searched = resources.datastore_search(dataset, q="thanh hoa")
    assert searched["total"] >= 1
    source, rows = resources.preview(dataset)
    assert rows and resources.row_count(dataset) == agencies
    labels = {label for label, _ in routed}
    assert "org.Agency" in labels
    assert all(inside for _, inside in routed), [label for label, inside in routed if not inside]
    # Inside the test's transaction the primary answers all the same (a write transaction reads its own rows).
    with replica.reading_from_replica():
        assert replica.ReplicaRouter().db_for_read(Agency) == DEFAULT_DB_ALIAS


@pytest.mark.smoke
def test_without_a_replica_the_same_reads_run_on_the_primary(catalogue):
    assert not replica.replica_configured()
    dataset = selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    assert resources.datastore_search(dataset, limit=1)["total"] == selectors.source_of(dataset).count()


@pytest.mark.smoke
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_streamed_downloads_read_their_rows_inside_a_replica_block(catalogue, routed, fmt):
    """The body is read after the view returned: every step of the stream runs inside its own replica block."""
    dataset = selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    replica._pinned_until.set(0.0)  # the fixture's own writes would pin this context to the primary
    download = resources.download(dataset, fmt)
    routed.clear()
    body = b"".join(download.chunks)
    assert body and not replica._reading.get()  # each block was closed again between chunks
    assert "org.Agency" in {label for label, _ in routed}
    assert all(inside for _, inside in routed), [label for label, inside in routed if not inside]


@pytest.mark.smoke
def test_a_reader_pinned_by_a_recent_write_streams_downloads_from_the_primary(catalogue, routed, monkeypatch):
    monkeypatch.setattr(replica, "user_pinned", lambda user: user == "writer")
    dataset = selectors.dataset_get(key="danh-muc-co-quan-ma-dinh-danh")
    replica._pinned_until.set(0.0)
    download = resources.download(dataset, "json", user="writer")
    routed.clear()
    assert b"".join(download.chunks)
    assert routed and not any(inside for _, inside in routed)
