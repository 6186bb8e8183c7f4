"""Sessions move to accounts_session (tinhso.accounts.models.UserSession), which names the signed-in user in a
column; the live sessions of django_session are copied over, so nobody is signed out by the upgrade."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def copy_live_sessions(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore  # the same salt as tinhso.accounts.sessions

    alias = schema_editor.connection.alias
    Old, New = apps.get_model("sessions", "Session"), apps.get_model("accounts", "UserSession")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    decoder = SessionStore()
    batch = []
    for old in Old.objects.using(alias).filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        try:
            user_id = int(decoder.decode(old.session_data).get("_auth_user_id"))
        except (TypeError, ValueError):
            user_id = None
        batch.append(New(session_key=old.session_key, session_data=old.session_data, expire_date=old.expire_date,
                         user_id=user_id))
        if len(batch) >= 2000:
            _save(New, User, alias, batch)
            batch = []
    _save(New, User, alias, batch)


def _save(New, User, alias, batch):
    known = set(User.objects.using(alias).filter(pk__in={s.user_id for s in batch if s.user_id})
                .values_list("pk", flat=True))
    for s in batch:
        if s.user_id not in known:
            s.user_id = None
    New.objects.using(alias).bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_user_managing_unit"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="UserSession",
            fields=[
                ("session_key", models.CharField(max_length=40, primary_key=True, serialize=False,
                                                 verbose_name="session key")),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to=settings.AUTH_USER_MODEL, db_constraint=False)),
            ],
            options={"db_table": "accounts_session", "abstract": False},
        ),
        migrations.RunPython(copy_live_sessions, migrations.RunPython.noop),
    ]
