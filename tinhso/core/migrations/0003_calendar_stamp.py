"""The calendar's freshness stamp (tinhso.core.models.CalendarStamp): one row, changed by triggers on every write
to core_calendaroverride."""

from django.db import migrations, models

POSTGRESQL = [
    """CREATE FUNCTION core_calendar_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE core_calendarstamp SET stamp = floor(random() * 9007199254740991)::bigint;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER core_calendar_stamp_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
       ON core_calendaroverride FOR EACH STATEMENT EXECUTE FUNCTION core_calendar_stamp_bump()""",
]
POSTGRESQL_REVERSE = ["DROP TRIGGER IF EXISTS core_calendar_stamp_bump ON core_calendaroverride",
                      "DROP FUNCTION IF EXISTS core_calendar_stamp_bump()"]
SQLITE = [f"""CREATE TRIGGER core_calendar_stamp_{event.lower()} AFTER {event} ON core_calendaroverride
              BEGIN UPDATE core_calendarstamp SET stamp = random(); END""" for event in ("INSERT", "UPDATE", "DELETE")]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS core_calendar_stamp_{event}" for event in ("insert", "update", "delete")]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


def first_row(apps, schema_editor):
    apps.get_model("core", "CalendarStamp").objects.using(schema_editor.connection.alias).create(pk=1, stamp=1)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_throttle_counter"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stamp", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
        migrations.RunPython(_run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})),
    ]
