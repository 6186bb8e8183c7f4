"""Computed values equal direct SQL counts over the same rows; rollups stay right when dossiers change."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tinhso.core.periods import month_period, year_period
from tinhso.dossiers.models import DossierStatDay
from tinhso.indicators import rollups, selectors
from tinhso.indicators.computations import REGISTRY
from tinhso.indicators.models import IndicatorValue
from tinhso.indicators.services import computed_values_refresh

from .conftest import make_dossier

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR_START = datetime.combine(date(2025, 1, 1), time.min, tzinfo=TZ)
YEAR_END = datetime.combine(date(2026, 1, 1), time.min, tzinfo=TZ)


def _sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def _value(indicator, *, unit=None, agency=None, period=None):
    period = period or year_period(2025)
    return IndicatorValue.objects.get(indicator__code=indicator, unit=unit, agency=agency, is_current=True,
                                      period_start=period.start, period_end=period.end, source="computed")


@pytest.fixture
def computed(world, operations):
    rollups.rebuild()
    computed_values_refresh(actor=None, root=world.province, today=date(2026, 2, 15))
    return world


AGENCY = "COALESCE(handling_agency_id, receiving_agency_id)"


def test_online_share_equals_sql_for_the_province_and_a_commune(computed):
    w = computed
    online, total = _sql(
        "SELECT SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END), COUNT(*) FROM dossiers_dossier "
        "WHERE received_at >= %s AND received_at < %s AND refused_at IS NULL", [YEAR_START, YEAR_END])
    value = _value("cq_ho_so_tthc_truc_tuyen_rate", unit=w.province)
    assert (value.numerator, value.denominator) == (online, total)
    assert value.value == pytest.approx(100 * online / total)
    online, total = _sql(
        "SELECT SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END), COUNT(*) FROM dossiers_dossier "
        f"WHERE received_at >= %s AND received_at < %s AND refused_at IS NULL AND {AGENCY} = %s",
        [YEAR_START, YEAR_END, w.commune_committee.pk])
    commune = _value("cq_ho_so_tthc_truc_tuyen_rate", unit=w.commune)
    assert (commune.numerator, commune.denominator) == (online, total) == (2, 5)


def test_on_time_share_equals_sql_and_counts_the_handling_agency(computed):
    w = computed
    good, resolved = _sql(
        "SELECT SUM(CASE WHEN timeliness IN ('early', 'on_time') THEN 1 ELSE 0 END), COUNT(*) "
        "FROM dossiers_dossier WHERE resolved_at >= %s AND resolved_at < %s AND received_at IS NOT NULL "
        "AND refused_at IS NULL", [YEAR_START, YEAR_END])
    value = _value("cq_tthc_dung_han_rate", unit=w.province)
    assert (value.numerator, value.denominator) == (good, resolved)
    health = _value("cq_tthc_dung_han_rate", agency=w.health)  # received at the centre, handled by Health
    assert (health.numerator, health.denominator) == (0, 1)
    assert not IndicatorValue.objects.filter(indicator__code="cq_tthc_dung_han_rate", agency=w.service_centre,
                                             period_end=date(2025, 12, 31)).exists()


def test_digitised_share_and_monthly_values_equal_sql(computed):
    w = computed
    digitised, total = _sql(
        "SELECT SUM(CASE WHEN has_digitised_attachments THEN 1 ELSE 0 END), COUNT(*) FROM dossiers_dossier "
        f"WHERE received_at >= %s AND received_at < %s AND refused_at IS NULL AND {AGENCY} = %s",
        [YEAR_START, YEAR_END, w.commune_committee.pk])
    value = _value("cq_ho_so_so_hoa_rate", unit=w.commune)
    assert (value.numerator, value.denominator) == (digitised, total) == (2, 5)
    january = _value("cq_ho_so_tthc_truc_tuyen_rate", unit=w.province, period=month_period(2025, 1))
    assert (january.numerator, january.denominator) == (2, 2)


def test_full_online_share_equals_sql_over_the_catalogue(computed):
    w = computed
    full, total = _sql(
        "SELECT COUNT(DISTINCT CASE WHEN p.online_level = 'toan_trinh' THEN p.id END), COUNT(DISTINCT p.id) "
        "FROM procedures_procedure p JOIN procedures_procedure_agencies pa ON pa.procedure_id = p.id "
        "JOIN org_agency a ON a.id = pa.agency_id WHERE p.is_active AND a.unit_id IN (%s, %s, %s)",
        [w.province.pk, w.commune.pk, w.other_commune.pk])
    value = _value("cq_dvc_muc_4_rate", unit=w.province, period=year_period(2026))
    assert (value.numerator, value.denominator) == (full, total) == (2, 4)  # a procedure counts once
    commune = _value("cq_dvc_muc_4_rate", unit=w.commune, period=year_period(2026))
    assert (commune.numerator, commune.denominator) == (1, 2)


def test_village_coverage_equals_sql_and_the_org_selector(computed):
    w = computed
    teams, = _sql("SELECT COUNT(*) FROM org_digitaltechteam WHERE village <> ''")
    villages, = _sql("SELECT SUM(village_count) FROM org_administrativeunit WHERE parent_id = %s",
                     [w.province.pk])
    value = _value("xh_thon_co_to_cnscd_rate", unit=w.province, period=year_period(2026))
    assert (value.numerator, value.denominator) == (teams, villages) == (12, 20)
    assert round(value.value, 1) == 60.0
    commune = _value("xh_thon_co_to_cnscd_rate", unit=w.commune, period=year_period(2026))
    assert (commune.numerator, commune.denominator) == (9, 12)


def test_percentages_are_never_averaged_up_the_hierarchy(computed):
    w = computed
    province = _value("cq_ho_so_tthc_truc_tuyen_rate", unit=w.province)
    communes = [_value("cq_ho_so_tthc_truc_tuyen_rate", unit=u) for u in (w.commune, w.other_commune)]
    assert province.value != pytest.approx(sum(c.value for c in communes) / 2)
    assert province.denominator >= sum(c.denominator for c in communes)


def test_every_computation_is_registered_for_a_known_indicator(definitions):
    from tinhso.indicators.models import Indicator

    known = set(Indicator.objects.filter(source_kind="computed").values_list("code", flat=True))
    assert set(REGISTRY) == known
    assert {"cq_ho_so_tthc_truc_tuyen_rate", "cq_tthc_dung_han_rate", "cq_dvc_muc_4_rate",
            "cq_ho_so_so_hoa_rate", "xh_thon_co_to_cnscd_rate"} <= known


def _rollup_rows() -> list[tuple]:
    fields = [f.name for f in DossierStatDay._meta.fields if f.name not in ("id", "agency", "day")]
    rows = DossierStatDay.objects.values_list("agency_id", "day", *fields)
    return sorted(r for r in rows if any(r[2:]))


def test_the_live_rollup_equals_a_rebuild(operations):
    live = _rollup_rows()  # every dossier of the fixture was saved one by one: increments only
    assert live
    rollups.rebuild()
    assert _rollup_rows() == live


def test_a_new_dossier_reaches_the_rollups_and_the_values_on_commit(computed, settings,
                                                                    django_capture_on_commit_callbacks):
    # The task runs at once (production: the database backend and `tinhso manage db_worker`).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TINHSO_PROVINCE_CODE = computed.province.code
    w = computed
    from tinhso.procedures.models import Procedure

    birth = Procedure.objects.get(code="1.001193")
    received = rollups.total_counts()["received"]
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_dossier(procedure=birth, agency=w.commune_committee, channel="online",
                               received=date(2026, 2, 10))
    assert rollups.total_counts()["received"] == received + 1
    feb = IndicatorValue.objects.get(indicator__code="cq_ho_so_tthc_truc_tuyen_rate", unit=w.commune,
                                     period_start=date(2026, 2, 1), is_current=True)
    assert (feb.numerator, feb.denominator) == (1, 1)
    # A handover moves the dossier to another agency: its counts move with it.
    with django_capture_on_commit_callbacks(execute=True):
        dossier.handling_agency = w.other_commune_committee
        dossier.save()
    rows = {a: n for a, n in DossierStatDay.objects.filter(day=date(2026, 2, 10), month=False)
            .values_list("agency_id", "received_online") if n}
    assert rows == {w.other_commune_committee.pk: 1}


def test_a_closed_period_recomputed_with_different_data_gets_a_new_version(computed):
    w = computed
    old = _value("cq_ho_so_tthc_truc_tuyen_rate", unit=w.commune)
    from tinhso.procedures.models import Procedure

    make_dossier(procedure=Procedure.objects.get(code="1.001193"), agency=w.commune_committee, channel="online",
                 received=date(2025, 9, 9))
    rollups.rebuild()
    computed_values_refresh(actor=None, root=w.province, periods=[year_period(2025)], today=date(2026, 2, 15))
    new = _value("cq_ho_so_tthc_truc_tuyen_rate", unit=w.commune)
    old.refresh_from_db()
    assert (new.version, new.numerator, new.denominator) == (2, 3, 6)
    assert not old.is_current and old.superseded_by_id == new.pk and new.reason


def test_the_overview_reads_values_not_dossiers(computed, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        rows = selectors.latest_values(unit=computed.province, user=None)
    assert {r["indicator"] for r in rows} >= {"cq_ho_so_tthc_truc_tuyen_rate", "xh_thon_co_to_cnscd_rate"}


def _dirty() -> set[tuple[int, date]]:
    from tinhso.indicators.models import RollupDirtyBucket

    return set(RollupDirtyBucket.objects.values_list("agency_id", "day"))


def test_rollup_changes_mark_the_measured_days_dirty_on_commit_only(computed, django_capture_on_commit_callbacks):
    """The dirty marks follow the rollup's own deltas (dossiers.signals.rollup_changed): saves, ORM bulk writes and
    deletes mark the (agency, day) buckets whose measured counters moved, once the transaction commits."""
    from django.db import transaction

    from tinhso.dossiers.models import Dossier
    from tinhso.indicators.models import RollupDirtyBucket
    from tinhso.procedures.models import Procedure

    w = computed
    birth = Procedure.objects.get(code="1.001193")
    RollupDirtyBucket.objects.all().delete()
    rollups._pending().clear()  # the fixture's saves never committed (the test's transaction): their marks wait
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_dossier(procedure=birth, agency=w.commune_committee, channel="online",
                               received=date(2026, 2, 10))
    assert _dirty() == {(w.commune_committee.pk, date(2026, 2, 10))}

    RollupDirtyBucket.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):  # a field the rollup does not count: nothing to redo
        Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Nguyễn Văn Bình")
    assert _dirty() == set()

    # A queryset update that moves the dossier to another agency marks both agencies' day (signals of model
    # saves alone never saw these writes).
    with django_capture_on_commit_callbacks(execute=True):
        Dossier.objects.filter(pk=dossier.pk).update(handling_agency=w.other_commune_committee)
    assert _dirty() == {(w.commune_committee.pk, date(2026, 2, 10)), (w.other_commune_committee.pk, date(2026, 2, 10))}

    RollupDirtyBucket.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):  # rolled back: the rollup and the marks stay as they were
        with transaction.atomic():
            Dossier.objects.get(pk=dossier.pk).delete()
            transaction.set_rollback(True)
    assert _dirty() == set()
    rollups._pending().clear()  # the rolled-back marks (flushing them later would only recount a day again)
    with django_capture_on_commit_callbacks(execute=True):
        Dossier.objects.get(pk=dossier.pk).delete()
    assert _dirty() == {(w.other_commune_committee.pk, date(2026, 2, 10))}
