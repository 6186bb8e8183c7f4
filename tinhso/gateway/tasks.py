"""Background jobs (django-tasks): they call the gateway's delivery functions and hold no rules."""

from django_tasks import task


@task()
def drain_webhook(subscription_id: int) -> dict:
    from .webhooks import webhook_drain

    result = webhook_drain(subscription_id=subscription_id)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in result.items()}


@task()
def run_outbox(connector: str) -> dict:
    from .connectors import outbox_run

    return outbox_run(connector=connector)


@task()
def seal_access_log() -> int:
    from .accesslog import access_log_seal

    return access_log_seal()
