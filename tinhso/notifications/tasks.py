"""Background jobs (django-tasks): they call services and hold no rules."""

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    from .services import notification_deliver

    return notification_deliver(notification_id=notification_id)


@task()
def sweep_notifications() -> int:
    from .services import notifications_sweep

    return notifications_sweep()
