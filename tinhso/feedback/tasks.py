"""Background jobs (django-tasks): they call services and hold no rules."""

from django_tasks import task


@task()
def escalate_report(report_id: int) -> int:
    """Escalate one report whose clock calls for it (enqueued by the sweep)."""
    from .services import report_escalate

    return report_escalate(report_id=report_id)


@task()
def sweep_escalations() -> int:
    """Enqueue one escalation job per open report that needs one."""
    from .services import escalation_candidates

    ids = escalation_candidates()
    for report_id in ids:
        escalate_report.enqueue(report_id)
    return len(ids)
