"""A webhook subscription chooses its event types (dossier, feedback and document events): the single
`event_type` column becomes the list `event_types`, each existing subscription keeping the type it had."""

from django.db import migrations, models

import tinhso.gateway.models


def copy_forward(apps, schema_editor):
    Subscription = apps.get_model("gateway", "WebhookSubscription")
    for pk, event_type in Subscription.objects.values_list("pk", "event_type"):
        Subscription.objects.filter(pk=pk).update(event_types=[event_type or "dossier.status"])


def copy_back(apps, schema_editor):
    Subscription = apps.get_model("gateway", "WebhookSubscription")
    for pk, types in Subscription.objects.values_list("pk", "event_types"):
        Subscription.objects.filter(pk=pk).update(event_type=(types or ["dossier.status"])[0])


class Migration(migrations.Migration):
    dependencies = [("gateway", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="webhooksubscription", name="event_types",
            field=models.JSONField(default=tinhso.gateway.models._default_event_types),
        ),
        migrations.RunPython(copy_forward, copy_back),
        migrations.RemoveField(model_name="webhooksubscription", name="event_type"),
    ]
