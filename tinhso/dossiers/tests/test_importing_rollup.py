"""The import keeps the II.06a rollup exact in its own transaction: after a first import, a re-import with
changed rows and a refused import, the rollup's rows are those a rebuild computes and statistics read them."""

from datetime import datetime

import pytest

from tinhso.core.exceptions import ImportFailed
from tinhso.core.periods import parse_period
from tinhso.dossiers import stats_rollup
from tinhso.dossiers.importing import dossiers_import_content
from tinhso.dossiers.statistics import dossier_statistics

from .test_importing import GOOD_ROWS, VN, catalogue, csv_bytes  # noqa: F401
from .test_stats_rollup import _rows, counts

pytestmark = pytest.mark.smoke
Q1 = parse_period("2026-Q1")
AFTER = datetime(2026, 5, 1, tzinfo=VN)


def _assert_rollup_exact():
    assert stats_rollup.is_fresh()
    live = _rows()
    rolled = dossier_statistics(actor=None, period=Q1, now=AFTER)
    scan = dossier_statistics(actor=None, period=Q1, now=AFTER, use_rollups=False)
    assert (rolled["source"], scan["source"]) == ("rollup", "scan")
    assert counts(rolled) == counts(scan)
    stats_rollup.rollup_rebuild()
    assert _rows() == live
    return rolled


def test_first_import_reimport_with_changes_and_a_refused_import_keep_the_rollup_exact(catalogue):  # noqa: F811
    dossiers_import_content(actor=None, content=csv_bytes(GOOD_ROWS), name="a.csv")
    first = _assert_rollup_exact()
    assert first["received_total"] == 5
    # H56-0006 resolved late, H56-0004 moved to another day; the others unchanged.
    changed = [r for r in GOOD_ROWS if not r.startswith(("H56-0004", "H56-0006"))] + [
        GOOD_ROWS[3].replace("2026-03-03T08:00:00+07:00", "2026-03-10T08:00:00+07:00"),
        GOOD_ROWS[5].replace(",,,,pending", ",2026-03-25T09:00:00+07:00,,,resolved"),
    ]
    result = dossiers_import_content(actor=None, content=csv_bytes(changed), name="b.csv")
    assert (result.updated, result.unchanged) == (2, 4)
    second = _assert_rollup_exact()
    assert second["resolved_late"] == first["resolved_late"] + 1
    live = _rows()
    with pytest.raises(ImportFailed):
        dossiers_import_content(actor=None, content=csv_bytes([*changed, "H56-0009,bad"]), name="c.csv")
    assert _rows() == live
    _assert_rollup_exact()
