"""Background jobs (django-tasks, database backend): they call services and hold no rules."""

from django_tasks import task


@task()
def refresh_indicators() -> dict:
    """Recount the dirty rollup buckets and recompute the current year's and month's computed values."""
    from .services import refresh_after_changes

    return refresh_after_changes()
