"""The import keeps the II.06a rollup exact in its own transaction: after a first import, a re-import with
changed rows and a refused import, the rollup's rows are those a rebuild computes and statistics read them."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from tinhso.core.exceptions import ImportFailed
from tinhso.core.periods import parse_period
from tinhso.dossiers import stats_rollup
from tinhso.dossiers.importing import ALL_COLUMNS, dossiers_import_content
from tinhso.dossiers.statistics import dossier_statistics

from .test_importing import AGENCY, GOOD_ROWS, VN, catalogue, csv_bytes  # noqa: F401
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


def _generated_rows(rng: random.Random, codes: range) -> list[str]:
    """Rows of every status, pauses, stops and closings on the same day as reception or the due time, at times
    around local and UTC midnights, half of them written in UTC (the validator's exact path) and half with the
    local offset (its fast path, where the rollup contributions are counted from the texts)."""
    def stamp(t: datetime) -> str:
        return (t.astimezone(UTC).isoformat().replace("+00:00", "Z") if rng.random() < 0.5
                else t.astimezone(VN).isoformat())

    def after(t: datetime) -> datetime:
        return t + timedelta(days=rng.choice([0, 0, 1, 2, 5]), hours=rng.choice([0, 1, 7, 16, 17, 23]),
                             minutes=rng.choice([0, 0, 59]))

    rows = []
    for n in codes:
        received = datetime(2026, 1, 5, tzinfo=VN) + timedelta(days=rng.randrange(80),
                                                               hours=rng.choice([0, 7, 8, 16, 17, 23]),
                                                               minutes=rng.choice([0, 0, 30, 59]))
        due = received + timedelta(days=rng.choice([-1, 0, 1, 3, 10]), hours=rng.choice([0, 9, 17]))
        status = rng.choice(["pending", "resolved", "resolved", "returned", "withdrawn", "refused", "supplement",
                             "stopped", "paused_resolved"])
        values = dict.fromkeys(ALL_COLUMNS, "")
        values.update(code=f"G56-{n:05d}", procedure_code="1.001193", agency_code=AGENCY,
                      channel=rng.choice(["online", "direct", "postal"]), received_at=stamp(received),
                      due_at=stamp(due))
        if status == "resolved":
            values["resolved_at"] = stamp(after(received))
        elif status == "returned":
            resolved = after(received)
            values.update(resolved_at=stamp(resolved), returned_at=stamp(after(resolved)))
        elif status == "withdrawn":
            values["withdrawn_at"] = stamp(after(received))
            if rng.random() < 0.5:
                values["due_at"] = ""
        elif status == "refused":
            values["due_at"] = ""
        elif status == "supplement":
            values["supplement_requested_at"] = stamp(after(received))
        elif status == "stopped":
            values["stopped_at"] = stamp(after(received))
        elif status == "paused_resolved":
            status = "resolved"
            asked = after(received)
            answered = after(asked)
            values.update(supplement_requested_at=stamp(asked), supplemented_at=stamp(answered),
                          due_at=stamp(after(due)), resolved_at=stamp(after(answered)))
        values["status"] = status
        rows.append(",".join(values[c] for c in ALL_COLUMNS))
    return rows


def test_generated_first_imports_count_the_rollup_exactly(catalogue):  # noqa: F811
    """On PostgreSQL a first import streams into the table and adds the contributions its validator counted; two
    of them (the second onto the first's rollup rows) leave exactly the rows a rebuild computes."""
    rng = random.Random(11)
    header = ",".join(ALL_COLUMNS)
    for codes in (range(0, 300), range(300, 600)):
        content = ("\n".join([header, *_generated_rows(rng, codes)]) + "\n").encode()
        result = dossiers_import_content(actor=None, content=content, name="generated.csv")
        assert result.created == len(codes)
        assert stats_rollup.is_fresh()
        imported = _rows()
        stats_rollup.rollup_rebuild()
        assert imported == _rows()
    overdue_delta, stopped = stats_rollup.FIELDS.index("overdue_delta"), stats_rollup.FIELDS.index("stopped")
    assert any(row[3 + overdue_delta] < 0 for row in imported) and any(row[3 + stopped] for row in imported)
