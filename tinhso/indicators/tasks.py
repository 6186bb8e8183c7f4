"""Background jobs (django-tasks, database backend): they call services and hold no rules."""

from django_tasks import task


@task()
def refresh_indicators() -> dict:
    """Recount the dirty rollup buckets and recompute the current year's and month's computed values."""
    from .services import refresh_after_changes

    return refresh_after_changes()


@task()
def rebuild_indicators() -> dict:
    """After a bulk import: rebuild every rollup, then the computed values and rankings of the province."""
    from . import rollups
    from .selectors import default_unit
    from .services import computed_values_refresh, rank_all

    rows = rollups.rebuild()
    root = default_unit()
    counts = computed_values_refresh(actor=None, root=root)
    rank_all(actor=None, root=root)
    return {"rollup_rows": rows, **counts}
