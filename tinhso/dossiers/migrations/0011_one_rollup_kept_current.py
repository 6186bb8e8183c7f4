"""The one dossier rollup: DossierStatDay also counts the dossiers received with digitised papers (the indicators'
former DossierDailyRollup, dropped by indicators 0002) and holds month rows beside the day rows; rebuilt from the
dossiers so both former tables' figures carry over."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    from tinhso.dossiers.stats_rollup import rebuild_sql

    rebuild_sql(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0010_applicant_birth_date_and_lookup"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierstatday",
            name="received_digitised",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="dossierstatday",
            name="month",
            field=models.BooleanField(default=False),
        ),
        migrations.RemoveConstraint(model_name="dossierstatday", name="one_stat_row_per_agency_day"),
        migrations.AddConstraint(
            model_name="dossierstatday",
            constraint=models.UniqueConstraint(fields=("agency", "day", "month"), name="one_stat_row_per_agency_day"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
